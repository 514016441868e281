"""The rules between the investigation and the review (行政处罚法 Arts. 44, 45, 58, 62–64, 85), said
once for the actions, the buttons and the API: who has the right to a hearing, the 5 working days
to ask for it, the 7 days' notice of the hearing, who may not preside, and when the officers may
take the case on (ready / submit_review)."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.models import Assignment

from .certificates import certified
from .models import Evidence, Hearing, HearingOutcome, HearingThreshold, PenaltyKind, PenaltyNotice
from .workflow import OFFICERS, State

# Art. 64(1): 当事人要求听证的，应当在行政机关告知后五日内提出; Art. 85: 五日 are working days.
REPLY_WORKING_DAYS = 5
# Art. 64(2): 行政机关应当在举行听证的七日前，通知当事人; Art. 85: working days.
HEARING_NOTICE_WORKING_DAYS = 7
# Art. 63(1)(1)–(2): "较大数额" is set by the province or county; these defaults (a common
# provincial choice) hold until the county enters its own (HearingThreshold rows).
DEFAULT_THRESHOLDS = {"person": Decimal("10000"), "organisation": Decimal("100000")}
# Art. 63(1)(3)–(4): these kinds give the right to a hearing whatever the amount.
HEARING_KINDS = frozenset({
    PenaltyKind.LOWER_QUALIFICATION, PenaltyKind.REVOKE_LICENCE, PenaltyKind.STOP_BUSINESS, PenaltyKind.CLOSE,
    PenaltyKind.BAN_PRACTICE,
})  # fmt: skip
AMOUNT_KINDS = {PenaltyKind.FINE: "fine_amount", PenaltyKind.CONFISCATE_GAINS: "confiscation_value",
                PenaltyKind.CONFISCATE_PROPERTY: "confiscation_value"}  # fmt: skip
# Statements are taken once the party has been told (Art. 44) and until the case goes on.
STATEMENT_STATES = frozenset({State.NOTIFIED, State.HEARING})


def day_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def threshold_for(county, party_kind: str) -> Decimal:
    """The county's "较大数额" for the kind of party, or the default."""
    row = HearingThreshold.objects.filter(county=county, party_kind=party_kind).values_list("amount", flat=True).first()
    return row if row is not None else DEFAULT_THRESHOLDS[party_kind]


def hearing_right(
    kinds, fine: Decimal | None, confiscation: Decimal | None, party_kind: str, county, heavier: bool = False
) -> str:
    """Why the party may ask for a hearing (Art. 63), or "" when the intended penalty gives no
    such right. `heavier`: the officers judge it another heavy penalty (Art. 63(1)(5))."""
    named = [PenaltyKind(k).label for k in kinds if k in HEARING_KINDS]
    if named:
        return f"拟{'、'.join(named)}(《行政处罚法》第六十三条)"
    threshold = threshold_for(county, party_kind)
    if PenaltyKind.FINE in kinds and fine is not None and fine >= threshold:
        return f"拟罚款{fine}元，达到较大数额标准{threshold}元(《行政处罚法》第六十三条第一款第一项)"
    confiscating = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY} & set(kinds)
    if confiscating and confiscation is not None and confiscation >= threshold:
        return f"拟没收{confiscation}元，达到较大数额标准{threshold}元(《行政处罚法》第六十三条第一款第二项)"
    if heavier:
        return "其他较重的行政处罚(《行政处罚法》第六十三条第一款第五项)"
    return ""


def reply_until(notified_at: datetime) -> date:
    """The last day on which the party may ask for a hearing: the 5th working day after the day
    of the notice, that day not counted (民法典 Art. 201; holidays and make-up days, Art. 85)."""
    last, _ = current_calendar().add_working_days(timezone.localtime(notified_at).date(), REPLY_WORKING_DAYS)
    return last


def earliest_hearing_day(notice_day: date) -> date:
    """The first day a hearing notified on `notice_day` may be held (Art. 64(2): 七日前)."""
    last, _ = current_calendar().add_working_days(notice_day, HEARING_NOTICE_WORKING_DAYS)
    return last


def latest_notice(case_id: int) -> PenaltyNotice | None:
    """The notice that counts: the latest (a case returned by the review may be notified again)."""
    return (PenaltyNotice.objects.filter(enforcement__case_id=case_id).select_related("document")
            .order_by("-notified_at", "-pk").first())  # fmt: skip


def hearing_of(notice: PenaltyNotice | None) -> Hearing | None:
    if notice is None:
        return None
    return Hearing.objects.filter(notice=notice).select_related("presiding", "scheduled_document").first()


