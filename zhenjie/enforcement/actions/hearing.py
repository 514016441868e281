"""From the notice of the intended penalty to the review (行政处罚法 Arts. 44, 45, 58, 62–64): tell
the party (事先告知, with the numbered 事先告知书), record what they say and the team's answer
(陈述申辩), their written waiver, their request for a hearing, the hearing's time, place and
presiding officer (with the numbered 听证通知书) and how it went; then take the case on to the
decision (`ready`) or the legal review (`submit_review`). Each is one transaction; the rules are
in rules_hearing.py, which the buttons read too; nothing is written when one refuses."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.paths import county_of, township_path
from zhenjie.kernel import journal, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.documents import issue_document
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.inputs import choice, moment, money, text
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import administered_county, can_see_case, paths_q
from zhenjie.kernel.workflow import workflow_for

from .. import papers_hearing, rules_hearing
from ..models import (
    EnforcementCase,
    Hearing,
    HearingOutcome,
    HearingThreshold,
    PenaltyKind,
    PenaltyNotice,
    Statement,
    StatementChannel,
)
from ..rules_hearing import day_text

FACTS_MAX = 5000
DETAILS_MAX = 1000
CONTENT_MAX = 5000
PLACE_MAX = 200  # Hearing.place
# Who may preside over a hearing: the organ's staff who did not investigate (Art. 64(4)).
HOSTS = frozenset({R.ENFORCEMENT_OFFICER, R.LEGAL_REVIEWER, R.TOWNSHIP_LEADER})
THRESHOLD_REFUSED = ("enforcement.threshold_not_allowed", "只有县级管理员可以设置听证标准")
SCHEDULE_AHEAD_DAYS = 366  # a hearing set more than a year ahead is a typing mistake


@dataclass(kw_only=True)
class IntendedPenalty:
    kinds: list = field(default_factory=list)  # PenaltyKind values (Art. 9)
    fine_amount: object = None  # 罚款 (元), with the kind FINE
    confiscation_value: object = None  # 没收违法所得或非法财物的金额、价值 (元)
    details: str = ""  # what the kinds alone do not say: the goods, the licence, the period
    facts: str = ""  # the facts found (Art. 44)
    heavier: bool = False  # Art. 63(1)(5): another heavy penalty, the hearing right offered


def _case(actor, enforcement: EnforcementCase) -> Case:
    case = Case.objects.select_related("area").get(pk=enforcement.case_id)
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    return case


def _amount(value, name: str, label: str) -> Decimal | None:
    return money(value, field=name, label=label, code="enforcement", required=False)


def _kinds(values) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise Rejected("enforcement.penalty_kinds_required", "请选择拟作出的行政处罚种类", field="penalty_kinds")
    kinds = []
    for value in values:
        kind = choice(value, field="penalty_kinds", label="行政处罚种类", choices=PenaltyKind.values, code="enforcement")
        if kind not in kinds:
            kinds.append(kind)
    return [k for k in PenaltyKind.values if k in kinds]  # the order of Art. 9


def penalty_text(kinds: list[str], fine: Decimal | None, confiscation: Decimal | None, details: str) -> str:
    parts = []
    for kind in kinds:
        label = PenaltyKind(kind).label
        if kind == PenaltyKind.FINE:
            label = f"罚款人民币{fine}元"
        elif kind in (PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY) and confiscation is not None:
            label = f"{label}(金额或价值人民币{confiscation}元)"
        parts.append(label)
    return "；".join(parts) + (f"({details})" if details else "")


def _not_heavier(enforcement: EnforcementCase, kinds: list[str], fine: Decimal | None) -> None:
    """Art. 45: 行政机关不得因当事人陈述、申辩而给予更重的处罚. Once the party has spoken on a
    notice, a new notice may not add a kind or raise the fine."""
    spoken = PenaltyNotice.objects.filter(enforcement=enforcement, statements__isnull=False).order_by("-notified_at").first()
    if spoken is None:
        return
    added = [PenaltyKind(k).label for k in kinds if k not in spoken.penalty_kinds]
    if added or (fine is not None and spoken.fine_amount is not None and fine > spoken.fine_amount):
        what = f"增加{'、'.join(added)}" if added else f"罚款由{spoken.fine_amount}元提高到{fine}元"
        raise Rejected("enforcement.penalty_heavier",
                       f"当事人已就{day_text(spoken.notified_at)}的告知陈述申辩，不得因此给予更重的处罚({what})(《行政处罚法》第四十五条)",
                       field="penalty_kinds")  # fmt: skip


@transaction.atomic
def notify_party(actor, enforcement: EnforcementCase, penalty: IntendedPenalty) -> PenaltyNotice:
    """事先告知 (Arts. 44, 62): the intended penalty, the facts, the basis (the power's, copied at
    registration) and the party's rights — to speak, and to a hearing where Art. 63 gives it.
    The numbered 事先告知书 is issued in the same transaction; its date starts the 5 working days
    of Art. 64(1). The team's investigation work stays open until the case goes on."""
    case = _case(actor, enforcement)
    if enforcement.party is None:
        raise Rejected("enforcement.party_required", "当事人尚未确定，不能事先告知；请先补充当事人", field="party")
    kinds = _kinds(penalty.kinds)
    fine = _amount(penalty.fine_amount, "fine_amount", "罚款金额")
    confiscation = _amount(penalty.confiscation_value, "confiscation_value", "没收金额或价值")
    if (PenaltyKind.FINE in kinds) != (fine is not None):
        raise Rejected("enforcement.fine_amount_required", "拟罚款的须填写罚款金额；未选罚款的不填", field="fine_amount")
    confiscating = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY} & set(kinds)
    if confiscation is not None and not confiscating:
        raise Rejected(
            "enforcement.confiscation_value_unexpected", "未选没收违法所得或非法财物的，不填没收金额", field="confiscation_value"
        )
    facts = text(penalty.facts, field="facts", label="违法事实", max_length=FACTS_MAX, required=True, code="enforcement")
    details = text(penalty.details, field="details", label="处罚内容说明", max_length=DETAILS_MAX, code="enforcement")
    if not isinstance(penalty.heavier, bool):
        raise Rejected("enforcement.heavier_invalid", "是否属于其他较重的行政处罚须为是或否", field="heavier")
    basis = enforcement.legal_basis.strip() or (f"{enforcement.power_code} {enforcement.power_name}".strip())
    if not basis:
        raise Rejected("enforcement.legal_basis_missing", "本案未载明处罚依据(立案所依权责事项)，不能事先告知", field="facts")
    _not_heavier(enforcement, kinds, fine)
    right = rules_hearing.hearing_right(kinds, fine, confiscation, enforcement.party.kind, county_of(case.area), penalty.heavier)
    now = timezone.now()
    until = rules_hearing.reply_until(now)
    workflow.perform(
        actor, case, "notify", complete="none", summary=f"事先告知：{penalty_text(kinds, fine, confiscation, '')}",
        data={"kinds": kinds, "fine": str(fine) if fine else None, "hearing_right": bool(right), "reply_until": until.isoformat()},
    )  # fmt: skip
    notice = PenaltyNotice.objects.create(
        enforcement=enforcement, penalty_kinds=kinds, fine_amount=fine, confiscation_value=confiscation,
        penalty_text=penalty_text(kinds, fine, confiscation, details), facts=facts, legal_basis=basis, hearing_right=bool(right),
        notified_at=now, reply_until=until, issued_by=actor,
    )  # fmt: skip
    notice.document = issue_document(actor, case, papers_hearing.PRIOR_NOTICE)
    notice.save(update_fields=["document"])
    return notice


