"""The division tree from the civil-affairs list: refused whole with every bad cell named,
previewed field by field, written once, exported in the same layout."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Forbidden
from zhenjie.kernel.models import JournalEntry
from zhenjie.movein import actions
from zhenjie.movein.kinds import kind_named
from zhenjie.testing import make_user
from zhenjie.accounts.roles import RoleCode as R

from .builders import AREA_HEADERS, county_tree, rows_of, xlsx

pytestmark = pytest.mark.django_db


def plan_as(user, content):
    kind = kind_named("areas")
    return actions.plan_file(actions.scope_for(user, kind), kind, content, "区划.xlsx")


def test_a_new_township_is_planned_and_written_once(world):
    plan = plan_as(world.county_admin, county_tree())
    assert not plan.errors
    assert sorted(c.key for c in plan.new) == ["990199001000", "990199001001", "990199001201"]
    assert plan.changed == [] and plan.removed == []

    run, _ = actions.preview_import(world.county_admin, "areas", county_tree(), "区划.xlsx")
    actions.confirm_import(world.county_admin, run, remove=False)
    subdistrict = Area.objects.get(code="990199001000")
    assert (subdistrict.level, subdistrict.township_kind, subdistrict.parent) == ("township", "subdistrict", world.county)
    assert Area.objects.get(code="990199001001").village_kind == "community"
    assert JournalEntry.objects.filter(verb="movein.import").count() == 1

    entries = JournalEntry.objects.count()
    again = plan_as(world.county_admin, county_tree())
    assert again.is_empty
    run, _ = actions.preview_import(world.county_admin, "areas", county_tree(), "区划.xlsx")
    assert run.state == "unchanged" and JournalEntry.objects.count() == entries


def test_a_file_with_one_bad_cell_per_column_is_refused_whole_naming_every_cell(world):
    content = xlsx(AREA_HEADERS, [
        ["990199000000", "测试县", "县", "", "", ""],
        ["99019900100", "城关街道", "街道", "990199000000", "", ""],  # code: 11 digits
        ["990199003000", "", "镇", "990199000000", "", ""],  # name empty
        ["990199004000", "四镇", "村", "990199000000", "", ""],  # kind does not fit the code
        ["990199005000", "五镇", "镇", "990199100000", "", ""],  # parent is not the code's parent
        ["990199006000", "六乡", "乡", "990199000000", "是", ""],  # a 乡 cannot be a developed town
        ["990199007000", "七镇", "镇", "990199000000", "", "第一"],  # order is not a number
        ["990199008000", "八镇", "镇", "990199000000", "", ""],  # fine
        ["990199008000", "八镇", "镇", "990199000000", "", ""],  # duplicate code
    ])
    plan = plan_as(world.county_admin, content)
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "区划代码"), (4, "名称"), (5, "类型"), (6, "上级区划代码"), (7, "经济发达镇"), (8, "排序"), (10, "区划代码"),
    ]
    assert "12位数字" in plan.errors[0].reason and "重复" in plan.errors[-1].reason
    assert plan.new == [] and plan.changed == []

    before = (Area.objects.count(), JournalEntry.objects.count())
    run, _ = actions.preview_import(world.county_admin, "areas", content, "区划.xlsx")
    assert run.state == "refused" and len(run.errors) == 7
    assert [row[:2] for row in rows_of(actions.error_report_of(run))][1:3] == [["3", "区划代码"], ["4", "名称"]]
    assert (Area.objects.count(), JournalEntry.objects.count()) == before


def test_the_preview_of_a_changed_file_lists_exactly_the_changes(world):
    plan = plan_as(world.county_admin, county_tree(rename_b="乙乡", extra=[["990199102202", "乙二村", "村", "990199102000", "", "1"]]))
    changed = {c.key: [(f.header, f.old, f.new) for f in c.fields] for c in plan.changed}
    assert changed == {"990199102000": [("名称", "乙镇", "乙乡")]}
    assert sorted(c.key for c in plan.new) == ["990199001000", "990199001001", "990199001201", "990199102202"]


def test_export_then_import_plans_no_change(world):
    exported, _, _ = actions.export_file(world.county_admin, "areas")
    assert rows_of(exported)[0] == AREA_HEADERS
    assert plan_as(world.county_admin, exported).is_empty


def test_areas_absent_from_the_file_are_removed_only_when_asked_and_only_if_nothing_refers_to_them(world):
    run, _ = actions.preview_import(world.county_admin, "areas", county_tree(), "区划.xlsx")
    actions.confirm_import(world.county_admin, run, remove=False)
    smaller = xlsx(AREA_HEADERS, [row for row in rows_of(county_tree())[1:] if row[0] not in ("990199001201", "990199102201")])
    plan = plan_as(world.county_admin, smaller)
    assert [c.key for c in plan.removed] == ["990199001201"]  # 乙一村 has a grid and staff: kept, with a note
    assert any("乙一村" in note and "不会删除" in note for note in plan.notes)
    run, _ = actions.preview_import(world.county_admin, "areas", smaller, "区划.xlsx")
    actions.confirm_import(world.county_admin, run, remove=True)
    assert not Area.objects.filter(code="990199001201").exists() and Area.objects.filter(code="990199102201").exists()


def test_a_township_administrator_imports_nothing_into_another_township(world):
    admin_a = make_user("county_admin_a", world.gov_a, [R.COUNTY_ADMIN], world.a)
    content = xlsx(AREA_HEADERS, [
        ["990199101202", "甲二村", "村", "990199101000", "", ""],
        ["990199102202", "乙二村", "村", "990199102000", "", ""],
    ])
    plan = plan_as(admin_a, content)
    assert [(e.row, e.reason) for e in plan.errors] == [(3, "该区划不在您的管辖范围内")]
    assert not Area.objects.filter(code__in=["990199101202", "990199102202"]).exists()


def test_people_without_the_county_administrators_role_may_not_import_areas(world):
    with pytest.raises(Forbidden):
        plan_as(world.dispatcher_a, county_tree())


def test_the_command_previews_writes_only_with_apply_and_exits_1_on_a_bad_file(world, tmp_path, capsys):
    good = tmp_path / "区划.xlsx"
    good.write_bytes(county_tree())
    call_command("import", "areas", str(good))
    assert "新增 3" in capsys.readouterr().out and not Area.objects.filter(code="990199001000").exists()
    call_command("import", "areas", str(good), "--apply")
    assert Area.objects.filter(code="990199001000").exists()

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(xlsx(AREA_HEADERS, [["990199009000", "九镇", "镇", "", "", ""]]))
    report = tmp_path / "错误.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command("import", "areas", str(bad), "--apply", "--report", str(report))
    assert refused.value.returncode == 1
    assert "上级区划代码" in capsys.readouterr().err
    assert rows_of(report.read_bytes())[1][:2] == ["2", "上级区划代码"]

    out = tmp_path / "导出.xlsx"
    call_command("export", "areas", str(out))
    assert [r[0] for r in rows_of(out.read_bytes())[1:]] == sorted(a.code for a in Area.objects.exclude(level="grid"))


def test_a_formula_is_refused_not_evaluated_and_an_unknown_column_is_named(world):
    content = xlsx(AREA_HEADERS + ["备注"], [["990199001000", "=HYPERLINK(\"http://x\",\"城关街道\")", "街道", "990199000000", "", "", ""]])
    plan = plan_as(world.county_admin, content)
    assert [(e.row, e.column) for e in plan.errors] == [(1, "备注")]
    plan = plan_as(world.county_admin, xlsx(AREA_HEADERS, [["990199001000", "=1+1", "街道", "990199000000", "", ""]]))
    assert [(e.row, e.column, e.reason) for e in plan.errors] == [(2, "名称", "不接受公式，请复制后“粘贴为数值”")]
