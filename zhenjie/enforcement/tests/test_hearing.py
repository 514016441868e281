"""The notice of the intended penalty, statements and the hearing (行政处罚法 Arts. 44, 45, 58,
62–64, 85): the 5 working days across the National Day holiday, the 7 days' notice of the hearing,
who may not preside, the papers as numbered PDFs, and every refusal changing nothing."""

from datetime import date
from decimal import Decimal

import pytest

from zhenjie.enforcement.actions import hearing as actions
from zhenjie.enforcement.actions.evidence import Upload, record_evidence
from zhenjie.enforcement.actions.hearing import IntendedPenalty
from zhenjie.enforcement.models import (
    EnforcementCase,
    Evidence,
    EvidenceKind,
    Hearing,
    HearingThreshold,
    PenaltyNotice,
    Statement,
)
from zhenjie.enforcement.rules_hearing import earliest_hearing_day, reply_until
from zhenjie.enforcement.testing import at, make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.models import Case, Document, JournalEntry
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.testing import png

pytestmark = pytest.mark.django_db


def fine(amount="20000", **changes) -> IntendedPenalty:
    return IntendedPenalty(
        **(
            {"kinds": ["fine"], "fine_amount": amount, "facts": "2026年5月起在甲镇某村未经批准擅自搭建彩钢棚120平方米。"}
            | changes
        )
    )


def state_of(enforcement) -> str:
    return Case.objects.get(pk=enforcement.case_id).state


def notified(ew, case, clock, penalty=None, when=(2026, 9, 30, 10)) -> PenaltyNotice:
    clock(*when)
    return actions.notify_party(ew.officer_a1, case, penalty or fine())


# ---- the 5 working days (Art. 64(1), Art. 85) -----------------------------------------------------


def test_five_working_days_from_30_september_run_past_national_day_to_13_october():
    # 10-01…10-07 are the holiday; 10-10 (Saturday) is a make-up working day.
    assert reply_until(at(2026, 9, 30, 16)) == date(2026, 10, 13)
    assert reply_until(at(2026, 9, 21, 9)) == date(2026, 9, 29)  # 25–27 September: 中秋节 (statutory-deadlines.md §0)


def test_notice_issues_the_numbered_prior_notice_and_tells_the_party_the_last_day(ew, case, clock):
    notice = notified(ew, case, clock)

    assert state_of(case) == State.NOTIFIED
    assert notice.reply_until == date(2026, 10, 13)
    assert notice.hearing_right  # ¥20,000 from a person: at the default ¥10,000
    assert notice.legal_basis == ew.powers_a["CF001"].legal_basis
    document = notice.document
    assert document.number == "甲镇综执告〔2026〕第1号" and document.title == "行政处罚事先告知书"
    assert document.attachment.blob.content_type == "application/pdf"
    entry = JournalEntry.objects.get(case_id=case.case_id, verb="document.issue")
    assert entry.data["number"] == "甲镇综执告〔2026〕第1号"


def test_the_pdf_of_the_prior_notice_is_served_as_a_pdf(ew, case, clock, client):
    notice = notified(ew, case, clock)
    client.force_login(ew.officer_a1)

    response = client.get(f"/documents/{notice.document_id}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")


def test_a_small_fine_gives_no_hearing_right_and_a_request_is_refused_saying_so(ew, case, clock):
    notified(ew, case, clock, fine("5000"))

    with pytest.raises(Conflict) as refused:
        actions.request_hearing(ew.officer_a1, case, channel="written")
    assert "不属于《行政处罚法》第六十三条规定的听证范围" in refused.value.message
    assert state_of(case) == State.NOTIFIED and not Hearing.objects.exists()


def test_the_county_threshold_is_data_and_a_licence_revocation_always_gives_the_right(ew, case, clock):
    HearingThreshold.objects.create(county=ew.world.county, party_kind="person", amount=Decimal("30000"))
    assert not notified(ew, case, clock).hearing_right  # ¥20,000 is under the county's ¥30,000

    other = make_enforcement_case(ew, state=State.INVESTIGATING)
    notice = actions.notify_party(
        ew.officer_a1, other, IntendedPenalty(kinds=["revoke_licence"], details="吊销营业执照", facts="无证经营。")
    )
    assert notice.hearing_right and notice.penalty_text == "吊销许可证件(吊销营业执照)"


def test_a_request_on_the_fifth_working_day_is_taken(ew, case, clock):
    notified(ew, case, clock)
    clock(2026, 10, 13, 17)

    hearing = actions.request_hearing(ew.officer_a1, case, channel="written")

    assert state_of(case) == State.HEARING and hearing.request_channel == "written"


def test_a_late_request_is_refused_naming_the_last_day_and_changes_nothing(ew, case, clock):
    notified(ew, case, clock)
    clock(2026, 10, 14, 9)

    assert "request_hearing" not in permitted_actions(ew.officer_a1, Case.objects.get(pk=case.case_id))
    with pytest.raises(Conflict) as refused:
        actions.request_hearing(ew.officer_a1, case, channel="written")
    assert "要求听证的期限已于2026年10月13日届满" in refused.value.message
    assert "逾期申请不予听证" in refused.value.message
    assert state_of(case) == State.NOTIFIED and not Hearing.objects.exists()