def _require(actor, enforcement: EnforcementCase, name: str) -> tuple[Case, PenaltyNotice]:
    case = _case(actor, enforcement)
    workflow_for(case.kind).require(actor, case, name)
    return case, rules_hearing.latest_notice(case.pk)


@transaction.atomic
def record_statement(actor, enforcement: EnforcementCase, *, content, channel, made_at=None) -> Statement:
    """陈述申辩 (Art. 45): what the party said, when and how; answered later (answer_statement)."""
    case, notice = _require(actor, enforcement, "record_statement")
    channel = choice(channel, field="channel", label="陈述申辩方式", choices=StatementChannel.values, code="statement")
    content = text(content, field="content", label="陈述申辩内容", max_length=CONTENT_MAX, required=True, code="statement")
    made_at = moment(made_at, field="made_at", label="陈述申辩时间", code="statement.made_at", earliest=notice.notified_at,
                     early_message=f"陈述申辩时间不能早于告知时间({timezone.localtime(notice.notified_at):%Y-%m-%d %H:%M})")  # fmt: skip
    statement = Statement.objects.create(notice=notice, made_at=made_at, channel=channel, content=content, recorded_by=actor)
    journal.record(actor=actor, verb="enforcement.statement.record", case=case, summary=f"登记陈述申辩({statement.get_channel_display()})",
                   data={"statement": statement.pk, "notice": notice.pk, "made_at": made_at})  # fmt: skip
    return statement


