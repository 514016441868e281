import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.models import Post, SecurityPolicy
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.models import CalendarDay, CalendarYear, JournalEntry, SupervisionPolicy
from zhenjie.testing import make_other_county, make_task, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    return {
        "system": make_user("sys_admin", world.police, [R.SYSTEM_ADMIN], world.county),
        "security": make_user("sec_admin", world.police, [R.SECURITY_ADMIN], world.county),
        "audit": make_user("audit_admin", world.police, [R.AUDIT_ADMIN], world.county),
    }


def test_each_console_is_closed_to_other_roles(client, world, admins):
    pages = {"workbench:calendar": world.county_admin, "workbench:supervision": world.county_admin, "workbench:users": admins["system"], "workbench:security": admins["security"], "workbench:admins": admins["security"], "workbench:journal": admins["audit"]}
    for url_name, owner in pages.items():
        client.force_login(owner)
        assert client.get(reverse(url_name)).status_code == 200
        for other in [world.leader_a, *admins.values(), world.county_admin]:
            if other != owner:
                client.force_login(other)
                response = client.get(reverse(url_name))
                assert response.status_code == 403 and "没有访问权限" in response.content.decode()


def test_the_county_administrator_sets_the_supervision_period_on_its_own_page(client, world):
    client.force_login(world.county_admin)
    page = client.post(reverse("workbench:supervision"), {"yellow_hours": 0, "call_acknowledge_hours": 2}).content.decode()
    assert "黄牌提前量须在1至720小时之间" in page and not SupervisionPolicy.objects.exists()
    assert client.post(reverse("workbench:supervision"), {"yellow_hours": 48, "call_acknowledge_hours": 2}).status_code == 302
    policy = SupervisionPolicy.objects.get(county=world.county)
    assert (policy.yellow_hours, policy.notify_leader_on_red) == (48, False)
    assert JournalEntry.objects.filter(verb="settings.supervision", actor=world.county_admin).exists()
    assert "督办设置" in client.get(reverse("workbench:home")).content.decode()


def test_the_calls_response_time_is_shown_and_saved_on_the_supervision_page_and_journaled(client, world):
    client.force_login(world.county_admin)
    page = client.get(reverse("workbench:supervision")).content.decode()
    assert "乡呼县应响应时限(小时)" in page and 'name="call_acknowledge_hours" value="2"' in page  # the default until the county sets one
    assert client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "notify_leader_on_red": "on", "call_acknowledge_hours": 6}).status_code == 302
    assert SupervisionPolicy.objects.get(county=world.county).call_acknowledge_hours == 6
    assert 'name="call_acknowledge_hours" value="6"' in client.get(reverse("workbench:supervision")).content.decode()
    entry = JournalEntry.objects.get(verb="settings.supervision")
    assert (entry.data["before"]["call_acknowledge_hours"], entry.data["after"]["call_acknowledge_hours"]) == (2, 6)


@pytest.mark.parametrize("hours", [0, 73])
def test_a_response_time_outside_one_to_seventy_two_hours_is_refused_with_the_range(client, world, hours):
    client.force_login(world.county_admin)
    page = client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": hours}).content.decode()
    assert "乡呼县应响应时限须在1至72小时之间" in page
    assert not SupervisionPolicy.objects.exists() and not JournalEntry.objects.filter(verb="settings.supervision").exists()


def test_another_countys_administrator_sets_only_their_own_countys_response_time(client, world):
    SupervisionPolicy.objects.create(county=world.county, call_acknowledge_hours=4)
    other_county, other_admin = make_other_county()
    client.force_login(other_admin)
    assert client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": 48}).status_code == 302
    assert SupervisionPolicy.objects.get(county=world.county).call_acknowledge_hours == 4
    assert SupervisionPolicy.objects.get(county=other_county).call_acknowledge_hours == 48
    client.force_login(world.dispatcher_a)  # and no one but a county administrator reaches the page
    assert client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": 10}).status_code == 403
    assert SupervisionPolicy.objects.get(county=world.county).call_acknowledge_hours == 4


