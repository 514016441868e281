"""Every grid list runs the same number of queries at 3 rows as at 30, on the pages and over the API."""

from datetime import date

import pytest
from django.urls import reverse

from zhenjie.grid import actions
from zhenjie.testing import credit_code, make_key_person, make_resident

from .conftest import count_queries, days_ago, png_bytes

pytestmark = pytest.mark.django_db


def fill(gw, start: int, count: int) -> None:
    """`count` of everything, spread over 甲镇's two grids and both workers: overdue ledger
    entries, visited ones with a photo, buildings, organisations, patrols with a finding."""
    for n in range(start, start + count):
        grid, worker = (gw.world.grid_a, gw.world.grid_worker_a) if n % 2 else (gw.grid_a2, gw.grid_worker_a2)
        late = make_resident(grid, worker, 100 + n, name=f"超期{n}", born=date(1950, 1, 1))
        make_key_person(late, worker, "subsistence", since=days_ago(120), particulars={"household_size": 2})
        visited = make_resident(grid, worker, 500 + n, name=f"已访{n}", born=date(1940, 1, 1))
        person = make_key_person(visited, worker, "elderly_alone", since=days_ago(30))
        actions.record_visit(worker, person, situation="normal", findings=f"走访{n}", photo=(png_bytes(color=(n, 0, 0)), "p.png"))
        actions.register_building(worker, grid, address=f"幸福路{n}号", kind="self_built", use="own", floors=2, owner_phone="13912345678")
        actions.register_organisation(worker, grid, name=f"超市{n}", kind="individual", credit_code=credit_code(n), address=f"幸福路{n}号")
        patrol = actions.start_patrol(worker, grid)
        actions.add_finding(worker, patrol, description=f"发现{n}", photo=(png_bytes(color=(0, n, 0)), "f.png"))
        actions.stop_patrol(worker, patrol)


PAGES = [
    ("grid:home", "dispatcher_a", ""),
    ("grid:home", "grid_worker_a", ""),
    ("grid:coverage", "leader_a", ""),
    ("grid:residents", "dispatcher_a", ""),
    ("grid:residents", "dispatcher_a", "?q=13912345678"),
    ("grid:buildings", "dispatcher_a", ""),
    ("grid:organisations", "dispatcher_a", ""),
    ("grid:ledger", "dispatcher_a", ""),
    ("grid:ledger", "grid_worker_a", "?kind=subsistence&due=overdue"),
    ("grid:visits", "dispatcher_a", ""),
    ("grid:overdue", "dispatcher_a", ""),
    ("grid:overdue", "county_admin", ""),
    ("grid:overdue", "grid_worker_a", ""),
    ("grid:patrols", "dispatcher_a", ""),
    ("grid:patrol", "grid_worker_a", ""),
]


def _measure(client, pages) -> dict:
    from zhenjie.accounts.models import User

    counts = {}
    for name, username, query in pages:
        client.force_login(User.objects.get(username=username))
        url = reverse(name) + query
        client.get(url)  # warm the session
        counts[(url, username)] = count_queries(lambda: client.get(url))
    return counts


EXPORTS = [(name, "dispatcher_a", "?format=xlsx") for name in (
    "grid:home", "grid:coverage", "grid:residents", "grid:buildings", "grid:ledger", "grid:visits", "grid:overdue", "grid:patrols")]


def test_grid_pages_and_exports_run_the_same_number_of_queries_at_3_and_30_rows(client, gw):
    fill(gw, 1, 3)
    small = _measure(client, PAGES + EXPORTS)
    fill(gw, 4, 27)
    assert _measure(client, PAGES + EXPORTS) == small


API = [
    "/api/grid/my-grids",
    "/api/grid/residents",
    "/api/grid/buildings",
    "/api/grid/organisations",
    "/api/grid/key-persons?due=all",
    "/api/grid/key-persons?due=overdue",
    "/api/grid/visits",
    "/api/grid/patrols",
]


def test_grid_api_lists_run_the_same_number_of_queries_at_3_and_30_rows(api, gw):
    fill(gw, 1, 3)
    api.as_("grid_worker_a")

    def measure():
        for path in API:
            api.get(path)
        return {path: count_queries(lambda: api.get(path)) for path in API}

    small = measure()
    fill(gw, 4, 27)
    assert measure() == small