@transaction.atomic
def answer_statement(actor, enforcement: EnforcementCase, statement_id, *, adopted, answer) -> Statement:
    """The team's review of a statement (复核, Art. 45): adopted or not, with the reasons."""
    case, notice = _require(actor, enforcement, "record_statement")
    number = statement_id.pk if isinstance(statement_id, Statement) else parse_id(statement_id)
    statement = Statement.objects.filter(pk=number, notice=notice).first() if number else None
    if statement is None:
        raise Rejected("statement.not_found", "本案当前告知下没有这项陈述申辩", field="statement")
    if not isinstance(adopted, bool):
        raise Rejected("statement.adopted_required", "请选择是否采纳", field="adopted")
    answer = text(
        answer, field="answer", label="复核意见(采纳或不采纳的理由)", max_length=CONTENT_MAX, required=True, code="statement"
    )
    now = timezone.now()
    # Compare-and-set: of two officers answering at once, one answer stands.
    if not Statement.objects.filter(pk=statement.pk, adopted__isnull=True).update(adopted=adopted, answer=answer, answered_by=actor,
                                                                                   answered_at=now):  # fmt: skip
        raise Conflict("statement.answered", "该陈述申辩已复核，请刷新后查看")
    statement.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.statement.answer", case=case, summary=f"陈述申辩复核：{'采纳' if adopted else '不采纳'}",
                   data={"statement": statement.pk, "adopted": adopted})  # fmt: skip
    return statement


@transaction.atomic
def record_waiver(actor, enforcement: EnforcementCase, *, waiver) -> PenaltyNotice:
    """The party gave up in writing the rest of their time to speak and to ask for a hearing; the
    officers may then take the case on before the 5 working days have passed."""
    case, notice = _require(actor, enforcement, "waive")
    waiver = text(
        waiver, field="waiver", label="书面放弃声明(内容摘要)", max_length=DETAILS_MAX, required=True, code="enforcement"
    )
    now = timezone.now()
    if not PenaltyNotice.objects.filter(pk=notice.pk, waived_at__isnull=True).update(waived_at=now, waiver=waiver):
        raise Conflict("enforcement.waiver.already", "当事人书面放弃已登记，请刷新后查看")
    notice.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.waiver.record", case=case, summary="当事人书面放弃陈述、申辩和听证权利",
                   data={"notice": notice.pk})  # fmt: skip
    return notice


@transaction.atomic
def request_hearing(actor, enforcement: EnforcementCase, *, channel) -> Hearing:
    """The party asks for a hearing: only where Art. 63 gives the right and within the 5 working
    days of Art. 64(1) (the workflow's rule names the last day when it refuses)."""
    case = _case(actor, enforcement)
    channel = choice(channel, field="channel", label="申请方式", choices=StatementChannel.values, code="hearing")
    workflow.perform(
        actor, case, "request_hearing", complete="none", summary=f"当事人要求听证({StatementChannel(channel).label})"
    )
    notice = rules_hearing.latest_notice(case.pk)
    return Hearing.objects.create(notice=notice, requested_at=timezone.now(), request_channel=channel, recorded_by=actor)


def hearing_hosts(case: Case):
    """Who may be named to preside: the township's officers, legal reviewers and leaders (the
    investigators are refused by name in schedule_hearing)."""
    posts = Post.objects.filter(paths_q((township_path(case.area.path),), "jurisdiction__path"), is_active=True,
                                roles__code__in=sorted(HOSTS), user=OuterRef("pk"))  # fmt: skip
    return User.objects.filter(Exists(posts), is_active=True).order_by("full_name", "pk")


