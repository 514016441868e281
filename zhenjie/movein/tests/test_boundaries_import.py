"""The division tree's boundaries (区划边界) through the import framework: a county draws its
townships and villages from its GIS (GeoJSON, or a zipped Shapefile in a projected system), sees
the changes, confirms; a file naming what the tree does not hold is refused whole."""

import json

import pytest
from shapely.geometry import shape

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.locate import locate
from zhenjie.areas.models import Area
from zhenjie.areas.tests.grid_files import shapefile_zip
from zhenjie.kernel.models import JournalEntry
from zhenjie.movein import actions
from zhenjie.testing import make_user, square

pytestmark = pytest.mark.django_db


def division_geojson(areas: list[tuple[str, str, dict]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"区划代码": code, "区划名称": name}, "geometry": geometry} for code, name, geometry in areas
    ]}, ensure_ascii=False).encode()


def test_a_redrawn_village_is_previewed_field_by_field_and_written_on_confirm(world):
    content = division_geojson([("990199101201", "甲一村", square(116.0, 35.0, 0.12)), ("990199101000", "甲镇", world.a.boundary)])

    run, plan = actions.preview_import(world.county_admin, "boundaries", content, "区划边界.geojson")

    assert plan.errors == [] and plan.counts() == {"new": 0, "changed": 1, "removed": 0, "errors": 0}
    [change] = plan.changed
    assert change.key == "990199101201" and change.fields[0].header == "边界" and "最大偏移" in change.fields[0].new
    world.village_a.refresh_from_db()
    assert world.village_a.boundary == square(116.0, 35.0, 0.1)  # a preview writes nothing

    actions.confirm_import(world.county_admin, run, remove=False)

    world.village_a.refresh_from_db()
    assert shape(world.village_a.boundary).equals(shape(square(116.0, 35.0, 0.12)))
    assert JournalEntry.objects.filter(verb="area.draw", summary__contains="甲一村").count() == 1
    again, _ = actions.preview_import(world.county_admin, "boundaries", content, "区划边界.geojson")
    assert again.state == "unchanged"


def test_a_projected_shapefile_draws_a_township_where_it_lies_and_reports_are_placed_by_it(world):
    far = square(116.0, 35.2, 0.2)  # 丙镇, a township the tree has but nobody drew yet
    from zhenjie.areas.actions import create_area

    c, _ = create_area(None, code="990199103000", name="丙镇", level="township", parent=world.county, township_kind="town")
    assert locate(116.05, 35.25, world.county) == world.county
    content = shapefile_zip([("990199103", "丙镇", far)], epsg=4527, fields=("QHDM", "QHMC"))

    run, plan = actions.preview_import(world.county_admin, "boundaries", content, "乡镇.zip")
    assert plan.errors == [] and [c.fields[0].old for c in plan.changed] == ["无"]
    actions.confirm_import(world.county_admin, run, remove=False)

    c.refresh_from_db()
    assert shape(c.boundary).symmetric_difference(shape(far)).area < 1e-9  # within centimetres after the round trip through GK zone 39
    assert locate(116.05, 35.25, world.county) == c


def test_a_file_naming_what_the_tree_does_not_hold_is_refused_whole_with_every_bad_feature(world):
    content = division_geojson([
        ("990199101201", "甲一村", square(116.0, 35.0, 0.12)),  # fine on its own
        ("990199109201", "无此村", square(116.0, 35.0, 0.1)),
        ("990199101201001", "网格", square(116.0, 35.0, 0.05)),
        ("12345", "坏代码", square(116.0, 35.0, 0.05)),
        ("990199102201", "乙一村", {"type": "Point", "coordinates": [116.2, 35.0]}),
    ])

    run, plan = actions.preview_import(world.county_admin, "boundaries", content, "bad.geojson")

    assert run.state == "refused"
    assert [(e.row, e.column) for e in plan.errors] == [(2, "区划代码"), (3, "区划代码"), (4, "区划代码"), (5, "边界")]
    world.village_a.refresh_from_db()
    assert world.village_a.boundary == square(116.0, 35.0, 0.1)


def test_an_administrator_of_one_township_draws_nothing_in_the_other(world):
    admin_b = make_user("admin_b", world.gov_b, [R.COUNTY_ADMIN], world.b)
    content = division_geojson([("990199101201", "甲一村", square(116.0, 35.0, 0.12))])

    run, plan = actions.preview_import(admin_b, "boundaries", content, "x.geojson")

    assert run.state == "refused" and "管辖范围" in plan.errors[0].reason
    assert Area.objects.get(pk=world.village_a.pk).boundary == square(116.0, 35.0, 0.1)


def test_the_export_reads_back_as_no_change(world):
    content, name, _ = actions.export_file(world.county_admin, "boundaries")
    assert name.endswith(".geojson") and len(json.loads(content)["features"]) == 5  # county, two townships, two villages

    run, plan = actions.preview_import(world.county_admin, "boundaries", content, name)
    assert run.state == "unchanged" and plan.is_empty
