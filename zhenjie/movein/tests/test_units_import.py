"""Units from 编办's list: departments, stationed units with their home department and host
township, township offices and centres, village committees."""

import pytest

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.models import JournalEntry
from zhenjie.movein import actions
from zhenjie.movein.kinds import kind_named
from zhenjie.testing import make_user
from zhenjie.units.models import Unit

from .builders import UNIT_HEADERS, rows_of, unit_rows, xlsx

pytestmark = pytest.mark.django_db


def plan_as(user, content):
    kind = kind_named("units")
    return actions.plan_file(actions.scope_for(user, kind), kind, content, "机构.xlsx")


def import_as(user, content, remove=False):
    run, plan = actions.preview_import(user, "units", content, "机构.xlsx")
    assert not plan.errors, plan.errors
    if run.state == "previewed":
        actions.confirm_import(user, run, remove=remove)
    return plan


def test_new_units_are_written_with_home_department_and_parent_and_a_reimport_changes_nothing(world):
    plan = import_as(world.county_admin, xlsx(UNIT_HEADERS, unit_rows()))
    assert sorted(c.key for c in plan.new) == ["乙镇党政办公室@990199102000", "乙镇市场监管所@990199102000", "测试县市场监督管理局@990199000000"]
    station = Unit.objects.get(name="乙镇市场监管所")
    assert (station.kind, station.area, station.home_department.name) == ("stationed", world.b, "测试县市场监督管理局")
    assert Unit.objects.get(name="乙镇党政办公室").parent == world.gov_b

    entries = JournalEntry.objects.count()
    again = import_as(world.county_admin, xlsx(UNIT_HEADERS, unit_rows()))
    assert again.is_empty and JournalEntry.objects.count() == entries


def test_export_then_import_plans_no_change(world):
    import_as(world.county_admin, xlsx(UNIT_HEADERS, unit_rows()))
    exported, _, _ = actions.export_file(world.county_admin, "units")
    assert rows_of(exported)[0] == UNIT_HEADERS
    assert plan_as(world.county_admin, exported).is_empty


def test_one_bad_cell_in_each_column_refuses_the_file_and_names_every_cell(world):
    rows = unit_rows()
    rows[1][1] = "简" * 33  # 简称 too long
    rows[2][2] = "乡政府"  # 类型 unknown
    rows[3][3] = "990199109000"  # 所在区划代码 unknown
    rows[4][4] = "不存在的科室"  # 上级机构 unknown
    rows[5][5] = ""  # 主管部门 missing for a stationed unit
    rows[6][6] = "1" * 33  # 联系电话 too long
    rows[7][7] = "-1"  # 排序 not a number
    rows[8][0] = ""  # 名称 empty
    plan = plan_as(world.county_admin, xlsx(UNIT_HEADERS, rows))
    assert sorted((e.row, e.column) for e in plan.errors) == [
        (3, "简称"), (4, "类型"), (5, "所在区划代码"), (6, "上级机构"), (7, "主管部门"), (8, "联系电话"), (9, "排序"), (10, "名称"),
    ]
    before = Unit.objects.count()
    run, _ = actions.preview_import(world.county_admin, "units", xlsx(UNIT_HEADERS, rows), "机构.xlsx")
    assert run.state == "refused" and Unit.objects.count() == before


def test_the_preview_lists_exactly_the_changes_field_by_field(world):
    rows = unit_rows()
    rows[4][6] = "0571-2"  # 甲镇社会治理办公室 gets a phone
    rows[5][1] = "甲镇所"  # 甲镇派出所 gets a short name
    plan = plan_as(world.county_admin, xlsx(UNIT_HEADERS, rows))
    assert {c.key: [(f.header, f.old, f.new) for f in c.fields] for c in plan.changed} == {
        "甲镇社会治理办公室@990199101000": [("联系电话", "", "0571-2")],
        "甲镇派出所@990199101000": [("简称", "", "甲镇所")],
    }


def test_a_unit_absent_from_the_file_is_stopped_only_when_asked_and_never_with_people_in_it(world):
    import_as(world.county_admin, xlsx(UNIT_HEADERS, unit_rows()))
    rows = [r for r in unit_rows() if r[0] not in ("乙镇党政办公室", "甲镇社会治理办公室")]
    plan = plan_as(world.county_admin, xlsx(UNIT_HEADERS, rows))
    assert [c.key for c in plan.removed] == ["乙镇党政办公室@990199102000"]
    assert any("甲镇社会治理办公室" in note and "仍有人员在岗" in note for note in plan.notes)
    import_as(world.county_admin, xlsx(UNIT_HEADERS, rows))
    assert Unit.objects.get(name="乙镇党政办公室").is_active
    import_as(world.county_admin, xlsx(UNIT_HEADERS, rows), remove=True)
    assert not Unit.objects.get(name="乙镇党政办公室").is_active and Unit.objects.get(name="甲镇社会治理办公室").is_active


def test_a_township_administrator_adds_units_only_in_their_own_township(world):
    admin_a = make_user("county_admin_a", world.gov_a, [R.COUNTY_ADMIN], world.a)
    content = xlsx(UNIT_HEADERS, [
        ["甲镇综治中心", "", "事业单位(中心)", "990199101000", "", "", "", "0"],
        ["乙镇综治中心", "", "事业单位(中心)", "990199102000", "", "", "", "0"],
    ])
    plan = plan_as(admin_a, content)
    assert [(e.row, e.column, e.reason) for e in plan.errors] == [(3, "所在区划代码", "该区划不在您的管辖范围内")]