def _investigator_reason(enforcement: EnforcementCase, user_id: int) -> str:
    from ..models import Evidence

    if Evidence.objects.filter(enforcement=enforcement, recorded_by_id=user_id).exists() or \
            Evidence.officers.through.objects.filter(evidence__enforcement=enforcement, user_id=user_id).exists():  # fmt: skip
        return "参与了本案调查取证"
    if PenaltyNotice.objects.filter(enforcement=enforcement, issued_by_id=user_id).exists():
        return "是本案事先告知的经办人"
    return "承办了本案调查"


def _locked_open_hearing(notice: PenaltyNotice) -> Hearing:
    """The hearing row, locked; someone who recorded its end while we waited makes it a conflict."""
    hearing = Hearing.objects.select_for_update().get(notice=notice)
    if hearing.outcome:
        raise Conflict("enforcement.hearing.concluded", f"听证已登记为「{hearing.get_outcome_display()}」，请刷新后查看")
    return hearing


@transaction.atomic
def schedule_hearing(actor, enforcement: EnforcementCase, *, scheduled_at, place, presiding) -> Hearing:
    """The hearing's time, place and presiding officer, and the numbered 听证通知书: at least 7
    working days before it (Art. 64(2)); the presiding officer not one of the case's
    investigators (Art. 64(4)). Set again, a new notice is issued."""
    case, notice = _require(actor, enforcement, "schedule_hearing")
    hearing = _locked_open_hearing(notice)
    if not isinstance(scheduled_at, datetime):
        raise Rejected("hearing.scheduled_at_invalid", "请填写听证时间(日期和时刻)", field="scheduled_at")
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    today = timezone.localdate()
    earliest = rules_hearing.earliest_hearing_day(today)
    day = timezone.localtime(scheduled_at).date()
    if day < earliest:
        raise Rejected("hearing.too_soon",
                       f"听证通知须在举行听证的七日前送达(《行政处罚法》第六十四条第一款第二项，工作日)：今日通知，听证最早可定在{day_text(earliest)}",
                       field="scheduled_at")  # fmt: skip
    if (day - today).days > SCHEDULE_AHEAD_DAYS:
        raise Rejected("hearing.too_late", "听证时间距今超过一年，请核对", field="scheduled_at")
    place = text(place, field="place", label="听证地点", max_length=PLACE_MAX, required=True, code="hearing")
    number = presiding.pk if isinstance(presiding, User) else parse_id(presiding)
    host = hearing_hosts(case).filter(pk=number).first() if number else None
    if host is None:
        raise Rejected(
            "hearing.presiding_unknown", "听证主持人须为本乡镇(街道)在岗的执法人员、法制审核人员或领导", field="presiding"
        )
    if host.pk in rules_hearing.investigators(enforcement):
        raise Rejected("hearing.presiding_investigator",
                       f"{host.display_name}{_investigator_reason(enforcement, host.pk)}，不能主持听证；听证由非本案调查人员主持(《行政处罚法》第六十四条第一款第四项)",
                       field="presiding")  # fmt: skip
    hearing.scheduled_at, hearing.place, hearing.presiding = scheduled_at, place, host
    hearing.save(update_fields=["scheduled_at", "place", "presiding"])
    journal.record(actor=actor, verb="enforcement.hearing.schedule", case=case,
                   summary=f"安排听证：{timezone.localtime(scheduled_at):%Y-%m-%d %H:%M}，{place}，主持人{host.display_name}",
                   data={"hearing": hearing.pk, "scheduled_at": scheduled_at, "presiding": host.pk})  # fmt: skip
    hearing.scheduled_document = issue_document(actor, case, papers_hearing.HEARING_NOTICE)
    hearing.save(update_fields=["scheduled_document"])
    return hearing