# ---- taking the case on (ready / submit_review) ----------------------------------------------------


def test_the_case_cannot_go_on_before_the_party_days_have_passed(ew, case, clock):
    notified(ew, case, clock)
    clock(2026, 10, 13, 17)

    with pytest.raises(Conflict) as refused:
        actions.take_on(ew.officer_a1, case, "ready")
    assert (
        refused.value.message == "当事人陈述、申辩和要求听证的期限至2026年10月13日届满，届满前不能提请决定，当事人书面放弃的除外"
    )

    clock(2026, 10, 14, 9)
    actions.take_on(ew.officer_a1, case, "ready")
    assert state_of(case) == State.DECIDING


def test_a_written_waiver_lets_the_case_go_on_at_once(ew, case, clock):
    notified(ew, case, clock)
    with pytest.raises(Rejected):
        actions.record_waiver(ew.officer_a1, case, waiver="  ")

    actions.record_waiver(ew.officer_a1, case, waiver="当事人于2026年9月30日书面声明放弃陈述、申辩和听证")
    actions.take_on(ew.officer_a1, case, "submit_review")

    assert state_of(case) == State.REVIEWING
    assert not EnforcementCase.objects.get(pk=case.pk).is_major  # no hearing: Art. 58(1)(2) does not apply


def test_every_statement_must_be_answered_before_the_case_goes_on(ew, case, clock):
    notified(ew, case, clock)
    clock(2026, 10, 9, 10)
    statement = actions.record_statement(
        ew.officer_a1, case, content="彩钢棚系临时堆放农具所用，已自行拆除一半。", channel="written"
    )
    clock(2026, 10, 14, 9)

    with pytest.raises(Conflict, match="有1项陈述申辩尚未复核"):
        actions.take_on(ew.officer_a1, case, "ready")
    with pytest.raises(Rejected, match="请填写复核意见"):
        actions.answer_statement(ew.officer_a1, case, statement.pk, adopted=False, answer="")
    actions.answer_statement(ew.officer_a1, case, statement.pk, adopted=False, answer="现场检查笔录显示彩钢棚仍完整，不予采纳。")
    with pytest.raises(Conflict, match="已复核"):
        actions.answer_statement(ew.officer_a2, case, statement.pk, adopted=True, answer="采纳")

    actions.take_on(ew.officer_a1, case, "ready")
    assert Statement.objects.get().adopted is False and state_of(case) == State.DECIDING


def test_a_statement_before_the_notice_time_or_with_bad_input_is_refused(ew, case, clock):
    notified(ew, case, clock)
    with pytest.raises(Rejected, match="陈述申辩时间不能早于告知时间"):
        actions.record_statement(ew.officer_a1, case, content="不服", channel="oral", made_at=at(2026, 9, 29, 9))
    with pytest.raises(Rejected, match="请选择有效的陈述申辩方式"):
        actions.record_statement(ew.officer_a1, case, content="不服", channel="fax")
    with pytest.raises(Rejected, match="陈述申辩内容须为文本"):
        actions.record_statement(ew.officer_a1, case, content=["不服"], channel="oral")
    assert not Statement.objects.exists()


def test_after_a_statement_a_new_notice_may_not_be_heavier(ew, case, clock):
    notified(ew, case, clock)
    actions.record_statement(ew.officer_a1, case, content="罚款过重", channel="oral")
    # The review sent it back; the officers notify again.
    Case.objects.filter(pk=case.case_id).update(state=State.INVESTIGATING)

    with pytest.raises(Rejected) as refused:
        actions.notify_party(ew.officer_a1, case, fine("30000"))
    assert "不得因此给予更重的处罚(罚款由20000.00元提高到30000.00元)" in refused.value.message
    assert PenaltyNotice.objects.count() == 1
    assert actions.notify_party(ew.officer_a1, case, fine("15000")).fine_amount == Decimal("15000.00")


# ---- the hearing ------------------------------------------------------------------------------------


def asked(ew, case, clock):
    notified(ew, case, clock)
    clock(2026, 10, 12, 9)
    actions.request_hearing(ew.officer_a1, case, channel="written")
    clock(2026, 10, 13, 9)


def test_the_hearing_is_set_at_least_seven_working_days_after_its_notice(ew, case, clock):
    asked(ew, case, clock)
    assert earliest_hearing_day(date(2026, 10, 13)) == date(2026, 10, 22)

    with pytest.raises(Rejected) as refused:
        actions.schedule_hearing(ew.officer_a1, case, scheduled_at=at(2026, 10, 21, 9, 30), place="甲镇人民政府三楼会议室",
                                 presiding=ew.reviewer_a)  # fmt: skip
    assert "听证最早可定在2026年10月22日" in refused.value.message
    assert not Document.objects.filter(kind="enforcement_hearing_notice").exists()

    hearing = actions.schedule_hearing(ew.officer_a1, case, scheduled_at=at(2026, 10, 22, 9, 30), place="甲镇人民政府三楼会议室",
                                       presiding=ew.reviewer_a.pk)  # fmt: skip
    assert hearing.presiding == ew.reviewer_a
    assert hearing.scheduled_document.number == "甲镇综执听〔2026〕第1号"
    assert hearing.scheduled_document.attachment.blob.content_type == "application/pdf"


