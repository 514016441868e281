"""Legal review and decision of an enforcement case (行政处罚法 Arts. 51, 57, 58, 60, 61): submit
to review, pass or return it, bring the case to the decision, record the leaders' collective
discussion, decide (the penalty within the county's discretion benchmark), decide on the spot
(summary procedure), and extend the 90 days with the leader's approval. Each is one transaction;
a refusal writes nothing and takes no document number. Who may, and when, is the workflow's
rules (rules_decision.py), so buttons and actions agree."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.paths import county_path, township_path
from zhenjie.kernel import documents, extensions, inputs, journal, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import DeadlineUnit, Extension, Party
from zhenjie.kernel.scoping import can_see_case
from zhenjie.kernel.workflow import Standing
from zhenjie.lists import queries as lists
from zhenjie.units.models import Unit

from ..models import CollectiveMeeting, DiscretionBenchmark, EnforcementCase, LegalReview, PenaltyDecision, PenaltyKind, Procedure
from ..papers_decision import PENALTY_DECISION, REVIEW_OPINION, SUMMARY_DECISION
from ..rules_hearing import latest_notice
from ..workflow import ENFORCEMENT_WORKFLOW

PREFIX = "enforcement"
TEXT_MAX = 2000
FINE_MAX = Decimal("100000000")  # no township fine comes near; past it a typo, not a penalty
ATTENDEES_MAX = 30
CHECKLIST = ("facts_clear", "evidence_sufficient", "procedure_lawful", "basis_correct", "penalty_appropriate")
# Art. 61 with Art. 85: served within 7 working days when the party was not there.
SERVE_LIMIT = Limit(7, DeadlineUnit.WORKING_DAYS)
# Art. 51: on the spot only a warning, or a fine up to ¥200 (citizen) / ¥3,000 (organisation).
SUMMARY_CAPS = {Party.Kind.PERSON: Decimal("200"), Party.Kind.ORGANISATION: Decimal("3000")}
SUMMARY_KINDS = (PenaltyKind.WARNING, PenaltyKind.FINE)


def _fresh(enforcement: EnforcementCase) -> EnforcementCase:
    return EnforcementCase.objects.select_related("case", "case__area", "team", "team__area", "party").get(pk=enforcement.pk)


def _allowed(actor, enforcement: EnforcementCase, name: str) -> Standing:
    """The step's rule and role before its input is read: another township's case is 404, a
    refusal of the person comes before a complaint about what they typed."""
    case = enforcement.case
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    transition = ENFORCEMENT_WORKFLOW.transitions[name]
    standing = Standing(actor, case)
    if transition.rule is not None and (refused := transition.rule(standing)) is not None:
        raise refused
    if not standing.allowed(transition):
        raise Forbidden("case.not_allowed", f"您没有「{transition.label}」此事项的权限")
    if case.state not in transition.sources:
        raise Conflict(
            "case.wrong_state",
            f"该案件当前为「{ENFORCEMENT_WORKFLOW.state_label(case.state)}」，不能「{transition.label}」，请刷新后查看",
        )
    return standing


def _government(enforcement: EnforcementCase) -> Unit:
    """The township government whose leaders (机关负责人) decide in the township's name."""
    path = township_path(enforcement.case.area.path)
    return Unit.objects.filter(area__path=path, kind=Unit.Kind.TOWNSHIP_GOVERNMENT).order_by("pk").first() or enforcement.team


def _decide_work(enforcement: EnforcementCase) -> Assign:
    return Assign(_government(enforcement), "decide", role=R.TOWNSHIP_LEADER)


# ---- legal review (法制审核, Art. 58) -----------------------------------------------------------


@transaction.atomic
def submit_review(actor, enforcement: EnforcementCase) -> EnforcementCase:
    """The team sends the case to the township's legal reviewers (the `review` work)."""
    workflow.perform(actor, enforcement.case, "submit_review", assign=[Assign(enforcement.team, "review", role=R.LEGAL_REVIEWER)])
    return _fresh(enforcement)


