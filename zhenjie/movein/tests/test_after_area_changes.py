"""Imports after an area change (区划调整): an old file naming a retired village hangs nothing new
on it, and what an area change created is refused for removal with a message, never a 500."""


import pytest

from zhenjie.areas.actions import create_area
from zhenjie.areas.changes import ChangeRequest, register_area_change
from zhenjie.areas.models import Area, AreaChange
from zhenjie.areas.tests.grid_files import geojson_file
from zhenjie.movein import actions
from zhenjie.testing import square

from .builders import PEOPLE_HEADERS, UNIT_HEADERS, citizen_id, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(world):
    """甲二村 beside 甲一村; then 甲一村 merged into it (its grid carried over as a new grid)."""
    second, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=world.a, village_kind="village",
                            boundary=square(116.1, 35.0, 0.1))
    from django.utils import timezone

    register_area_change(world.county_admin, ChangeRequest(kind=AreaChange.Kind.MERGE, area=world.village_a, target=second,
                                                           effective_on=timezone.localdate(), document_number="测民〔2026〕9号"))
    world.village_a.refresh_from_db()
    return second


def test_a_grid_file_naming_a_retired_village_or_grid_is_refused(world, merged):
    content = geojson_file([("990199101201007", "旧村新网格", square(116.0, 35.0, 0.02)), ("990199101201001", "旧网格", square(116.0, 35.0, 0.05))])
    run, plan = actions.preview_import(world.county_admin, "grids", content, "old.geojson")
    assert run.state == "refused"
    assert all("因区划调整撤销" in e.reason for e in plan.errors) and len(plan.errors) >= 2
    assert not Area.objects.filter(code="990199101201007").exists()


def test_removing_a_grid_an_area_change_created_is_refused_in_chinese_not_a_500(world, merged, client):
    carried = Area.objects.get(parent=merged, level="grid")
    client.force_login(world.county_admin)
    other = geojson_file([("990199101202009", "甲二村第9网格", square(116.1, 35.0, 0.02))])
    run, plan = actions.preview_import(world.county_admin, "grids", other, "new.geojson")
    assert carried.code not in [c.key for c in plan.removed]  # it carries the retired grid's history
    assert any(carried.code in note and "区划调整记录" in note for note in plan.notes)


def test_units_and_posts_on_a_retired_village_are_refused(world, merged):
    run, plan = actions.preview_import(world.county_admin, "units", xlsx(UNIT_HEADERS, [["甲一村新机构", "", "村(居)民委员会", "990199101201", "", "", "", "0"]]), "u.xlsx")
    assert run.state == "refused" and "因区划调整撤销" in plan.errors[0].reason and "甲二村" in plan.errors[0].reason
    from zhenjie.testing import make_user
    from zhenjie.accounts.roles import RoleCode as R

    sysadmin = make_user("sys_county", world.police, [R.SYSTEM_ADMIN], world.county)
    row = ["王五", "13900000001", citizen_id(901), "", "甲镇人民政府", "990199101000", "干部", "乡镇领导", "990199101201"]
    run, plan = actions.preview_import(sysadmin, "people", xlsx(PEOPLE_HEADERS, [row]), "p.xlsx")
    assert run.state == "refused" and any("因区划调整撤销" in e.reason for e in plan.errors)


@pytest.mark.parametrize("kind", ["grids", "boundaries"])
def test_a_geojson_nested_past_any_reason_is_refused_in_chinese(world, kind, client):
    deep = b'{"type":"FeatureCollection","features":' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    run, plan = actions.preview_import(world.county_admin, kind, deep, "deep.geojson")
    assert run.state == "refused" and "GeoJSON" in plan.errors[0].reason
    client.force_login(world.county_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/console/movein/{kind}/", {"file": SimpleUploadedFile("deep.geojson", deep)}, follow=True)
    assert response.status_code == 200 and "GeoJSON" in response.content.decode()
