"""People and posts from the organisation department's roster: ID numbers checked and sealed,
posts granted under the separation of duties, one row per post."""

import pytest

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.models import JournalEntry
from zhenjie.movein import actions
from zhenjie.movein.kinds import kind_named
from zhenjie.testing import make_user

from .builders import PEOPLE_HEADERS, citizen_id, people_rows, rows_of, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(world):
    return make_user("sysadmin", world.police, [R.SYSTEM_ADMIN], world.county)


def plan_as(user, content):
    kind = kind_named("people")
    return actions.plan_file(actions.scope_for(user, kind), kind, content, "人员.xlsx")


def import_as(user, content, remove=False):
    run, plan = actions.preview_import(user, "people", content, "人员.xlsx")
    assert not plan.errors, plan.errors
    if run.state == "previewed":
        actions.confirm_import(user, run, remove=remove)
    return plan


def roles_of(user):
    return sorted((p.unit.name, p.title, tuple(sorted(p.roles.values_list("code", flat=True))), p.jurisdiction.code)
                  for p in Post.objects.filter(user=user, is_active=True))


def test_new_people_are_created_with_sealed_id_numbers_and_their_posts_and_a_reimport_changes_nothing(world, sysadmin):
    plan = import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    assert sorted(c.key for c in plan.new if c.key.startswith("人员:")) == ["人员:13900000001", "人员:13900000003", "人员:li_er"]
    wang = User.objects.get(username="13900000001")
    assert (wang.full_name, wang.phone, wang.must_change_password) == ("王一", "13900000001", True)
    assert wang.id_number_masked == "990199********" + citizen_id(1)[-4:] and citizen_id(1) not in wang.id_number_cipher
    assert roles_of(wang) == [("甲镇人民政府", "副镇长", (R.TOWNSHIP_LEADER,), "990199101000"),
                              ("甲镇社会治理综合指挥中心", "调度员", (R.DISPATCHER,), "990199101000")]
    assert roles_of(User.objects.get(username="li_er")) == [("甲镇社会治理办公室", "综治专干", (R.BACK_OFFICE_HANDLER, R.MEDIATOR), "990199101000")]
    entry = JournalEntry.objects.get(verb="movein.import")
    assert citizen_id(1) not in str(entry.data) and "13900000001" not in str(entry.data)

    entries = JournalEntry.objects.count()
    again = import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    assert again.new == [] and again.changed == []  # make_world's own people are "not in the file", untouched
    assert JournalEntry.objects.count() == entries and User.objects.filter(username="13900000001").count() == 1


def test_export_then_import_plans_no_change_and_the_export_carries_no_full_id_number(world, sysadmin):
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    exported, _, _ = actions.export_file(sysadmin, "people")
    rows = rows_of(exported)
    assert rows[0] == PEOPLE_HEADERS
    assert not any(citizen_id(n) in cell for n in (1, 2, 3) for row in rows for cell in row)
    assert "sysadmin" not in {row[3] for row in rows}  # the administrators' posts are not in it
    assert plan_as(sysadmin, exported).is_empty


def test_one_bad_cell_in_each_column_refuses_the_file_and_names_every_cell(world, sysadmin):
    rows = [[f"人员{n}", f"139000001{n:02d}", citizen_id(10 + n), "", "甲镇社会治理综合指挥中心", "990199101000", "调度员", "指挥中心调度员", "990199101000"]
            for n in range(9)]
    rows[0][0] = ""  # 姓名
    rows[1][1] = "1390000000"  # 手机号: 10 digits
    rows[2][2] = citizen_id(12)[:-1] + ("0" if citizen_id(12)[-1] != "0" else "1")  # 身份证号: check character
    rows[3][3] = "赵 三"  # 用户名
    rows[4][4] = "不存在的机构"  # 机构
    rows[5][5] = "990199102000"  # 机构所在区划代码: the centre of A is not in B
    rows[6][6] = ""  # 岗位名称
    rows[7][7] = "网格长"  # 角色: unknown
    rows[8][8] = "990199109000"  # 辖区代码: unknown
    plan = plan_as(sysadmin, xlsx(PEOPLE_HEADERS, rows))
    assert sorted((e.row, e.column) for e in plan.errors) == [
        (2, "姓名"), (3, "手机号"), (4, "身份证号"), (5, "用户名"), (6, "机构"), (7, "机构"), (8, "岗位名称"), (9, "角色"), (10, "辖区代码"),
    ]
    assert next(e for e in plan.errors if e.column == "身份证号").reason == "身份证号校验位不正确，请逐位核对"
    before = (User.objects.count(), Post.objects.count())
    run, _ = actions.preview_import(sysadmin, "people", xlsx(PEOPLE_HEADERS, rows), "人员.xlsx")
    assert run.state == "refused" and (User.objects.count(), Post.objects.count()) == before