def _record_review(actor, enforcement: EnforcementCase, name: str, values: dict) -> LegalReview:
    transition = ENFORCEMENT_WORKFLOW.transitions[name]
    cleaned = transition.clean({key: values.get(key) for key in (*CHECKLIST, "opinion", "reason")})
    passed = name == "review_pass"
    if passed and not all(cleaned[key] for key in CHECKLIST):
        raise Rejected(
            "enforcement.review_checklist",
            "审核通过须确认事实清楚、证据确凿充分、程序合法、适用依据正确、处罚适当；有任何一项不符合的，请退回",
            field="facts_clear",
        )
    assign = [_decide_work(enforcement)] if passed else [Assign(enforcement.team, "investigate", role=R.ENFORCEMENT_OFFICER)]
    workflow.perform(actor, enforcement.case, name, reason=cleaned.get("reason") or "", assign=assign,
                     summary="法制审核通过" if passed else "法制审核退回补充调查", data={"passed": passed})  # fmt: skip
    review = LegalReview.objects.create(
        enforcement=enforcement, reviewer=actor, passed=passed, opinion=cleaned["opinion"], return_reason=cleaned.get("reason") or "",
        reviewed_at=timezone.now(), **{key: bool(cleaned[key]) for key in CHECKLIST},
    )  # fmt: skip
    review.document = documents.issue_document(actor, enforcement.case, REVIEW_OPINION)
    review.save(update_fields=["document"])
    return review


@transaction.atomic
def review_pass(actor, enforcement: EnforcementCase, values: dict) -> LegalReview:
    """Pass: every point of the checklist holds; the case goes to the township's leaders to decide."""
    _allowed(actor, enforcement, "review_pass")
    return _record_review(actor, enforcement, "review_pass", values)


@transaction.atomic
def review_return(actor, enforcement: EnforcementCase, values: dict) -> LegalReview:
    """Return with the reason: the team investigates again; the return is counted (return rate)."""
    _allowed(actor, enforcement, "review_return")
    return _record_review(actor, enforcement, "review_return", values)


@transaction.atomic
def ready_for_decision(actor, enforcement: EnforcementCase) -> EnforcementCase:
    """提请决定 without review — refused for a major case (rules_decision.major_needs_review)."""
    workflow.perform(actor, enforcement.case, "ready", assign=[_decide_work(enforcement)])
    return _fresh(enforcement)


@transaction.atomic
def classify_case(actor, enforcement: EnforcementCase, is_major: bool, is_serious: bool, reason: str) -> EnforcementCase:
    """Mark the case major (legal review before the decision) and / or serious (collective
    decision), or clear the marks, with the reason on the timeline."""
    case = enforcement.case
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    ENFORCEMENT_WORKFLOW.require(actor, case, "classify")
    values = ENFORCEMENT_WORKFLOW.permissions["classify"].clean(
        {"is_major": is_major, "is_serious": is_serious, "reason": reason}
    )
    major, serious = bool(values["is_major"]), bool(values["is_serious"])
    EnforcementCase.objects.filter(pk=enforcement.pk).update(is_major=major, is_serious=serious)
    marks = "、".join(label for label, on in (("重大执法决定", major), ("情节复杂或重大违法", serious)) if on) or "一般案件"
    journal.record(actor=actor, verb="classify", case=case, summary=f"认定案件性质：{marks}", note=values["reason"],
                   from_state=case.state, to_state=case.state, data={"is_major": major, "is_serious": serious})  # fmt: skip
    return _fresh(enforcement)


# ---- collective discussion (Art. 57) ---------------------------------------------------------------


@dataclass(kw_only=True)
class Meeting:
    held_on: date | None
    attendee_ids: list = field(default_factory=list)
    minutes: str = ""
    conclusion: str = ""
    departure_reason: str = ""  # why the fine may leave the benchmark's range, when it must


def township_leaders(enforcement: EnforcementCase) -> list[User]:
    path = township_path(enforcement.case.area.path)
    return list(User.objects.filter(posts__is_active=True, posts__roles__code=R.TOWNSHIP_LEADER, posts__jurisdiction__path=path,
                                    is_active=True).distinct().order_by("pk"))  # fmt: skip


def _attendees(enforcement: EnforcementCase, ids) -> list[User]:
    if not isinstance(ids, (list, tuple)) or not ids:
        raise Rejected("enforcement.attendees_required", "请选择参会人员", field="attendee_ids")
    if len(ids) > ATTENDEES_MAX or any(isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= 2**63 - 1 for i in ids):
        raise Rejected(
            "enforcement.attendees_invalid", f"参会人员须为本乡镇(街道)工作人员(至多{ATTENDEES_MAX}人)", field="attendee_ids"
        )
    path = township_path(enforcement.case.area.path)
    people = list(
        User.objects.filter(
            pk__in=set(ids), is_active=True, posts__is_active=True, posts__jurisdiction__path__startswith=path
        ).distinct()
    )
    if len(people) != len(set(ids)):
        raise Rejected(
            "enforcement.attendees_invalid", f"参会人员须为{enforcement.case.area.name}的工作人员", field="attendee_ids"
        )
    # Art. 57: "行政机关负责人应当集体讨论决定" — the township's leaders all take part.
    missing = [leader.display_name for leader in township_leaders(enforcement) if leader.pk not in set(ids)]
    if missing:
        raise Rejected(
            "enforcement.attendees_leaders",
            f"集体讨论须由本乡镇(街道)负责人参加，缺少：{'、'.join(missing)}(《行政处罚法》第五十七条)",
            field="attendee_ids",
        )
    return people