def test_a_system_administrator_sees_no_cases(world, admins):
    from zhenjie.kernel.scoping import visible_cases

    make_task(world)
    assert not visible_cases(admins["system"]).exists()


def test_the_county_administrator_enters_next_year_and_confirming_it_redates_deadlines(client, world, django_capture_on_commit_callbacks):
    from datetime import datetime

    from zhenjie.kernel.models import Case
    from zhenjie.tasks.actions import assign_task

    task = assign_task(world.leader_a, title="年底任务", description="x", assignee_unit=world.office_a, working_days=10,
                       opened_at=timezone.make_aware(datetime(2026, 12, 28, 10)))
    assert task.case.due_uncertain and timezone.localtime(task.case.due_at).date().isoformat() == "2027-01-11"
    client.force_login(world.county_admin)
    page = client.get(reverse("workbench:calendar") + "?year=2027").content.decode()
    assert 'data-testid="year-unknown"' in page and 'data-testid="next-year-warning"' in page
    for day in ("2027-01-01", "2027-01-04"):  # a fictional notice: Jan 1 and the following Monday off
        response = client.post(reverse("workbench:calendar"), {"day-date": day, "day-kind": "holiday", "day-name": "元旦"})
        assert response.status_code == 302
    refused = client.post(reverse("workbench:calendar"), {"day-date": "2027-01-05", "day-kind": "workday", "day-name": ""})
    assert "只有周末才需要登记为调休上班日" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workbench:calendar") + "?year=2027", {"year-year": 2027, "year-source": "国务院办公厅关于2027年部分节假日安排的通知"})
    assert CalendarYear.objects.filter(year=2027).exists()
    case = Case.objects.get(pk=task.case_id)
    assert not case.due_uncertain
    # Jan 1 and Jan 4 are now days off: the tenth working day moves from Jan 11 to Jan 13.
    assert timezone.localtime(case.due_at).date().isoformat() == "2027-01-13"
    assert task.case.assignments.get(state="open").due_at == case.due_at
    assert JournalEntry.objects.filter(verb="calendar.confirm_year").count() == 1


def test_confirming_a_year_with_no_days_entered_is_refused(client, world):
    client.force_login(world.county_admin)
    response = client.post(reverse("workbench:calendar") + "?year=2028", {"year-year": 2028, "year-source": "某通知"})
    assert "尚未登记2028年的任何节假日" in response.content.decode()
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_the_system_administrator_creates_a_person_and_gives_a_post(client, world, admins):
    client.force_login(admins["system"])
    response = client.post(reverse("workbench:users"), {"staff-username": "new.grid", "staff-full_name": "新网格员", "staff-password": "Grid-worker-2026"})
    assert response.status_code == 302
    from zhenjie.accounts.models import User

    person = User.objects.get(username="new.grid")
    response = client.post(reverse("workbench:users"), {
        "post-username": "new.grid", "post-unit": world.committee_a.pk, "post-title": "专职网格员", "post-roles": ["grid_worker"],
        "post-jurisdiction_code": world.grid_a.code,
    })
    assert response.status_code == 302
    assert Post.objects.get(user=person).jurisdiction == world.grid_a


def test_the_users_page_offers_no_administrator_role_and_refuses_one(client, world, admins):
    client.force_login(admins["system"])
    page = client.get(reverse("workbench:users")).content.decode()
    assert 'value="dispatcher"' in page and 'value="audit_admin"' not in page and 'value="county_admin"' in page
    response = client.post(reverse("workbench:users"), {
        "staff-username": "puppet", "staff-full_name": "傀儡", "staff-password": "Puppet-account-2026",
    })
    response = client.post(reverse("workbench:users"), {
        "post-username": "puppet", "post-unit": world.police.pk, "post-title": "审计", "post-roles": ["audit_admin"], "post-jurisdiction": world.county.pk,
    })
    assert response.status_code == 200 and not Post.objects.filter(user__username="puppet").exists()


