"""Jurisdiction: 乙镇's dispatcher sees none of 甲镇's grid data in any list, count, export, map or
API; a grid worker sees their own grids; a department liaison and a window clerk see none of it."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.grid import actions
from zhenjie.testing import credit_code, make_key_person, make_resident

from .conftest import days_ago

pytestmark = pytest.mark.django_db

LISTS = ["grid:home", "grid:residents", "grid:buildings", "grid:organisations", "grid:ledger", "grid:visits", "grid:overdue", "grid:patrols"]
API_LISTS = ["/api/grid/residents", "/api/grid/buildings", "/api/grid/organisations", "/api/grid/key-persons?due=all", "/api/grid/visits", "/api/grid/patrols", "/api/grid/my-grids"]


@pytest.fixture
def township_a(gw):
    """A resident with a ledger entry, a visit, a building, an organisation and a patrol in each
    of 甲镇's two grids; all named 甲… so any leak shows."""
    w = gw.world
    records = {}
    for grid, worker, n in ((w.grid_a, w.grid_worker_a, 1), (gw.grid_a2, gw.grid_worker_a2, 2)):
        resident = make_resident(grid, worker, 40 + n, name=f"甲居民{n}", born=date(1950, 1, 1))
        person = make_key_person(resident, worker, "disabled", since=days_ago(200))
        actions.record_visit(worker, person, situation="normal", findings=f"甲走访{n}", visited_at=None)
        actions.register_building(worker, grid, address=f"甲房屋{n}", kind="self_built", use="own", floors=1)
        actions.register_organisation(worker, grid, name=f"甲单位{n}", kind="enterprise", credit_code=credit_code(n), address="甲路")
        overdue = make_key_person(make_resident(grid, worker, 50 + n, name=f"甲超期{n}"), worker, "subsistence", since=days_ago(120))
        patrol = actions.start_patrol(worker, grid)
        actions.stop_patrol(worker, patrol, summary=f"甲巡查{n}")
        records[n] = {"resident": resident, "person": person, "overdue": overdue, "patrol": patrol}
    return records


def page_text(client, name, fmt=""):
    response = client.get(reverse(name) + fmt)
    assert response.status_code == 200, name
    if fmt:
        sheets = load_workbook(io.BytesIO(response.content)).worksheets
        return " ".join(str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.content.decode()


@pytest.mark.parametrize("username", ["dispatcher_b", "leader_b", "liaison", "clerk_a", "grid_worker_b"])
def test_people_outside_the_grid_work_of_township_a_see_none_of_it_on_any_page_or_export(client, gw, township_a, username):
    from zhenjie.accounts.models import User

    client.force_login(User.objects.get(username=username))
    for name in LISTS:
        assert "甲" not in page_text(client, name).replace("甲镇", "").replace("甲一村", ""), name
        if name != "grid:home" or username != "grid_worker_b":
            assert "甲" not in page_text(client, name, "?format=xlsx"), name


@pytest.mark.parametrize("username", ["dispatcher_b", "liaison", "clerk_a", "grid_worker_b"])
def test_every_record_of_township_a_is_404_to_them(client, gw, township_a, username):
    from zhenjie.accounts.models import User

    client.force_login(User.objects.get(username=username))
    one = township_a[1]
    for name, pk in (
        ("grid:grid", gw.world.grid_a.pk), ("grid:grid_geojson", gw.world.grid_a.pk), ("grid:resident", one["resident"].pk),
        ("grid:key_person", one["person"].pk), ("grid:visit_new", one["person"].pk), ("grid:patrol_detail", one["patrol"].pk),
        ("grid:patrol_geojson", one["patrol"].pk), ("grid:key_person_new", one["resident"].pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.get(reverse("grid:residents") + f"?grid={gw.world.grid_a.pk}").status_code == 404
    response = client.post(reverse("grid:visit_new", args=[one["person"].pk]), {"situation": "normal", "findings": "越权"})
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["dispatcher_b", "liaison", "clerk_a"])
def test_the_api_shows_them_nothing_of_township_a_either(api, gw, township_a, username):
    api.as_(username)
    for path in API_LISTS:
        body = api.get(path).json()
        items = body if isinstance(body, list) else body["items"]
        assert items == [] or all(item.get("grid_id") not in (gw.world.grid_a.pk, gw.grid_a2.pk) for item in items), path
    one = township_a[1]
    assert api.get(f"/api/grid/key-persons/{one['person'].pk}").status_code == 404
    assert api.get(f"/api/grid/patrols/{one['patrol'].pk}").status_code == 404
    assert api.get("/api/grid/residents", grid_id=gw.world.grid_a.pk).status_code == 404
    response = api.post_form(f"/api/grid/key-persons/{one['person'].pk}/visits", {"situation": "normal", "findings": "越权"})
    assert response.status_code == 404 and response.json()["code"] == "grid.key_person_not_found"


def test_a_grid_worker_sees_their_own_grid_and_not_the_next_one(client, gw, township_a):
    client.force_login(gw.world.grid_worker_a)
    for name in ("grid:residents", "grid:ledger", "grid:visits", "grid:patrols", "grid:overdue"):
        text = page_text(client, name)
        assert "甲居民2" not in text and "甲走访2" not in text and "甲超期2" not in text and "甲巡查2" not in text, name
    assert "甲超期1" in page_text(client, "grid:overdue")
    assert client.get(reverse("grid:resident", args=[township_a[2]["resident"].pk])).status_code == 404


def test_the_township_sees_both_grids_and_counts_them(client, gw, township_a):
    client.force_login(gw.world.dispatcher_a)
    page = page_text(client, "grid:home")
    assert 'data-testid="grid-count">2<' in page and 'data-testid="overdue-total">2<' in page
    client.force_login(gw.world.dispatcher_b)
    page = page_text(client, "grid:home")
    assert 'data-testid="grid-count">1<' in page and 'data-testid="overdue-total">0<' in page


def test_the_county_sees_every_township_side_by_side(client, gw, township_a):
    client.force_login(gw.world.county_admin)
    page = page_text(client, "grid:overdue")
    assert 'data-testid="by-township"' in page and "甲镇" in page and "乙镇" in page  # 乙镇 with nothing overdue too
