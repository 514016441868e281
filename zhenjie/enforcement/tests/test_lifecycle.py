"""A case from the lead to decision-ready through the actions: the lead and its sources,
registration only under a power the township holds that day and within the limitation period
(行政处罚法 Arts. 36, 54, 60), decline, transfer, suspension, resumption, termination."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.enforcement.actions.lifecycle import (
    Lead,
    decline_case,
    open_lead,
    register_case,
    resume_case,
    suspend_case,
    terminate_case,
)  # fmt: skip
from zhenjie.enforcement.actions.transfers import transfer_case
from zhenjie.enforcement.models import Certificate, EnforcementCase, Source
from zhenjie.enforcement.queries import queue_for
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import Assignment, Case, CaseParty, JournalEntry
from zhenjie.lists.tests.builders import county_power_list, delegate
from zhenjie.testing import citizen_id, make_event

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def lead(**values) -> Lead:
    return Lead(**{
        "source": Source.PATROL, "title": "擅自搭建彩钢棚", "place": "甲一村村口", "facts": "巡查发现未经批准搭建彩钢棚约30平方米。",
        "occurred_on": today() - timedelta(days=10), "party_kind": "person", "party_name": "李建国", "id_number": citizen_id(7),
        "phone": "13900139000",
    } | values)  # fmt: skip


def written():
    return Case.objects.count(), EnforcementCase.objects.count(), JournalEntry.objects.count()


def test_a_lead_from_an_event_hangs_under_it_names_the_party_and_waits_in_the_teams_queue(ew):
    event = make_event(ew.world)
    opened = open_lead(ew.officer_a1, lead(source=Source.EVENT, event=event.case.number))

    case = Case.objects.get(pk=opened.case_id)
    assert case.parent_id == event.case_id and case.state == State.LEAD and case.number.startswith("甲镇综执")
    link = CaseParty.objects.get(case=case)
    assert link.role == CaseParty.Role.PARTY and link.party.name == "李建国" and "*" in link.party.id_number_masked
    rows = queue_for(ew.officer_a2)[0:10]  # the colleague sees it too: it is the team's work
    assert [(r.enforcement.case_id, r.todo_label) for r in rows] == [(case.pk, "立案审查")]
    assert queue_for(ew.officer_b1).count() == 0


def test_registration_copies_the_power_and_gives_ninety_natural_days_to_decide(ew):
    enforcement = register_case(ew.officer_a1, open_lead(ew.officer_a1, lead()), "CF001")

    enforcement.refresh_from_db()
    case = Case.objects.get(pk=enforcement.case_id)
    assert case.state == State.INVESTIGATING
    assert (enforcement.power_code, enforcement.power_source) == ("CF001", "power_list")
    assert enforcement.power_name == "对违法建设行为的行政处罚1" and "城乡规划法" in enforcement.legal_basis
    # Art. 60: 90 days from registration, the start day not counted; a last day on a rest day
    # moves to the next working day (民法典 Art. 203).
    registered_on = timezone.localdate(enforcement.registered_at)
    last_day, _ = current_calendar().next_workday_on_or_after(registered_on + timedelta(days=90))
    assert timezone.localdate(case.due_at) == last_day
    work = Assignment.objects.get(case=case, state=Assignment.State.OPEN)
    assert work.todo == "investigate" and work.due_at == case.due_at
    issue, register = JournalEntry.objects.filter(case_id=case.pk).order_by("-pk")[:2]
    assert register.verb == "register" and "CF001" in register.summary
    assert issue.verb == "document.issue" and issue.summary.startswith("出具立案审批表 甲镇综执立〔")  # issued with the registration


def test_a_delegated_power_in_force_registers_with_the_delegation_and_its_departments_basis(ew):
    ew.world.team_a, ew.world.team_b = ew.team_a, ew.team_b
    county_power_list(ew.world)
    delegation = delegate(ew.world, "GA-CF-003", effective_from=today() - timedelta(days=10))

    enforcement = register_case(ew.officer_a1, open_lead(ew.officer_a1, lead()), "GA-CF-003")

    assert (enforcement.power_source, enforcement.delegation_id) == ("delegation", delegation.pk)
    assert "娱乐场所管理条例" in enforcement.legal_basis


def test_a_power_delegated_but_not_yet_in_force_is_refused_with_the_holder_to_transfer_to(ew):
    ew.world.team_a, ew.world.team_b = ew.team_a, ew.team_b
    county_power_list(ew.world)
    delegate(ew.world, "GA-CF-003", effective_from=today() + timedelta(days=10))
    enforcement = open_lead(ew.officer_a1, lead())
    before = written()

    with pytest.raises(Rejected) as refused:
        register_case(ew.officer_a1, enforcement, "GA-CF-003")

    assert refused.value.code == "enforcement.power_not_held" and refused.value.fields == {"power_code": refused.value.message}
    assert "尚不能行使" in refused.value.message and "可将案件移送测试县公安局" in refused.value.message
    assert written() == before and Case.objects.get(pk=enforcement.case_id).state == State.LEAD
    transfer_case(ew.officer_a1, enforcement, refused.value.message, ew.world.police)
    assert Case.objects.get(pk=enforcement.case_id).state == State.TRANSFERRING


def test_an_unknown_power_code_is_refused_in_chinese_and_changes_nothing(ew):
    enforcement = open_lead(ew.officer_a1, lead())
    before = written()
    with pytest.raises(Rejected) as refused:
        register_case(ew.officer_a1, enforcement, "NO-SUCH")
    assert "NO-SUCH" in refused.value.message and "请核对权责事项编码" in refused.value.message
    with pytest.raises(Rejected, match="权责事项编码不能超过64字"):
        register_case(ew.officer_a1, enforcement, "X" * 65)
    assert written() == before


def test_an_act_undiscovered_for_two_years_is_not_registered_unless_it_endangers_safety(ew):
    old = open_lead(ew.officer_a1, lead(occurred_on=today() - timedelta(days=3 * 365)))
    before = written()
    with pytest.raises(Rejected, match="超过2年，依《行政处罚法》第三十六条不再给予行政处罚") as refused:
        register_case(ew.officer_a1, old, "CF001")
    assert refused.value.fields.keys() == {"occurred_on"} and written() == before

    # Art. 36: 5 years where life, health or financial security is endangered; the officer marks it.
    registered = register_case(ew.officer_a1, old, "CF001", endangers_safety=True)
    assert registered.endangers_safety and Case.objects.get(pk=old.case_id).state == State.INVESTIGATING
    ancient = open_lead(ew.officer_a1, lead(occurred_on=today() - timedelta(days=6 * 365), endangers_safety=True))
    with pytest.raises(Rejected, match="超过5年"):
        register_case(ew.officer_a1, ancient, "CF001")


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"occurred_on": None}, "occurred_on", "请填写违法行为发生(终了)日期"),
    ({"source": Source.TRANSFER}, "source", "案件来源须为事件转来、巡查发现、投诉举报或执法检查"),
    ({"title": "违" * 201}, "title", "案由不能超过200字"),
    ({"facts": " "}, "facts", "「登记线索」须填写案情摘要"),
    ({"source": Source.EVENT, "event": None}, "event", "「登记线索」须选择事件编号"),
    ({"source": Source.EVENT, "event": "乙镇事〔2026〕第999号"}, "event", "您的辖区内没有编号为"),
    ({"event": 1}, "event", "只有来源为「事件转来」的线索才关联事件"),
    ({"id_number": "123"}, "id_number", "身份证"),
])  # fmt: skip
def test_bad_input_to_a_lead_is_refused_in_chinese_and_writes_nothing(ew, values, field, message):
    before = written()
    with pytest.raises(Rejected) as refused:
        open_lead(ew.officer_a1, lead(**values))
    assert field in refused.value.fields and message in refused.value.message
    assert written() == before


def test_a_date_in_the_future_and_another_townships_event_are_refused(ew):
    with pytest.raises(Rejected, match="违法行为发生\\(终了\\)日期不能晚于今天"):
        open_lead(ew.officer_a1, lead(occurred_on=today() + timedelta(days=1)))
    event_b = make_event(ew.world, reporter=ew.world.dispatcher_b, lng=116.21, lat=35.01)
    before = written()
    for named in (event_b.case.number, event_b.case_id):
        with pytest.raises(Rejected, match="不存在或不在您的辖区内|您的辖区内没有编号为"):
            open_lead(ew.officer_a1, lead(source=Source.EVENT, event=named))
    assert written() == before


def test_only_an_enforcement_officer_opens_a_lead(ew):
    with pytest.raises(Forbidden, match="只有乡镇\\(街道\\)综合执法队的执法人员可以登记案件线索"):
        open_lead(ew.world.dispatcher_a, lead())


def test_an_officer_whose_certificate_has_expired_cannot_register_and_is_told_which(ew):
    enforcement = open_lead(ew.officer_a1, lead())
    certificate = Certificate.objects.get(officer=ew.officer_a1)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=today() - timedelta(days=1))
    with pytest.raises(Forbidden) as refused:
        register_case(ew.officer_a1, enforcement, "CF001")
    assert f"执法证 {certificate.number}" in refused.value.message and "过期" in refused.value.message
    register_case(ew.officer_a2, enforcement, "CF001")  # a colleague with a valid one may


def test_declining_needs_a_reason_and_closes_the_lead(ew):
    enforcement = open_lead(ew.officer_a1, lead())
    with pytest.raises(Rejected, match="须填写理由"):
        decline_case(ew.officer_a1, enforcement, " ")
    decline_case(ew.officer_a1, enforcement, "经核查不存在违法事实")
    case = Case.objects.get(pk=enforcement.case_id)
    assert case.state == State.NOT_REGISTERED and case.closed_at is not None
    assert not Assignment.objects.filter(case=case, state=Assignment.State.OPEN).exists()


def test_suspension_stops_the_clock_and_resumption_gives_the_team_its_work_back(ew):
    enforcement = register_case(ew.officer_a1, open_lead(ew.officer_a1, lead()), "CF001")
    due = Case.objects.get(pk=enforcement.case_id).due_at
    with pytest.raises(Forbidden):  # the leader suspends, not the officer
        suspend_case(ew.officer_a1, enforcement, "当事人下落不明")

    suspend_case(ew.leader_a, enforcement, "当事人下落不明")
    case = Case.objects.get(pk=enforcement.case_id)
    assert case.state == State.SUSPENDED and case.is_paused and queue_for(ew.officer_a1).count() == 0

    resume_case(ew.leader_a, enforcement)
    case = Case.objects.get(pk=enforcement.case_id)
    assert case.state == State.INVESTIGATING and not case.is_paused and case.due_at >= due
    assert [r.todo_label for r in queue_for(ew.officer_a1)[0:10]] == ["调查取证"]

    terminate_case(ew.leader_a, enforcement, "当事人死亡，无遗产可供执行")
    assert Case.objects.get(pk=enforcement.case_id).state == State.TERMINATED