def test_the_system_administrator_cannot_give_themself_a_post_on_the_page(client, world, admins):
    client.force_login(admins["system"])
    response = client.post(reverse("workbench:users"), {
        "post-username": "sys_admin", "post-unit": world.police.pk, "post-title": "兼编办", "post-roles": ["county_admin"], "post-jurisdiction": world.county.pk,
    })
    assert "没有这个用户名的工作人员，或不在您的管理范围内" in response.content.decode()
    assert Post.objects.filter(user=admins["system"]).count() == 1


def test_the_system_administrators_page_lists_the_business_side_only(client, world, admins):
    client.force_login(admins["system"])
    page = client.get(reverse("workbench:users")).content.decode()
    listed = {name for name in ("dispatcher_a", "leader_b", "sec_admin", "audit_admin", "sys_admin") if f'text-secondary">{name}' in page}
    assert listed == {"dispatcher_a", "leader_b"}


def test_a_township_system_administrator_sees_and_seats_only_their_township(client, world):
    township_admin = make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    client.force_login(township_admin)
    page = client.get(reverse("workbench:users")).content.decode()
    assert "dispatcher_a" in page and "dispatcher_b" not in page and "leader_b" not in page
    response = client.post(reverse("workbench:users"), {
        "post-username": "dispatcher_b", "post-unit": world.centre_a.pk, "post-title": "借调", "post-roles": ["dispatcher"], "post-jurisdiction": world.a.pk,
    })
    assert "不在您的管理范围内" in response.content.decode()
    response = client.post(reverse("workbench:users"), {"end_post": world.leader_b.posts.get().pk})
    assert Post.objects.get(user=world.leader_b).is_active


def test_the_security_administrator_seats_an_auditor_and_the_audit_page_shows_it(client, world, admins):
    from zhenjie.accounts.actions import create_staff

    create_staff(admins["system"], username="auditor2", full_name="第二审计员", password="Auditor-account-2026")
    client.force_login(admins["security"])
    page = client.get(reverse("workbench:admins")).content.decode()
    assert "auditor2" in page and "audit_admin" in page and "dispatcher_a" not in page and 'value="dispatcher"' not in page
    response = client.post(reverse("workbench:admins"), {
        "post-username": "auditor2", "post-unit": world.police.pk, "post-title": "安全审计员", "post-roles": ["audit_admin"], "post-jurisdiction": world.county.pk,
    })
    assert response.status_code == 302
    refused = client.post(reverse("workbench:admins"), {
        "post-username": "sec_admin", "post-unit": world.police.pk, "post-title": "兼审计", "post-roles": ["audit_admin"], "post-jurisdiction": world.county.pk,
    })
    assert "没有这个用户名的工作人员，或不在您的管理范围内" in refused.content.decode()
    client.force_login(admins["audit"])
    page = client.get(reverse("workbench:journal") + "?topic=accounts").content.decode()
    assert "第二审计员 任 测试县公安局·安全审计员（安全审计员）" in page and "sec_admin" in page
    assert "发起交办件" not in page


def test_the_security_administrator_refuses_an_administrator_who_holds_a_business_post(client, world, admins):
    client.force_login(admins["security"])
    response = client.post(reverse("workbench:admins"), {
        "post-username": "sys_admin", "post-unit": world.police.pk, "post-title": "兼审计", "post-roles": ["audit_admin"], "post-jurisdiction": world.county.pk,
    })
    assert "须由不同人员担任" in response.content.decode()
    assert Post.objects.filter(user=admins["system"]).count() == 1


POLICY = {
    "max_failed_logins": 3, "address_failed_logins": 30, "lockout_minutes": 30, "idle_timeout_minutes": 20, "session_max_hours": 10,
    "token_lifetime_hours": 8, "password_min_length": 14, "password_min_classes": 3, "password_max_age_days": 60,
}


