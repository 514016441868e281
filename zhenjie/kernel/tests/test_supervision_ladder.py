"""The escalation ladder (issue 14 item 1): every supervised assignment carded by its own
deadline — yellow to its holders, red also to their leaders, still red N working days later to
the county's supervision office — each rung told once; and the 督办单 answered by its own deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.events import actions as events
from zhenjie.kernel import supervision
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Assignment, Case, JournalEntry, NoticeAnswer, Notification, SupervisionPolicy
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.tests.test_documents import pdf_bytes, pdf_text
from zhenjie.kernel.workflow import extend_deadline
from zhenjie.testing import make_event, make_other_county, make_user
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(world):
    """The county's supervision office (督查室), one staff member, named on the settings."""
    unit = create_unit(None, name="测试县委督查室", kind=Unit.Kind.COUNTY_LEADERSHIP, area=world.county)
    staff = make_user("inspector", unit, [R.BACK_OFFICE_HANDLER], world.county)
    supervision.update_policy(world.county_admin, 24, True, 2, office=unit, office_after_days=2)
    return staff


def told(user, label: str) -> list[str]:
    """What the user was told about work labelled `label`, in order, the ladder's titles only."""
    titles = Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    return [title.split("】")[0] + "】" for title in titles if title.startswith("【") and f"】{label}：" in title]


def climb(work: Assignment) -> dict:
    """Sweep the clock past each rung of one assignment, twice at each, and return its card."""
    due = work.due_at
    policy = supervision.policy_at(work.case.area.path)
    office_at = supervision.reaches_office_at(due, policy)
    seen = {}
    for name, moment in (("yellow", due - timedelta(hours=1)), ("red", due + timedelta(minutes=1)), ("office", office_at + timedelta(minutes=1))):
        for _ in range(2):
            supervision.sweep(now=moment)
        work.refresh_from_db()
        seen[name] = (work.alert, work.alert_rung)
    for later in (1, 5, 30):  # and on, red: nobody is told again
        supervision.sweep(now=office_at + timedelta(days=later))
    return seen


LADDER = {"yellow": ("yellow", 1), "red": ("red", 2), "office": ("red", 3)}


def test_an_unregistered_event_climbs_the_ladder_and_each_rung_is_told_once(world, office):
    event = make_event(world)
    work = Assignment.objects.get(case=event.case, todo="register", state="open")

    assert climb(work) == LADDER
    assert told(world.dispatcher_a, "受理立案") == ["【黄牌督办】", "【红牌督办】"]
    assert told(world.leader_a, "受理立案") == ["【红牌督办】"]
    assert told(office, "受理立案") == ["【报督查室】"]
    assert told(world.leader_b, "受理立案") == [] and told(world.dispatcher_b, "受理立案") == []
    entries = JournalEntry.objects.filter(case=event.case, verb="supervise_work").order_by("seq")
    assert [entry.summary for entry in entries] == ["「受理立案」正常→黄牌", "「受理立案」黄牌→红牌", "「受理立案」红牌→红牌，已报县督查室"]


def test_an_unsigned_dispatch_climbs_to_the_office(world, office):
    event = events.register_event(world.dispatcher_a, make_event(world))
    events.dispatch_event(world.dispatcher_a, event, world.office_a)
    work = Assignment.objects.get(case=event.case, todo="acknowledge", state="open")

    assert climb(work) == LADDER
    assert told(world.clerk_a, "签收") == ["【黄牌督办】", "【红牌督办】"]
    assert told(world.leader_a, "签收") == ["【红牌督办】"]
    assert told(office, "签收") == ["【报督查室】"]