def investigators(enforcement) -> set[int]:
    """Who investigated the case (Art. 64(4): the hearing is presided over by someone who did not):
    the officers who recorded or were present at its evidence, the person its investigate work
    named, and the officers who told the party of the intended penalty."""
    evidence = Evidence.objects.filter(enforcement=enforcement)
    people = set(evidence.values_list("recorded_by_id", flat=True))
    people |= set(Evidence.officers.through.objects.filter(evidence__enforcement=enforcement).values_list("user_id", flat=True))
    people |= set(
        Assignment.objects.filter(case_id=enforcement.case_id, todo="investigate", user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    people |= set(PenaltyNotice.objects.filter(enforcement=enforcement).values_list("issued_by_id", flat=True))
    return people


# ---- the workflow's rules (standing → refusal or None) ------------------------------------------


def _notice(standing) -> PenaltyNotice | None:
    return standing.memo("enforcement.notice", lambda: latest_notice(standing.case.pk))


def _hearing(standing) -> Hearing | None:
    return standing.memo("enforcement.hearing", lambda: hearing_of(_notice(standing)))


def _unanswered(standing) -> int:
    notice = _notice(standing)
    if notice is None:
        return 0
    return standing.memo("enforcement.unanswered", lambda: notice.statements.filter(Q(adopted__isnull=True)).count())


def _officer(standing, what: str) -> Forbidden | None:
    if not (standing.holds(OFFICERS) or standing.assigned()):
        return Forbidden("enforcement.hearing.forbidden", f"只有本案的执法人员可以{what}")
    return certified(standing)


def may_request_hearing(standing) -> Conflict | Forbidden | None:
    """The party asks for a hearing (recorded by an officer): only where Art. 63 gives the right,
    only until the 5th working day after the notice (Art. 64(1)), not after a written waiver."""
    notice = _notice(standing)
    if notice is None:
        return Conflict("enforcement.hearing.no_notice", "本案尚未事先告知，不能登记听证申请")
    if not notice.hearing_right:
        return Conflict(
            "enforcement.hearing.no_right", "拟作出的行政处罚不属于《行政处罚法》第六十三条规定的听证范围，当事人可以陈述、申辩"
        )
    if notice.waived_at is not None:
        return Conflict("enforcement.hearing.waived", f"当事人已于{day_text(notice.waived_at)}书面放弃陈述、申辩和听证权利")
    today = timezone.localdate()
    if today > notice.reply_until:
        return Conflict("enforcement.hearing.late",
                        f"要求听证的期限已于{day_text(notice.reply_until)}届满(告知之日{day_text(notice.notified_at)}起5个工作日，"
                        f"《行政处罚法》第六十四条第一款第一项)，逾期申请不予听证")  # fmt: skip
    return None


def _may_take_on(standing, name: str) -> Conflict | Forbidden | None:
    label = {"ready": "提请决定", "submit_review": "提交法制审核"}[name]
    notice = _notice(standing)
    if notice is None:
        return Conflict(
            "enforcement.hearing.no_notice", f"本案尚未事先告知当事人拟作出的行政处罚，不能{label}(《行政处罚法》第六十二条)"
        )
    if count := _unanswered(standing):
        return Conflict("enforcement.hearing.unanswered",
                        f"当事人有{count}项陈述申辩尚未复核，须逐项答复是否采纳后才能{label}(《行政处罚法》第四十五条)")  # fmt: skip
    if standing.case.state == State.NOTIFIED:
        if notice.waived_at is None and timezone.localdate() <= notice.reply_until:
            return Conflict("enforcement.hearing.reply_open",
                            f"当事人陈述、申辩{'和要求听证' if notice.hearing_right else ''}的期限至{day_text(notice.reply_until)}届满，"
                            f"届满前不能{label}，当事人书面放弃的除外")  # fmt: skip
        return None
    hearing = _hearing(standing)
    if hearing is None or not hearing.outcome:
        return Conflict("enforcement.hearing.not_concluded", f"听证尚未举行或结束，不能{label}")
    if name == "ready" and hearing.outcome == HearingOutcome.HELD:
        # Art. 58(1)(2): a decision on a case that went through a hearing needs the legal review.
        return Conflict(
            "enforcement.hearing.review_required", "经过听证程序的案件须先提交法制审核(《行政处罚法》第五十八条第一款第二项)"
        )
    return None


def may_ready(standing):
    return _officer(standing, "提请决定") or _may_take_on(standing, "ready")


def may_submit_review(standing):
    return _officer(standing, "提交法制审核") or _may_take_on(standing, "submit_review")


def may_record_request(standing):
    return _officer(standing, "登记听证申请") or may_request_hearing(standing)


def may_record_statement(standing) -> Conflict | Forbidden | None:
    if standing.case.state not in STATEMENT_STATES:
        return Conflict("enforcement.statement.wrong_state", "事先告知后、提请决定或法制审核前方可登记陈述申辩")
    if _notice(standing) is None:
        return Conflict("enforcement.hearing.no_notice", "本案尚未事先告知，不能登记陈述申辩")
    return _officer(standing, "登记陈述申辩")


def may_waive(standing) -> Conflict | Forbidden | None:
    if standing.case.state != State.NOTIFIED:
        return Conflict("enforcement.waiver.wrong_state", "事先告知后、提请决定前方可登记当事人书面放弃")
    notice = _notice(standing)
    if notice is None:
        return Conflict("enforcement.hearing.no_notice", "本案尚未事先告知")
    if notice.waived_at is not None:
        return Conflict("enforcement.waiver.already", f"当事人已于{day_text(notice.waived_at)}书面放弃")
    return _officer(standing, "登记书面放弃")


def may_schedule_hearing(standing) -> Conflict | Forbidden | None:
    if standing.case.state != State.HEARING:
        return Conflict("enforcement.hearing.wrong_state", "当事人要求听证后方可安排听证")
    hearing = _hearing(standing)
    if hearing is None or hearing.outcome:
        return Conflict("enforcement.hearing.concluded", "听证已结束，不能再安排")
    return _officer(standing, "安排听证")


def may_record_hearing(standing) -> Conflict | Forbidden | None:
    if standing.case.state != State.HEARING:
        return Conflict("enforcement.hearing.wrong_state", "当事人要求听证后方可登记听证情况")
    hearing = _hearing(standing)
    if hearing is None or hearing.outcome:
        return Conflict("enforcement.hearing.concluded", "听证情况已登记")
    return _officer(standing, "登记听证情况")