def test_the_security_administrator_changes_the_policy_and_unlocks(client, world, admins):
    client.force_login(admins["security"])
    response = client.post(reverse("workbench:security"), POLICY)
    assert response.status_code == 302 and SecurityPolicy.objects.get().max_failed_logins == 3
    assert SecurityPolicy.objects.get().password_min_length == 14
    bad = client.post(reverse("workbench:security"), {**POLICY, "max_failed_logins": 1})
    assert "连续失败次数上限须在3至20之间" in bad.content.decode()
    bad = client.post(reverse("workbench:security"), {**POLICY, "password_min_length": 6})
    assert "密码最短长度须在8至64之间" in bad.content.decode()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "leader_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    page = client.get(reverse("workbench:security")).content.decode()
    assert "锁定至" in page and "10.0.0.5" in page
    client.post(reverse("workbench:security"), {"unlock": "leader_a", "address": "10.0.0.5"})
    assert not AccessAttempt.objects.filter(username="leader_a").exists()


def test_the_audit_administrator_verifies_the_journal(client, world, admins):
    make_task(world)
    client.force_login(admins["audit"])
    page = client.get(reverse("workbench:journal")).content.decode()
    assert "发起交办件" in page
    assert "哈希链校验通过" in client.post(reverse("workbench:journal"), follow=True).content.decode()


def test_every_read_of_the_journal_by_the_audit_administrator_is_journaled(client, world, admins):
    """等保 8.1.5.3: the auditor's own operations are audited — each page read, with its filters,
    and each verification, as entries on the audit chain naming the auditor."""
    make_task(world)
    client.force_login(admins["audit"])
    client.get(reverse("workbench:journal"), {"verb": "open", "actor": "leader_a", "page": "2"})
    read = JournalEntry.objects.filter(verb="audit.journal_read").get()
    assert (read.chain, read.actor, read.data) == ("audit", admins["audit"], {"verb": "open", "actor": "leader_a", "page": "2"})
    assert "verb=open" in read.summary
    client.post(reverse("workbench:journal"))
    verified = JournalEntry.objects.filter(verb="audit.journal_verify").get()
    assert (verified.chain, verified.actor, verified.summary) == ("audit", admins["audit"], "校验全过程记录：完好")
    assert JournalEntry.objects.filter(verb="audit.journal_read").count() == 2
    # The reads are on the page the next auditor opens, and the chain still verifies.
    assert "查阅全过程记录(verb=open" in client.get(reverse("workbench:journal"), {"chain": "audit"}).content.decode()
    from zhenjie.kernel import journal

    assert journal.verify() == []


def test_nobody_else_reads_the_journal_through_the_audit_action(world, admins):
    from zhenjie.kernel import auditing
    from zhenjie.kernel.errors import Forbidden

    for other in (admins["system"], admins["security"], world.county_admin):
        with pytest.raises(Forbidden):
            auditing.record_read(other, {})
    assert not JournalEntry.objects.filter(verb__startswith="audit.").exists()


@pytest.mark.parametrize("url_name, admin", [("workbench:users", "system"), ("workbench:admins", "security"), ("workbench:journal", "audit")])
def test_console_lists_run_the_same_number_of_queries_at_3_and_30_rows(client, world, admins, url_name, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admins[admin])
    for index in range(3):
        make_user(f"extra{index}", world.office_a, [R.BACK_OFFICE_HANDLER], world.a)
    client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(url_name))
    for index in range(3, 30):
        make_user(f"extra{index}", world.office_a, [R.BACK_OFFICE_HANDLER], world.a)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(url_name))
    assert len(large) == len(small)


def test_the_audit_administrators_check_compares_with_the_newest_anchor(client, world, admins, settings, tmp_path):
    from zhenjie.kernel import anchors
    from zhenjie.kernel.models import JournalHead
    from zhenjie.testing import journal_guard_lifted

    settings.JOURNAL_ANCHOR_DIR = tmp_path
    task = make_task(world)
    chain = task.case.journal.first().chain
    saved = JournalHead.objects.values("seq", "hash", "seal").get(chain=chain)
    make_task(world, title="第二件")
    anchors.write_anchor()
    with journal_guard_lifted():
        JournalEntry.objects.filter(chain=chain, seq__gt=saved["seq"]).delete()
    JournalHead.objects.filter(chain=chain).update(**saved)
    client.force_login(admins["audit"])
    page = client.post(reverse("workbench:journal"), follow=True).content.decode()
    assert "发现篡改" in page and "链被截断" in page