def test_an_overdue_verification_climbs_to_the_office(world, office):
    event = events.register_event(world.dispatcher_a, make_event(world))
    events.dispatch_event(world.dispatcher_a, event, world.office_a)
    events.start_handling(world.clerk_a, events.acknowledge_event(world.clerk_a, event))
    events.report_back(world.clerk_a, event, "已清理")
    work = Assignment.objects.get(case=event.case, todo="verify", state="open")

    assert climb(work) == LADDER
    holders = told(world.grid_worker_a, "现场核查") + told(world.dispatcher_a, "现场核查")
    assert holders == ["【黄牌督办】", "【红牌督办】"]
    assert told(world.leader_a, "现场核查") == ["【红牌督办】"]
    assert told(office, "现场核查") == ["【报督查室】"]


def test_without_an_office_red_stays_with_the_leaders(world):
    event = make_event(world)
    work = Assignment.objects.get(case=event.case, todo="register", state="open")
    assert climb(work) == {"yellow": ("yellow", 1), "red": ("red", 2), "office": ("red", 2)}


def test_work_done_leaves_the_sweep_and_an_extension_takes_the_card_off(world, office):
    event = make_event(world)
    work = Assignment.objects.get(case=event.case, todo="register", state="open")
    supervision.sweep(now=work.due_at + timedelta(minutes=1))
    events.register_event(world.dispatcher_a, event)
    supervision.sweep(now=work.due_at + timedelta(days=10))
    work.refresh_from_db()
    assert work.state == "done" and work.alert_rung == 2  # done: no further rung

    errand = make_errand(world, days=3)
    take = Assignment.objects.get(case=errand.case, todo="take")
    supervision.sweep(now=take.due_at + timedelta(hours=1))
    take.refresh_from_db()
    assert take.alert == "red"
    extend_deadline(world.leader_a, Case.objects.get(pk=errand.case_id), 10, "等待检测结果", approved_by=world.leader_a)
    supervision.sweep(now=take.due_at + timedelta(hours=2))
    take.refresh_from_db()
    assert (take.alert, take.alert_rung, take.alert_since) == ("", 0, None)


def test_the_sweep_reads_few_queries_when_nothing_changes(world, office, django_assert_max_num_queries):
    for _ in range(3):
        make_event(world)
    supervision.sweep(now=timezone.now() + timedelta(days=20))
    with django_assert_max_num_queries(8):  # counties, then per county: policy, cases, work
        supervision.sweep(now=timezone.now() + timedelta(days=20, minutes=5))


# ---- 督办单 answered -------------------------------------------------------------------------


def test_a_notice_is_a_numbered_pdf_and_the_handler_answers_it_by_its_own_deadline(world, office):
    errand = make_errand(world)
    supervision.issue_notice(world.leader_a, errand.case, "red", "请于明日下班前反馈进展")
    answer = NoticeAnswer.objects.select_related("notice", "assignment").get(notice__case=errand.case)
    notice, owed = answer.notice, answer.assignment
    assert pdf_bytes(notice).startswith(b"%PDF-") and notice.number in pdf_text(pdf_bytes(notice))
    assert (owed.todo, owed.unit, owed.state) == ("answer_notice", world.office_a, "open")
    assert owed.due_at > timezone.now()

    with pytest.raises(Forbidden):
        supervision.answer_notice(world.leader_b, errand.case, "越界反馈")
    with pytest.raises(Rejected) as error:
        supervision.answer_notice(world.clerk_a, errand.case, "长" * (supervision.ANSWER_MAX + 1))
    assert error.value.message == f"请填写反馈内容(不超过{supervision.ANSWER_MAX}字)"
    with pytest.raises(Rejected):
        supervision.answer_notice(world.clerk_a, errand.case, "   ")

    supervision.answer_notice(world.clerk_a, errand.case, "物资已清点完毕，明日上报清单")
    answer.refresh_from_db()
    assert answer.text == "物资已清点完毕，明日上报清单" and answer.answered_by == world.clerk_a and answer.answered_at
    assert Assignment.objects.get(pk=owed.pk).state == "done"
    entry = JournalEntry.objects.get(case=errand.case, verb="notice_answer")
    assert entry.summary == f"反馈督办单 {notice.number}" and entry.note == answer.text
    assert Notification.objects.filter(user=world.leader_a, title=f"督办单已反馈：{errand.case.title}").count() == 1
    with pytest.raises(Conflict) as error:
        supervision.answer_notice(world.clerk_a, errand.case, "再答一次")
    assert error.value.message == "没有待反馈的督办单"