def test_an_investigator_may_not_preside_and_is_told_why(ew, case, clock):
    EnforcementCase.objects.filter(pk=case.pk).update(discovered_at=at(2026, 9, 1, 9))
    case.refresh_from_db()
    clock(2026, 9, 29, 15)
    record_evidence(ew.officer_a2, case, kind=EvidenceKind.PHOTO, title="现场照片", taken_at=at(2026, 9, 29, 14), place="甲镇某村",
                    officers=[ew.officer_a1, ew.officer_a2], file=Upload(png(), "现场.png"))  # fmt: skip
    asked(ew, case, clock)
    when = at(2026, 10, 23, 9)

    with pytest.raises(Rejected) as refused:
        actions.schedule_hearing(ew.officer_a1, case, scheduled_at=when, place="会议室", presiding=ew.officer_a2)
    assert refused.value.message.startswith("officer_a2参与了本案调查取证，不能主持听证")
    assert refused.value.fields == {"presiding": refused.value.message}
    with pytest.raises(Rejected, match="须为本乡镇\\(街道\\)在岗的执法人员"):
        actions.schedule_hearing(ew.officer_a1, case, scheduled_at=when, place="会议室", presiding=ew.officer_b1)
    assert Hearing.objects.get().presiding is None and Evidence.objects.count() == 1


def test_after_the_hearing_the_case_must_go_to_legal_review_as_a_major_decision(ew, case, clock):
    asked(ew, case, clock)
    actions.schedule_hearing(ew.officer_a1, case, scheduled_at=at(2026, 10, 22, 9, 30), place="会议室", presiding=ew.reviewer_a)
    with pytest.raises(Conflict, match="听证尚未举行或结束"):
        actions.take_on(ew.officer_a1, case, "submit_review")
    with pytest.raises(Rejected, match="举行后方可登记"):
        actions.record_hearing(ew.officer_a1, case, outcome="held", attendees="当事人李建国", summary="当事人对事实无异议")

    clock(2026, 10, 22, 11)
    actions.record_hearing(
        ew.officer_a1, case, outcome="held", attendees="当事人李建国；调查人员officer_a1", summary="当事人对事实无异议"
    )
    with pytest.raises(Conflict, match="第五十八条第一款第二项"):
        actions.take_on(ew.officer_a1, case, "ready")
    actions.take_on(ew.officer_a1, case, "submit_review")

    assert state_of(case) == State.REVIEWING and EnforcementCase.objects.get(pk=case.pk).is_major


def test_a_party_who_does_not_come_ends_the_hearing_and_the_case_may_go_to_decision(ew, case, clock):
    asked(ew, case, clock)
    actions.schedule_hearing(ew.officer_a1, case, scheduled_at=at(2026, 10, 22, 9, 30), place="会议室", presiding=ew.reviewer_a)
    clock(2026, 10, 22, 11)

    actions.record_hearing(ew.officer_a1, case, outcome="absent", summary="当事人经通知无正当理由未到场，终止听证")
    actions.take_on(ew.officer_a1, case, "ready")

    assert state_of(case) == State.DECIDING and not EnforcementCase.objects.get(pk=case.pk).is_major


# ---- two townships ------------------------------------------------------------------------------------


def test_township_b_officer_can_neither_notify_nor_record_on_a_case_of_a(ew, case, clock):
    with pytest.raises(NotFound):
        actions.notify_party(ew.officer_b1, case, fine())
    notified(ew, case, clock)
    with pytest.raises(NotFound):
        actions.record_statement(ew.officer_b1, case, content="不服", channel="oral")
    with pytest.raises(NotFound):
        actions.request_hearing(ew.officer_b1, case, channel="oral")
    assert PenaltyNotice.objects.count() == 1 and not Statement.objects.exists() and state_of(case) == State.NOTIFIED


def test_bad_penalties_are_refused_in_chinese_and_take_no_number(ew, case, clock):
    clock(2026, 9, 30, 10)
    for penalty, message in (
        (fine("abc"), "罚款金额须为金额(元，最多两位小数)"),
        (fine("-5"), "罚款金额须为大于0的金额"),
        (fine("1.234"), "最多两位小数"),
        (fine(None), "拟罚款的须填写罚款金额"),
        (fine(kinds=[]), "请选择拟作出的行政处罚种类"),
        (fine(kinds=["detention"]), "请选择有效的行政处罚种类"),
        (fine(facts=""), "请填写违法事实"),
        (fine(facts="x" * 5001), "违法事实不能超过5000字"),
    ):
        with pytest.raises(Rejected) as refused:
            actions.notify_party(ew.officer_a1, case, penalty)
        assert message in refused.value.message
    assert state_of(case) == State.INVESTIGATING and not PenaltyNotice.objects.exists() and not Document.objects.exists()