def test_an_administrator_resets_the_password_of_the_people_they_look_after_and_no_one_else(client, world, admins):
    """The password-reset button (issue 12): the system administrator resets a business user's
    password, shown once; the person must change it at the next login, the old password and its
    API tokens no longer work, and the reset is journaled. The administrators' own passwords are
    the security administrator's to reset, and nobody resets their own here."""
    from datetime import timedelta

    from zhenjie.accounts.models import ApiToken, User

    clerk = world.clerk_a
    ApiToken.objects.create(user=clerk, digest="x" * 64, expires_at=timezone.now() + timedelta(days=30))
    client.force_login(admins["system"])
    page = client.post(reverse("workbench:users"), {"reset_password": clerk.username}).content.decode()
    assert 'data-testid="reset-password"' in page
    clerk.refresh_from_db()
    assert clerk.must_change_password and not clerk.check_password("Zhenjie@2026")
    assert not ApiToken.objects.filter(user=clerk, revoked_at__isnull=True).exists()
    assert JournalEntry.objects.filter(verb="auth.password_reset", subject=f"user:{clerk.pk}").count() == 1

    before = User.objects.get(pk=admins["security"].pk).password
    page = client.post(reverse("workbench:users"), {"reset_password": admins["security"].username}).content.decode()
    assert 'data-testid="reset-password"' not in page and "没有这个人员，或不在您的管理范围内" in page
    assert User.objects.get(pk=admins["security"].pk).password == before
    client.force_login(admins["security"])
    assert 'data-testid="reset-password"' in client.post(reverse("workbench:admins"), {"reset_password": admins["audit"].username}).content.decode()
    page = client.post(reverse("workbench:admins"), {"reset_password": admins["security"].username}).content.decode()
    assert 'data-testid="reset-password"' not in page


def test_the_ladder_is_set_on_the_supervision_page_with_the_countys_own_office(client, world):
    from zhenjie.units.models import Unit

    client.force_login(world.county_admin)
    page = client.get(reverse("workbench:supervision")).content.decode()
    assert "县督查室" in page and "红牌报督查室(工作日)" in page and "督办单反馈时限(工作日)" in page
    base = {"yellow_hours": 24, "notify_leader_on_red": "on", "call_acknowledge_hours": 2}
    refused = client.post(reverse("workbench:supervision"), {**base, "office_after_days": 0, "notice_answer_days": 1}).content.decode()
    assert "报县督查室的红牌天数须在1至30个工作日之间" in refused and not SupervisionPolicy.objects.exists()
    other_county, other_admin = make_other_county()
    theirs = Unit.objects.get(area=other_county)
    refused = client.post(reverse("workbench:supervision"), {**base, "office": theirs.pk, "office_after_days": 2, "notice_answer_days": 1}).content.decode()
    assert "督查室须为本县在用的机构" in refused and not SupervisionPolicy.objects.exists()
    saved = client.post(reverse("workbench:supervision"), {**base, "office": world.gov_a.pk, "office_after_days": 3, "notice_answer_days": 2})
    assert saved.status_code == 302
    policy = SupervisionPolicy.objects.get(county=world.county)
    assert (policy.office, policy.office_after_days, policy.notice_answer_days) == (world.gov_a, 3, 2)
    # The other county's administrator cannot name this county's unit as their office either.
    client.force_login(other_admin)
    refused = client.post(reverse("workbench:supervision"), {**base, "office": world.gov_a.pk, "office_after_days": 2}).content.decode()
    assert "督查室须为本县在用的机构" in refused
    assert not SupervisionPolicy.objects.filter(county=other_county).exists()
    assert SupervisionPolicy.objects.get(county=world.county).office == world.gov_a