@transaction.atomic
def record_hearing(actor, enforcement: EnforcementCase, *, outcome, attendees="", summary="") -> Hearing:
    """How the hearing ended: held (who came, what was said: the 听证笔录's summary), or ended
    because the party did not come or left without leave, or withdrew (Art. 64(8))."""
    case, notice = _require(actor, enforcement, "record_hearing")
    hearing = _locked_open_hearing(notice)
    outcome = choice(outcome, field="outcome", label="听证结果", choices=HearingOutcome.values, code="hearing")
    attendees = text(attendees, field="attendees", label="参加人员", max_length=DETAILS_MAX, code="hearing",
                     required=outcome == HearingOutcome.HELD)  # fmt: skip
    summary = text(summary, field="summary", label="听证情况" if outcome == HearingOutcome.HELD else "情况说明", max_length=CONTENT_MAX,
                   required=True, code="hearing")  # fmt: skip
    if outcome != HearingOutcome.WITHDREW:
        if hearing.scheduled_at is None:
            raise Rejected("hearing.not_scheduled", "听证尚未安排时间地点", field="outcome")
        if timezone.now() < hearing.scheduled_at:
            raise Rejected("hearing.not_yet",
                           f"听证定于{timezone.localtime(hearing.scheduled_at):%Y-%m-%d %H:%M}举行，举行后方可登记", field="outcome")  # fmt: skip
    hearing.outcome, hearing.attendees, hearing.summary, hearing.concluded_at = outcome, attendees, summary, timezone.now()
    hearing.save(update_fields=["outcome", "attendees", "summary", "concluded_at"])
    journal.record(actor=actor, verb="enforcement.hearing.record", case=case, summary=f"听证：{hearing.get_outcome_display()}",
                   data={"hearing": hearing.pk, "outcome": outcome})  # fmt: skip
    return hearing


@transaction.atomic
def take_on(actor, enforcement: EnforcementCase, name: str) -> EnforcementCase:
    """`ready` (提请决定) or `submit_review` (提交法制审核), once the party's time has passed or they
    waived it in writing, every statement answered and any hearing ended (the workflow's rules).
    A case that went through a hearing is a major decision needing review (Art. 58(1)(2))."""
    if name not in ("ready", "submit_review"):
        raise Rejected("case.unknown_action", "不支持的操作", field="action")
    case = _case(actor, enforcement)
    hearing = rules_hearing.hearing_of(rules_hearing.latest_notice(case.pk))
    heard = hearing is not None and hearing.outcome == HearingOutcome.HELD
    assign = [Assign(enforcement.team, "review", role=R.LEGAL_REVIEWER)] if name == "submit_review" else []
    workflow.perform(actor, case, name, assign=assign, data={"heard": heard})
    if heard and not enforcement.is_major:
        # Art. 58(1)(2): 直接关系当事人或者第三人重大权益，经过听证程序的 — legal review is mandatory.
        EnforcementCase.objects.filter(pk=enforcement.pk).update(is_major=True)
        enforcement.is_major = True
    return enforcement


@transaction.atomic
def set_hearing_threshold(actor, party_kind, amount) -> HearingThreshold:
    """The county's "较大数额" for individuals or organisations (Art. 63(1)(1)–(2)), kept by its
    county administrator; journaled on the rules chain with the amount before and after. Notices
    already given keep the right they were given with."""
    county = administered_county(actor, refuse=THRESHOLD_REFUSED)
    party_kind = choice(
        party_kind, field="party_kind", label="当事人类型", choices=list(rules_hearing.DEFAULT_THRESHOLDS), code="enforcement"
    )
    amount = _amount(amount, "amount", "较大数额")
    if amount is None:
        raise Rejected("enforcement.amount_required", "请填写较大数额(元)", field="amount")
    row = HearingThreshold.objects.select_for_update().filter(county=county, party_kind=party_kind).first()
    before = str(row.amount) if row else str(rules_hearing.DEFAULT_THRESHOLDS[party_kind])
    if row is None:
        row = HearingThreshold.objects.create(county=county, party_kind=party_kind, amount=amount)
    else:
        row.amount = amount
        row.save(update_fields=["amount", "updated_at"])
    journal.record(actor=actor, verb="enforcement.threshold.set", summary=f"听证较大数额标准({row.get_party_kind_display()})：{before}元 → {amount}元",
                   subject=f"hearing_threshold:{county.code[:6]}:{party_kind}", data={"before": before, "after": str(amount)})  # fmt: skip
    return row