@transaction.atomic
def record_meeting(actor, enforcement: EnforcementCase, meeting: Meeting) -> CollectiveMeeting:
    case = enforcement.case
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    ENFORCEMENT_WORKFLOW.require(actor, case, "record_meeting")
    held_on = inputs.past_date(meeting.held_on, field="held_on", label="会议日期", code=PREFIX)
    if enforcement.registered_at and held_on < timezone.localdate(enforcement.registered_at):
        raise Rejected("enforcement.held_on_too_early", "会议日期不能早于立案日期", field="held_on")
    people = _attendees(enforcement, meeting.attendee_ids)
    minutes = inputs.text(meeting.minutes, field="minutes", label="会议纪要", max_length=TEXT_MAX, code=PREFIX, required=True)
    conclusion = inputs.text(
        meeting.conclusion, field="conclusion", label="讨论结论", max_length=TEXT_MAX, code=PREFIX, required=True
    )
    departure = inputs.text(
        meeting.departure_reason, field="departure_reason", label="偏离裁量基准的理由", max_length=TEXT_MAX, code=PREFIX
    )
    row = CollectiveMeeting.objects.create(enforcement=enforcement, held_on=held_on, minutes=minutes, conclusion=conclusion,
                                           departure_reason=departure, recorded_by=actor)  # fmt: skip
    row.attendees.set(people)
    journal.record(actor=actor, verb="collective_meeting", case=case, summary=f"负责人集体讨论({held_on:%Y-%m-%d}，{len(people)}人参加)",
                   note=conclusion, from_state=case.state, to_state=case.state,
                   data={"meeting": row.pk, "attendees": [p.pk for p in people], "departure": bool(departure)})  # fmt: skip
    return row


# ---- the decision (Arts. 57–61) ----------------------------------------------------------------------


@dataclass(kw_only=True)
class Penalty:
    kinds: list = field(default_factory=list)
    fine_amount: object = None  # yuan: a number or its text
    confiscation: str = ""
    benchmark_id: object = None
    reasons: str = ""


def _kinds(values, allowed=tuple(PenaltyKind.values)) -> list[str]:
    if not isinstance(values, (list, tuple)) or not values:
        raise Rejected("enforcement.kinds_required", "请选择处罚种类", field="kinds")
    labels = "、".join(PenaltyKind(k).label for k in allowed)
    if any(not isinstance(k, str) or k not in allowed for k in values):
        raise Rejected("enforcement.kinds_invalid", f"处罚种类须为：{labels}", field="kinds")
    return [k for k in PenaltyKind.values if k in values]  # the law's order, each once


def _fine(kinds: list[str], value) -> Decimal | None:
    if PenaltyKind.FINE in kinds:
        return inputs.money(value, field="fine_amount", label="罚款金额", code=PREFIX, high=FINE_MAX)
    if value not in (None, "", 0, "0"):
        raise Rejected("enforcement.fine_without_kind", "未选择「罚款」的，不能填写罚款金额", field="fine_amount")
    return None


def _benchmark(enforcement: EnforcementCase, value) -> DiscretionBenchmark | None:
    """The benchmark the decision applies: of the case's county and power item. Required with a
    fine where the county has set benchmarks for the item."""
    county = county_path(enforcement.case.area.path)
    rows = DiscretionBenchmark.objects.filter(county__path=county)
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip()[:20])
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**63 - 1:
        raise Rejected("enforcement.benchmark_invalid", "请选择裁量基准", field="benchmark_id")
    benchmark = rows.filter(pk=value).first()
    if benchmark is None:
        raise Rejected("enforcement.benchmark_unknown", "裁量基准不存在或不属于本县", field="benchmark_id")
    if benchmark.power_code != enforcement.power_code:
        raise Rejected("enforcement.benchmark_other_power",
                       f"所选裁量基准属于事项{benchmark.power_code}，本案立案所依事项为{enforcement.power_code}", field="benchmark_id")  # fmt: skip
    return benchmark