def test_an_unanswered_notice_climbs_the_ladder(world, office):
    errand = make_errand(world, days=20)
    supervision.issue_notice(world.leader_a, errand.case, "yellow", "请反馈进展")
    owed = Assignment.objects.get(case=errand.case, todo="answer_notice")
    assert climb(owed) == LADDER
    assert told(world.clerk_a, "反馈督办单") == ["【黄牌督办】", "【红牌督办】"]
    assert told(office, "反馈督办单") == ["【报督查室】"]


def test_the_answer_time_is_the_countys_setting(world):
    supervision.update_policy(world.county_admin, 24, True, 2, notice_answer_days=5)
    errand = make_errand(world, days=20)
    supervision.issue_notice(world.leader_a, errand.case, "yellow", "请反馈进展")
    owed = Assignment.objects.get(case=errand.case, todo="answer_notice")
    assert owed.due_at - timezone.now() > timedelta(days=5)


# ---- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("office_after_days", 0, "报县督查室的红牌天数须在1至30个工作日之间"),
        ("office_after_days", 31, "报县督查室的红牌天数须在1至30个工作日之间"),
        ("office_after_days", "2", "报县督查室的红牌天数须在1至30个工作日之间"),
        ("notice_answer_days", 11, "督办单反馈时限须在1至10个工作日之间"),
        ("notice_answer_days", True, "督办单反馈时限须在1至10个工作日之间"),
    ],
)
def test_the_ladder_settings_refuse_bad_values_in_chinese_and_change_nothing(world, field, value, message):
    with pytest.raises(Rejected) as error:
        supervision.update_policy(world.county_admin, 24, True, 2, **{field: value})
    assert (error.value.message, error.value.field) == (message, field)
    assert not SupervisionPolicy.objects.filter(county=world.county).exists()


def test_the_office_is_one_of_the_countys_own_units(world):
    other_county, other_admin = make_other_county()
    theirs = Unit.objects.get(area=other_county)
    with pytest.raises(Rejected) as error:
        supervision.update_policy(world.county_admin, 24, True, 2, office=theirs)
    assert error.value.message == "督查室须为本县在用的机构"
    # Another county's administrator cannot name this county's office: their action is their county's.
    with pytest.raises(Rejected):
        supervision.update_policy(other_admin, 24, True, 2, office=world.gov_a)
    assert not SupervisionPolicy.objects.filter(county=world.county).exists()
    supervision.update_policy(world.county_admin, 24, True, 2, office=world.gov_a, office_after_days=3)
    policy = SupervisionPolicy.objects.get(county=world.county)
    assert (policy.office, policy.office_after_days) == (world.gov_a, 3)
    entry = JournalEntry.objects.filter(verb="settings.supervision").latest("seq")
    assert entry.data["after"]["office"] == "甲镇人民政府" and entry.data["after"]["office_after_days"] == 3


# ---- the office's page -----------------------------------------------------------------------


def test_the_office_lists_what_reached_it_worst_first_and_no_one_else_may(world, office):
    from zhenjie.kernel.errors import NotFound

    first, second = make_event(world), make_event(world, description="第二件")
    supervision.sweep(now=timezone.now() + timedelta(days=20))
    rows = list(supervision.escalated_for(office))
    assert {row.case_id for row in rows} >= {first.case_id, second.case_id}
    assert [row.due_at for row in rows] == sorted(row.due_at for row in rows)
    for outsider in (world.leader_a, world.dispatcher_a):
        with pytest.raises(NotFound):
            supervision.escalated_for(outsider)