def test_the_preview_of_a_changed_roster_lists_exactly_the_changes(world, sysadmin):
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    rows = people_rows()
    rows[2][7] = "后台审批人员"  # 李二 is no longer a mediator
    rows[3][1] = "13900000033"  # 赵三 has a new mobile
    rows[3][3] = ""
    plan = plan_as(sysadmin, xlsx(PEOPLE_HEADERS, rows))
    assert {c.key: [(f.header, f.old, f.new) for f in c.fields] for c in plan.changed} == {
        "人员:13900000003": [("手机号", "139****0003", "139****0033")],
        "岗位:li_er@990199101000/甲镇社会治理办公室/综治专干": [("角色", "后台审批人员、调解员", "后台审批人员")],
    }
    assert plan.new == []
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, rows))
    li = User.objects.get(username="li_er")
    assert roles_of(li) == [("甲镇社会治理办公室", "综治专干", (R.BACK_OFFICE_HANDLER,), "990199101000")]
    assert Post.objects.filter(user=li, is_active=False).count() == 1  # the old post is history, not overwritten


def test_posts_absent_from_the_file_end_only_when_asked(world, sysadmin):
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    rows = people_rows()[:3]
    exported = rows_of(actions.export_file(sysadmin, "people")[0])[1:]
    rows += [r for r in exported if r[3] in ("leader_a", "dispatcher_a")]
    plan = plan_as(sysadmin, xlsx(PEOPLE_HEADERS, rows))
    assert "岗位:13900000003@990199102000/乙镇社会治理综合指挥中心/调度员" in [c.key for c in plan.removed]
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, rows))
    assert Post.objects.filter(user__username="13900000003", is_active=True).exists()
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, rows), remove=True)
    assert not Post.objects.filter(user__username="13900000003", is_active=True).exists()
    assert User.objects.get(username="13900000003").is_active  # leaving is the handover, not an import
    assert Post.objects.filter(user=world.dispatcher_a, is_active=True).exists()


def test_administrator_roles_and_other_townships_are_refused(world, sysadmin):
    township_admin = make_user("sysadmin_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    rows = people_rows()
    rows[0][7] = "安全管理员"
    plan = plan_as(township_admin, xlsx(PEOPLE_HEADERS, rows))
    assert sorted((e.row, e.column, e.reason) for e in plan.errors) == [
        (2, "角色", "系统管理员、安全管理员、安全审计员岗位只能由安全管理员设置，不能导入"),
        (5, "机构", "该机构不在您的管理范围内"),
        (5, "辖区代码", "该辖区超出您的管理范围"),
    ]
    # Someone seated in B is not township A's administrator's to seat, even in A.
    plan = plan_as(township_admin, xlsx(PEOPLE_HEADERS, [["dispatcher_b", "", "", "dispatcher_b", "甲镇人民政府", "990199101000", "联络", "乡镇(街道)领导", "990199101000"]]))
    assert [(e.column, e.reason) for e in plan.errors] == [("姓名", "dispatcher_b在您管理的范围之外任职(乙镇社会治理综合指挥中心)，须由其任职地的管理员办理")]


def test_only_system_administrators_import_people(world):
    from zhenjie.kernel.errors import Forbidden

    with pytest.raises(Forbidden):
        plan_as(world.county_admin, xlsx(PEOPLE_HEADERS, people_rows()))


def test_someone_who_left_is_not_reseated_by_a_roster(world, sysadmin):
    import_as(sysadmin, xlsx(PEOPLE_HEADERS, people_rows()))
    wang = User.objects.get(username="13900000001")
    User.objects.filter(pk=wang.pk).update(is_active=False)  # as 离岗交接 leaves them

    run, plan = actions.preview_import(sysadmin, "people", xlsx(PEOPLE_HEADERS, people_rows()), "人员.xlsx")

    assert run.state == "refused" and any("已离岗" in e.reason for e in plan.errors)