def benchmark_text(benchmark: DiscretionBenchmark | None) -> str:
    if benchmark is None:
        return ""
    other = f"；{benchmark.other_penalties}" if benchmark.other_penalties else ""
    return f"{benchmark.power_code} {benchmark.circumstance}：罚款{benchmark.fine_min}元至{benchmark.fine_max}元{other}(《{benchmark.source_document.strip('《》')}》)"[
        :400
    ]


LIGHTEST = (PenaltyKind.WARNING, PenaltyKind.CRITICISM)


def _within_notice(enforcement: EnforcementCase, kinds: list[str], fine: Decimal | None) -> None:
    """The party was told the intended penalty and may answer it (Art. 44); the decision may not
    be heavier for their having spoken (Art. 45). So the decision names no kind of penalty and no
    larger fine than the latest notice: a heavier one is notified again first, which gives the
    party their days again (part 3's notify_party)."""
    notice = latest_notice(enforcement.case_id)
    if notice is None:
        return  # the workflow's own rules bring no case to `decide` without a notice
    # Art. 9(一)'s 警告 and 通报批评 are the lightest kinds: a decision may take one instead of
    # what was notified (a warning instead of a fine); any other kind not notified is heavier.
    added = [PenaltyKind(k).label for k in kinds if k not in notice.penalty_kinds and k not in LIGHTEST]
    if added:
        raise Rejected("enforcement.heavier_than_notice",
                       f"处罚决定不得重于事先告知的处罚：告知书未告知「{'、'.join(added)}」(《行政处罚法》第四十四条、第四十五条)；"
                       "确需增加处罚种类的，应重新告知当事人", field="kinds")  # fmt: skip
    if fine is not None and notice.fine_amount is not None and fine > notice.fine_amount:
        raise Rejected("enforcement.heavier_than_notice",
                       f"罚款{fine}元高于事先告知的{notice.fine_amount}元(《行政处罚法》第四十四条、第四十五条)；确需加重的，应重新告知当事人",
                       field="fine_amount")  # fmt: skip


@transaction.atomic
def decide_case(actor, enforcement: EnforcementCase, penalty: Penalty) -> PenaltyDecision:
    """作出处罚决定 (the township's leader): the penalty, the benchmark applied and the reasons.
    A fine outside the benchmark's range stands only on a collective discussion that records why.
    Writes the decision, the case's fine and decision time, opens the team's `serve` work (7
    working days, Art. 61) and issues the 行政处罚决定书."""
    _allowed(actor, enforcement, "decide")
    kinds = _kinds(penalty.kinds)
    fine = _fine(kinds, penalty.fine_amount)
    confiscation = inputs.text(
        penalty.confiscation, field="confiscation", label="没收财物或违法所得", max_length=TEXT_MAX, code=PREFIX
    )
    reasons = inputs.text(penalty.reasons, field="reasons", label="处罚理由", max_length=TEXT_MAX, code=PREFIX, required=True)
    benchmark = _benchmark(enforcement, penalty.benchmark_id)
    county = county_path(enforcement.case.area.path)
    if (
        fine is not None
        and benchmark is None
        and DiscretionBenchmark.objects.filter(county__path=county, power_code=enforcement.power_code).exists()
    ):
        raise Rejected(
            "enforcement.benchmark_required",
            f"本县已制定事项{enforcement.power_code}的裁量基准，请选择适用的裁量基准",
            field="benchmark_id",
        )
    meeting = CollectiveMeeting.objects.filter(enforcement=enforcement).order_by("-held_on", "-pk").first()
    departs = fine is not None and benchmark is not None and not benchmark.fine_min <= fine <= benchmark.fine_max
    if departs:
        # The benchmark binds the decision; a departure needs the leaders' collective discussion
        # with its reasons on record (Art. 57; the county's benchmark document).
        if meeting is None or not meeting.departure_reason:
            raise Rejected("enforcement.fine_outside_benchmark",
                           f"罚款金额{fine}元超出裁量基准「{benchmark.circumstance}」的幅度({benchmark.fine_min}元至{benchmark.fine_max}元)；"
                           "确需超出的，须经负责人集体讨论并在会议记录中写明理由", field="fine_amount")  # fmt: skip
    _within_notice(enforcement, kinds, fine)
    now = timezone.now()
    serve_due, uncertain = due_after(now, SERVE_LIMIT)
    workflow.perform(actor, enforcement.case, "decide", summary=f"作出处罚决定：{'、'.join(PenaltyKind(k).label for k in kinds)}",
                     assign=[Assign(enforcement.team, "serve", due_at=serve_due, due_uncertain=uncertain, role=R.ENFORCEMENT_OFFICER)],
                     data={"kinds": kinds, "fine": str(fine) if fine is not None else None, "benchmark": getattr(benchmark, "pk", None)})  # fmt: skip
    decision = PenaltyDecision.objects.create(
        enforcement=enforcement, kinds=kinds, fine_amount=fine, confiscation=confiscation, benchmark=benchmark,
        benchmark_text=benchmark_text(benchmark), reasons=reasons, meeting=meeting if enforcement.is_serious or departs else None,
        decided_by=actor, decided_at=now,
    )  # fmt: skip
    EnforcementCase.objects.filter(pk=enforcement.pk).update(fine_amount=fine, decided_at=now)
    decision.document = documents.issue_document(actor, enforcement.case, PENALTY_DECISION)
    decision.save(update_fields=["document"])
    return decision


