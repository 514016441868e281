"""Grid boundaries through the import framework: preview → confirm from the page's functions,
`manage.py import grids FILE [--apply]` and `export grids FILE`, the error report, removal."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenjie.areas.models import Area, GridBoundary
from zhenjie.areas.tests.grid_files import geojson_file, shapefile_zip
from zhenjie.kernel.models import JournalEntry
from zhenjie.movein import actions
from zhenjie.testing import square

pytestmark = pytest.mark.django_db

GRIDS = [
    ("990199101201002", "甲一村第2网格", square(116.05, 35.0, 0.05)),
    ("990199101201003", "甲一村第3网格", square(116.0, 35.05, 0.05)),
]


def test_the_county_administrator_previews_a_shapefile_and_confirms_it(world):
    content = shapefile_zip(GRIDS, epsg=4527)

    run, plan = actions.preview_import(world.county_admin, "grids", content, "网格.zip")

    assert run.state == "previewed" and plan.counts() == {"new": 2, "changed": 0, "removed": 0, "errors": 0}
    assert [c.key for c in plan.new] == ["990199101201002", "990199101201003"]
    assert [f["properties"]["role"] for f in plan.extra["map"]["features"]] == ["village", "existing", "grid", "grid"]
    assert not Area.objects.filter(code="990199101201002").exists()  # a preview writes nothing

    actions.confirm_import(world.county_admin, run, remove=False)

    assert Area.objects.filter(level="grid", parent=world.village_a).count() == 3
    assert JournalEntry.objects.filter(verb="movein.import", data__kind="grids").count() == 1
    again, _ = actions.preview_import(world.county_admin, "grids", content, "网格.zip")
    assert again.state == "unchanged"


def test_a_changed_file_previews_the_rename_and_the_redraw_field_by_field(world):
    actions.confirm_import(world.county_admin, actions.preview_import(world.county_admin, "grids", geojson_file(GRIDS), "g.geojson")[0], remove=False)
    changed = [(GRIDS[0][0], "甲一村东网格", GRIDS[0][2]), (GRIDS[1][0], GRIDS[1][1], square(116.0, 35.05, 0.04))]

    _, plan = actions.preview_import(world.county_admin, "grids", geojson_file(changed), "g.geojson")

    assert plan.new == [] and plan.removed == []
    assert [(c.key, [(f.header, f.old, f.new) for f in c.fields]) for c in plan.changed] == [
        ("990199101201002", [("网格名称", "甲一村第2网格", "甲一村东网格")]),
        ("990199101201003", [("边界", "面积 25,296,092 平方米", "面积 16,190,473 平方米，最大偏移 1,436.1 米")]),
    ]


def test_a_refused_file_names_every_bad_feature_in_the_report_and_writes_nothing(world):
    bad = [
        ("990199101201002", "", square(116.05, 35.0, 0.05)),
        ("990199101201003", "越界", square(116.08, 35.05, 0.05)),
        ("990299101201001", "邻县的", square(116.0, 35.05, 0.02)),
    ]
    before = Area.objects.count()

    run, plan = actions.preview_import(world.county_admin, "grids", geojson_file(bad), "g.geojson")

    assert run.state == "refused"
    assert [(e.row, e.column) for e in plan.errors] == [(1, "网格名称"), (2, "边界"), (3, "网格编码")]
    report = actions.error_report_of(run)
    assert report[:2] == b"PK" and Area.objects.count() == before


def test_a_township_county_administrator_cannot_import_another_townships_grids(world):
    from zhenjie.accounts.roles import RoleCode as R
    from zhenjie.testing import make_user

    township_admin = make_user("admin_b", world.gov_b, [R.COUNTY_ADMIN], world.b)

    _, plan = actions.preview_import(township_admin, "grids", geojson_file(GRIDS), "g.geojson")

    assert [e.reason for e in plan.errors] == ["所属村(社区)「甲一村」不在您的管辖范围内"] * 2


def test_the_commands_preview_apply_and_export_the_same_layout(world, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_bytes(geojson_file(GRIDS))

    call_command("import", "grids", str(path))
    assert "新增 2" in capsys.readouterr().out and not Area.objects.filter(code="990199101201002").exists()
    call_command("import", "grids", str(path), "--apply")
    assert Area.objects.get(code="990199101201002").boundary["coordinates"][0][0] == [116.05, 35.0]

    out = tmp_path / "export.geojson"
    call_command("export", "grids", str(out))
    exported = json.loads(out.read_bytes())
    assert [f["properties"]["网格编码"] for f in exported["features"]] == ["990199101201001", "990199101201002", "990199101201003", "990199102201001"]
    history = GridBoundary.objects.count()
    call_command("import", "grids", str(out), "--apply")
    assert "没有需要写入的变化" in capsys.readouterr().out and GridBoundary.objects.count() == history

    path.write_bytes(geojson_file([("990199101201009", "越界", square(116.3, 35.3, 0.05))]))
    with pytest.raises(CommandError):
        call_command("import", "grids", str(path), "--apply")
    assert "仅有 0.0% 位于所属村(社区)「甲一村」内" in capsys.readouterr().err


def test_grids_missing_from_the_file_are_removed_only_when_ticked_and_only_if_unreferenced(world):
    actions.confirm_import(world.county_admin, actions.preview_import(world.county_admin, "grids", geojson_file(GRIDS), "g.geojson")[0], remove=False)

    run, plan = actions.preview_import(world.county_admin, "grids", geojson_file(GRIDS[:1]), "g.geojson")

    # 第1网格 is the grid worker's post jurisdiction: kept and said so; 第3网格 nothing refers to.
    assert [c.key for c in plan.removed] == ["990199101201003"]
    assert any("甲一村第1网格" in note and "不会删除" in note for note in plan.notes)
    actions.confirm_import(world.county_admin, run, remove=True)
    assert not Area.objects.filter(code="990199101201003").exists()
    assert Area.objects.filter(code="990199101201001").exists()


def test_the_template_is_a_geojson_the_import_reads(world):
    content, name, _ = actions.template_file("grids")
    assert name == "网格边界导入模板.geojson"
    assert json.loads(content)["features"][0]["properties"] == {"网格编码": "330105101201001", "网格名称": "示例村第1网格", "村社区代码": "330105101201"}
