"""Legal review and decision through the actions (行政处罚法 Arts. 51, 57, 58, 60): the reviewer
who investigated is refused, a major case cannot skip review, a return is counted, the fine stays
within the county's benchmark unless the collective discussion says why, a serious case needs
its meeting, a late decision needs an approved extension, on-the-spot fines are capped by the
party's type, and township B's leader acts on none of A's cases."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.enforcement.actions.decision import (
    Meeting,
    classify_case,
    Penalty,
    decide_case,
    decide_extension,
    ready_for_decision,
    record_meeting,
    request_extension,
    review_pass,
    review_return,
    submit_review,
    summary_decide,
)  # fmt: skip
from zhenjie.enforcement.models import EnforcementCase, Evidence, LegalReview, PenaltyDecision, PenaltyNotice
from zhenjie.enforcement.queries_decision import review_figures
from zhenjie.enforcement.testing import REVIEW_CHECKS, waive_reply, make_benchmark, make_enforcement_case, make_party
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, Document, Party
from zhenjie.kernel.parties import register_party
from zhenjie.testing import citizen_id, credit_code

pytestmark = pytest.mark.django_db

def fine(amount, bench=None, **values) -> Penalty:
    return Penalty(
        kinds=["fine"], fine_amount=amount, benchmark_id=bench.pk if bench else None, reasons="初次违法，配合调查", **values
    )


def test_the_reviewer_passes_a_major_case_with_a_numbered_opinion_and_the_leader_decides_it(ew):
    case = make_enforcement_case(ew, state=State.NOTIFIED, is_major=True)
    waive_reply(case)
    submit_review(ew.officer_a1, case)
    assert Assignment.objects.get(case_id=case.case_id, todo="review", state="open").role == "legal_reviewer"

    review = review_pass(ew.reviewer_a, case, REVIEW_CHECKS | {"opinion": "事实清楚，证据确凿"})

    assert Case.objects.get(pk=case.case_id).state == State.DECIDING
    assert review.document.number.startswith("甲镇综执审〔") and review.document.kind == "enforcement_review_opinion"
    bench = make_benchmark(ew)
    decision = decide_case(ew.leader_a, case, fine("3000", bench))
    case.refresh_from_db()
    assert case.fine_amount == Decimal("3000.00") and case.decided_at is not None and case.case.state == State.DECIDED
    assert decision.document.number.startswith("甲镇综执决〔") and "一般" in decision.benchmark_text
    serve = Assignment.objects.get(case_id=case.case_id, todo="serve", state="open")
    assert serve.unit_id == ew.team_a.pk and serve.due_at > timezone.now() + timedelta(days=6)


def test_an_officer_who_took_evidence_cannot_review_the_case_and_is_told_why(ew):
    case = make_enforcement_case(ew, state=State.REVIEWING, is_major=True)
    ew.officer_a2.posts.first().roles.add("legal_reviewer")
    ew.officer_a2 = User.objects.get(pk=ew.officer_a2.pk)
    evidence = Evidence.objects.create(enforcement=case, kind="photo", title="现场照片", taken_at=timezone.now(), place="甲一村",
                                       recorded_by=ew.officer_a1)  # fmt: skip
    evidence.officers.set([ew.officer_a1, ew.officer_a2])

    with pytest.raises(Forbidden, match="参与了本案取证") as refused:
        review_pass(ew.officer_a2, case, REVIEW_CHECKS | {"opinion": "同意"})
    assert "第五十八条" in refused.value.message
    assert Case.objects.get(pk=case.case_id).state == State.REVIEWING and not LegalReview.objects.exists()


def test_the_officer_who_opened_the_case_cannot_review_it(ew):
    case = make_enforcement_case(ew, state=State.REVIEWING)
    ew.officer_a1.posts.first().roles.add("legal_reviewer")
    officer = User.objects.get(pk=ew.officer_a1.pk)  # a fresh reach, with the new role
    with pytest.raises(Forbidden, match="登记了本案线索"):
        review_return(officer, case, REVIEW_CHECKS | {"opinion": "不同意", "reason": "证据不足"})


def test_a_major_case_cannot_go_to_the_decision_without_review(ew):
    case = make_enforcement_case(ew, state=State.NOTIFIED, is_major=True)
    waive_reply(case)
    with pytest.raises(Conflict, match="须经法制审核"):
        ready_for_decision(ew.officer_a1, case)
    assert Case.objects.get(pk=case.case_id).state == State.NOTIFIED


def test_a_returned_review_sends_the_case_back_with_its_reason_and_counts_for_the_return_rate(ew):
    case = make_enforcement_case(ew, state=State.REVIEWING, is_major=True)
    review = review_return(
        ew.reviewer_a, case, REVIEW_CHECKS | {"evidence_sufficient": False, "opinion": "证据不足", "reason": "缺少现场测量记录"}
    )

    assert Case.objects.get(pk=case.case_id).state == State.INVESTIGATING and review.return_reason == "缺少现场测量记录"
    assert Assignment.objects.filter(case_id=case.case_id, todo="investigate", state="open").exists()
    assert review.document is not None
    figures = review_figures(ew.leader_a)
    assert (figures.reviews, figures.returned, figures.return_rate) == (1, 1, 100.0)
    assert review_figures(ew.world.leader_b).reviews == 0


def test_a_pass_with_a_point_not_met_is_refused_and_a_return_needs_its_reason(ew):
    case = make_enforcement_case(ew, state=State.REVIEWING)
    with pytest.raises(Rejected, match="有任何一项不符合的，请退回"):
        review_pass(ew.reviewer_a, case, REVIEW_CHECKS | {"facts_clear": False, "opinion": "同意"})
    with pytest.raises(Rejected, match="理由"):
        review_return(ew.reviewer_a, case, REVIEW_CHECKS | {"opinion": "不同意", "reason": " "})
    assert not LegalReview.objects.exists() and not Document.objects.exists()


def test_a_fine_outside_the_benchmark_is_refused_without_a_collective_reason(ew):
    case = make_enforcement_case(ew, state=State.DECIDING)
    PenaltyNotice.objects.filter(enforcement=case).update(fine_amount=Decimal("10000"))  # the party was told of ¥10,000
    bench = make_benchmark(ew)
    with pytest.raises(Rejected, match="超出裁量基准「一般」的幅度") as refused:
        decide_case(ew.leader_a, case, fine("8000", bench))
    assert refused.value.field == "fine_amount" and not PenaltyDecision.objects.exists() and not Document.objects.exists()

    record_meeting(ew.leader_a, case, Meeting(held_on=timezone.localdate(), attendee_ids=[ew.leader_a.pk], minutes="讨论了本案",
                                              conclusion="从重处罚", departure_reason="多次违法且拒不整改"))  # fmt: skip
    decision = decide_case(ew.leader_a, case, fine("8000", bench))
    assert decision.fine_amount == Decimal("8000.00") and decision.meeting.departure_reason == "多次违法且拒不整改"


def test_a_serious_case_needs_the_collective_meeting_with_the_township_leaders(ew):
    case = make_enforcement_case(ew, state=State.DECIDING, is_serious=True)
    with pytest.raises(Conflict, match="集体讨论"):
        decide_case(ew.leader_a, case, fine("2000"))
    with pytest.raises(Rejected, match="缺少：") as refused:
        record_meeting(
            ew.leader_a,
            case,
            Meeting(held_on=timezone.localdate(), attendee_ids=[ew.reviewer_a.pk], minutes="纪要", conclusion="罚款"),
        )
    assert refused.value.field == "attendee_ids"
    record_meeting(ew.leader_a, case, Meeting(held_on=timezone.localdate(), attendee_ids=[ew.leader_a.pk, ew.reviewer_a.pk], minutes="纪要",
                                              conclusion="罚款2000元"))  # fmt: skip
    assert decide_case(ew.leader_a, case, fine("2000")).meeting.conclusion == "罚款2000元"


def _late(case: EnforcementCase):
    Case.objects.filter(pk=case.case_id).update(due_at=timezone.now() - timedelta(days=5))
    case.case.refresh_from_db()


def test_a_decision_after_the_90_days_is_refused_until_the_leader_approves_an_extension(ew):
    case = make_enforcement_case(ew, state=State.DECIDING)
    _late(case)
    with pytest.raises(Conflict, match="第六十条"):
        decide_case(ew.leader_a, case, fine("2000"))

    request = request_extension(ew.officer_a1, case, 20, "需补充鉴定意见")
    with pytest.raises(Forbidden):
        decide_extension(ew.officer_a1, case, True)
    decide_extension(ew.leader_a, case, True, "同意")
    case.case.refresh_from_db()
    assert case.case.extended_amount == 20 and case.case.due_at > timezone.now()
    request.refresh_from_db()
    assert request.state == "approved"
    assert decide_case(ew.leader_a, case, fine("2000")).fine_amount == Decimal("2000.00")


def test_an_extension_beyond_the_countys_limit_is_refused(ew):
    case = make_enforcement_case(ew, state=State.INVESTIGATING)
    request_extension(ew.officer_a1, case, 20, "鉴定")
    decide_extension(ew.leader_a, case, True)
    case.case.refresh_from_db()
    request_extension(ew.officer_a1, case, 15, "再次鉴定")
    with pytest.raises(Rejected, match="最多延长30日"):
        decide_extension(ew.leader_a, case, True)


@pytest.mark.parametrize(
    ("kind", "allowed", "refused"), [(Party.Kind.PERSON, "200", "200.01"), (Party.Kind.ORGANISATION, "3000", "3001")]
)
def test_the_summary_procedure_caps_the_fine_by_the_partys_type(ew, kind, allowed, refused):
    party = register_party(ew.officer_a1, ew.world.county, kind, "甲镇某商店" if kind != Party.Kind.PERSON else "李建国",
                           id_number=credit_code(3) if kind != Party.Kind.PERSON else citizen_id(3))  # fmt: skip
    first, second = make_enforcement_case(ew, party=party), make_enforcement_case(ew, party=party)
    with pytest.raises(Rejected, match="第五十一条"):
        summary_decide(ew.officer_a1, first, "CF001", Penalty(kinds=["fine"], fine_amount=refused, reasons="占道经营"))
    assert Case.objects.get(pk=first.case_id).state == State.LEAD

    decision = summary_decide(ew.officer_a1, second, "CF001", Penalty(kinds=["fine"], fine_amount=allowed, reasons="占道经营"))
    second.refresh_from_db()
    assert second.procedure == "summary" and second.power_code == "CF001" and second.case.state == State.EXECUTING
    assert decision.document.number.startswith("甲镇综执当〔")


def test_the_summary_procedure_allows_a_warning_but_no_other_penalty(ew):
    case = make_enforcement_case(ew)
    with pytest.raises(Rejected, match="处罚种类须为：警告、罚款"):
        summary_decide(ew.officer_a1, case, "CF001", Penalty(kinds=["stop_business"], reasons="无"))
    assert summary_decide(ew.officer_a1, case, "CF001", Penalty(kinds=["warning"], reasons="情节轻微")).fine_amount is None


def test_township_bs_leader_and_reviewer_act_on_none_of_as_cases(ew):
    case = make_enforcement_case(ew, state=State.DECIDING)
    with pytest.raises(NotFound):
        decide_case(ew.world.leader_b, case, fine("2000"))
    reviewing = make_enforcement_case(ew, state=State.REVIEWING)
    with pytest.raises(NotFound):
        review_pass(ew.reviewer_b, reviewing, REVIEW_CHECKS | {"opinion": "同意"})
    assert not PenaltyDecision.objects.exists() and not LegalReview.objects.exists()


def test_a_benchmark_of_another_power_or_unknown_is_refused(ew):
    case = make_enforcement_case(ew, state=State.DECIDING)
    other = make_benchmark(ew, code="CF002")
    with pytest.raises(Rejected, match="属于事项CF002"):
        decide_case(ew.leader_a, case, fine("2000", other))
    with pytest.raises(Rejected, match="不存在"):
        decide_case(ew.leader_a, case, Penalty(kinds=["fine"], fine_amount="2000", benchmark_id=999999, reasons="无"))
    make_benchmark(ew)
    with pytest.raises(Rejected, match="请选择适用的裁量基准"):
        decide_case(ew.leader_a, case, fine("2000"))
    party = make_party(ew, 2)
    assert party.kind == Party.Kind.PERSON


def test_an_officer_marks_a_case_major_and_it_then_needs_review_and_b_cannot_mark_it(ew):
    case = make_enforcement_case(ew, state=State.NOTIFIED)
    waive_reply(case)
    with pytest.raises(NotFound):
        classify_case(ew.officer_b1, case, True, False, "涉及重大公共利益")
    with pytest.raises(Rejected, match="认定理由"):
        classify_case(ew.officer_a1, case, True, False, "")
    classify_case(ew.officer_a1, case, True, False, "涉及重大公共利益")
    with pytest.raises(Conflict, match="须经法制审核"):
        ready_for_decision(ew.officer_a1, case)


def test_of_two_decisions_at_once_one_lands_and_the_other_is_a_conflict_writing_nothing(ew):
    case = make_enforcement_case(ew, state=State.DECIDING)
    stale = EnforcementCase.objects.select_related("case").get(pk=case.pk)
    decide_case(ew.leader_a, case, Penalty(kinds=["warning"], reasons="情节轻微"))
    with pytest.raises(Conflict):
        decide_case(ew.leader_a, stale, Penalty(kinds=["warning"], reasons="再次决定"))
    assert PenaltyDecision.objects.count() == 1 and Document.objects.count() == 1


def test_the_decision_is_not_heavier_than_the_notice_the_party_was_given(ew):
    # Arts. 44, 45: the party answered a notice of a ¥5,000 fine (testing.add_notice)
    case = make_enforcement_case(ew, state=State.DECIDING)
    with pytest.raises(Rejected, match=r"罚款6000(\.00)?元高于事先告知的5000\.00元") as refused:
        decide_case(ew.leader_a, case, fine("6000"))
    assert refused.value.code == "enforcement.heavier_than_notice" and refused.value.field == "fine_amount"
    with pytest.raises(Rejected, match="告知书未告知「责令停产停业」") as refused:
        decide_case(ew.leader_a, case, Penalty(kinds=["fine", "stop_business"], fine_amount="5000", reasons="拒不改正"))
    assert refused.value.field == "kinds"
    assert not PenaltyDecision.objects.exists() and not Document.objects.exists()
    assert Case.objects.get(pk=case.case_id).state == State.DECIDING
    # a lighter one stands
    assert decide_case(ew.leader_a, case, fine("4000")).fine_amount == Decimal("4000.00")