@transaction.atomic
def summary_decide(actor, enforcement: EnforcementCase, power_code: str, penalty: Penalty) -> PenaltyDecision:
    """当场处罚 (简易程序, Art. 51): a warning, or a fine up to ¥200 for a citizen or ¥3,000 for
    an organisation, under a power the township may exercise today; the 当场处罚决定书 is issued
    on the spot and the case goes to execution."""
    _allowed(actor, enforcement, "summary_decide")
    code = inputs.text(power_code, field="power_code", label="权责事项编码", max_length=64, code=PREFIX, required=True)
    party = enforcement.party
    if party is None:
        raise Rejected("enforcement.party_required", "当场处罚须先登记当事人", field="party")
    kinds = _kinds(penalty.kinds, SUMMARY_KINDS)
    fine = _fine(kinds, penalty.fine_amount)
    cap = SUMMARY_CAPS[party.kind]
    if fine is not None and fine > cap:
        who = "公民" if party.kind == Party.Kind.PERSON else "法人或者其他组织"
        raise Rejected("enforcement.summary_cap",
                       f"对{who}当场罚款不得超过{cap:.0f}元(《行政处罚法》第五十一条)；罚款{fine}元应适用普通程序立案调查", field="fine_amount")  # fmt: skip
    reasons = inputs.text(penalty.reasons, field="reasons", label="处罚理由", max_length=TEXT_MAX, code=PREFIX, required=True)
    today = timezone.localdate()
    basis = lists.exercise_basis(enforcement.team, code, today)
    if not basis.allowed:
        raise Rejected("enforcement.power_not_held", f"{basis.reason}，不能当场处罚", field="power_code")
    item = lists.item_behind(basis, enforcement.team.area, code, today)
    now = timezone.now()
    workflow.perform(actor, enforcement.case, "summary_decide", summary=f"当场处罚：{code} {basis.item_name}",
                     assign=[Assign(enforcement.team, "execute", role=R.ENFORCEMENT_OFFICER)],
                     data={"power_code": code, "kinds": kinds, "fine": str(fine) if fine is not None else None})  # fmt: skip
    EnforcementCase.objects.filter(pk=enforcement.pk).update(
        procedure=Procedure.SUMMARY, power_code=code, power_name=basis.item_name, legal_basis=item.legal_basis if item else "",
        power_source=basis.source, delegation_id=basis.delegation_id, fine_amount=fine, decided_at=now,
    )  # fmt: skip
    decision = PenaltyDecision.objects.create(enforcement=enforcement, summary=True, kinds=kinds, fine_amount=fine, reasons=reasons,
                                              decided_by=actor, decided_at=now)  # fmt: skip
    decision.document = documents.issue_document(actor, enforcement.case, SUMMARY_DECISION)
    decision.save(update_fields=["document"])
    return decision


# ---- extension of the 90 days (Art. 60) ------------------------------------------------------------


def request_extension(actor, enforcement: EnforcementCase, amount: int, reason: str) -> Extension:
    """The officers ask; the township's leaders (机关负责人) approve (kernel extensions)."""
    return extensions.request_extension(actor, enforcement.case, amount, reason)


@transaction.atomic
def decide_extension(actor, enforcement: EnforcementCase, approve: bool, note: str = "") -> Extension:
    if not isinstance(approve, bool):
        raise Rejected("enforcement.extension_decision", "请选择批准或不批准", field="approve")
    request = (
        Extension.objects.filter(case_id=enforcement.case_id, state=Extension.State.PENDING).select_related("case__area").first()
    )
    if request is None:
        raise Conflict("enforcement.no_extension", "没有待审批的延期申请")
    return extensions.decide_extension(actor, request, approve, note)
