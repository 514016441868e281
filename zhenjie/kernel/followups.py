"""回访 (follow-up): a call back to the reporter of a case, for any kind. See CASE_SERVICES.md
beside this file.

A kind takes part by declaring a `Setup` (`register`): who calls (a unit and role for the
case, e.g. the township command centre's dispatchers), how many working days they have (a
county setting the kind reads), and how the kind reopens a case. Then:
- a 差评 (GRADES 2 不满意 and 1 非常不满意) opens a follow-up in the rating's transaction
  (`after_rating`, called by kernel.rating.rate);
- the kind may open one itself: a sample of closed cases (回访率, `is_sampled`) or a
  confirmation where no one verified on the spot;
- the caller records what the call found and either reopens the case (`reopen`, the kind's
  own transition) or closes the follow-up with a reason (`close`); a reporter holding the
  tracking code may confirm online (`confirm`).
At most one follow-up is open per case (a partial unique constraint); opening another while one
is open joins it. Every step is journaled on the case."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import deadlines, journal
from .assignments import Assign, create as create_assignment
from .deadlines import Limit
from .errors import Conflict, Forbidden, NotFound, Rejected
from .models import Assignment, Case, DeadlineUnit, FollowUp
from .prepared import Prepared
from .scoping import can_see_case
from .workflow import Standing

TODO = "follow_up"
WORDS_MAX = 500
NOTE_MAX = 500
# 好差评: 不满意 and 非常不满意 count as 差评 (kernel.rating.GRADES; statutory-deadlines.md §8);
# each opens a follow-up with the reporter (issue 14 item 3).
DISSATISFIED_GRADES = frozenset({1, 2})


@dataclass(frozen=True)
class Setup:
    """How one kind of case is followed up."""

    route: Callable[[Case], object]  # the unit that calls back (its people with `role`)
    role: str
    roles: frozenset[str]  # roles that may record and decide, in a jurisdiction containing the case
    days: Callable[[Case], int]  # working days to call back, from the county's settings
    reopen: Callable[[object, Case, str], None]  # (actor, case, reason): the kind's reopen step


_SETUPS: dict[str, Setup] = {}


def register(kind: str, setup: Setup) -> Setup:
    _SETUPS[kind] = setup
    return setup


def setup_for(case: Case) -> Setup | None:
    return _SETUPS.get(case.kind)


def is_sampled(case: Case, percent: int) -> bool:
    """Whether a closed case falls in the county's sample (回访率): a hash of its id, so the
    choice is the same on every run and spread evenly, and exactly `percent` per hundred ids in
    the long run; 0 takes none and 100 every one."""
    if percent <= 0:
        return False
    bucket = int(hashlib.sha256(f"zhenjie.followup:{case.pk}".encode()).hexdigest()[:8], 16) % 100
    return bucket < percent


def open_follow_up(case: Case, reason: str, *, actor=None, rating: int | None = None) -> FollowUp | None:
    """Open a follow-up of `case` (in the caller's transaction), or join the one open: a 差评
    turns an open sample into a 差评 follow-up. None for a kind that declares no follow-ups."""
    setup = setup_for(case)
    if setup is None:
        return None
    if reason not in FollowUp.Reason.values:
        raise Rejected("followup.reason_invalid", "回访原因不正确", field="reason")
    current = FollowUp.objects.select_for_update().filter(case=case, state=FollowUp.State.OPEN).first()
    if current is not None:
        if reason == FollowUp.Reason.DISSATISFIED:
            FollowUp.objects.filter(pk=current.pk).update(reason=reason, rating=rating)
            current.reason, current.rating = reason, rating
        return current
    now = timezone.now()
    due, uncertain = deadlines.due_after(now, Limit(setup.days(case), DeadlineUnit.WORKING_DAYS))
    try:
        with transaction.atomic():
            follow_up = FollowUp.objects.create(case=case, reason=reason, rating=rating, opened_at=now, due_at=due)
    except IntegrityError:  # another opened one between our look and our insert
        return FollowUp.objects.filter(case=case, state=FollowUp.State.OPEN).first()
    label = FollowUp.Reason(reason).label
    create_assignment(case, Assign(setup.route(case), TODO, due_at=due, due_uncertain=uncertain, role=setup.role), notify_title=f"{label}：{case.number}")
    journal.record(actor=actor, verb="follow_up.open", case=case, summary=f"发起{label}", from_state=case.state, to_state=case.state,
                   data={"follow_up": follow_up.pk, "reason": reason, "rating": rating, "due": due})
    return follow_up


def after_rating(actor, case: Case, grade: int) -> FollowUp | None:
    """A 差评 opens a follow-up with the reporter (called by kernel.rating.rate, in its transaction)."""
    if grade in DISSATISFIED_GRADES:
        return open_follow_up(case, FollowUp.Reason.DISSATISFIED, actor=actor, rating=grade)
    return None


def follow_ups_of(case: Case) -> list[FollowUp]:
    return _FOLLOW_UPS(case_id=case.pk)


_FOLLOW_UPS = Prepared(lambda case_id: FollowUp.objects.filter(case_id=case_id).select_related("done_by").order_by("opened_at", "pk"), case_id=int)


def may_handle(actor, case: Case) -> Forbidden | None:
    """Whether the actor may record and decide the follow-ups of `case` (the page asks the same)."""
    setup = setup_for(case)
    if setup is None or not Standing(actor, case).holds(setup.roles):
        return Forbidden("followup.not_allowed", "只有本辖区指挥中心的调度员和领导可以处理回访")
    return None


def _check(actor, follow_up: FollowUp) -> Case:
    case = follow_up.case
    if not can_see_case(actor, case):
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    if (refused := may_handle(actor, case)) is not None:
        raise refused
    return case


def _clean_call(called, reached, words: str, note: str, *, note_required: bool) -> tuple[bool, bool, str, str]:
    for name, value, label in (("called", called, "是否已拨打"), ("reached", reached, "是否已接通")):
        if not isinstance(value, bool):
            raise Rejected(f"followup.{name}_invalid", f"请选择{label}", field=name)
    if reached and not called:
        raise Rejected("followup.reached_invalid", "未拨打电话不能记为已接通", field="reached")
    words, note = (words or "").strip(), (note or "").strip()
    if len(words) > WORDS_MAX:
        raise Rejected("followup.words_too_long", f"群众意见不能超过{WORDS_MAX}字", field="words")
    if len(note) > NOTE_MAX:
        raise Rejected("followup.note_too_long", f"说明不能超过{NOTE_MAX}字", field="note")
    if note_required and not note:
        raise Rejected("followup.note_required", "请填写理由", field="note")
    return called, reached, words, note


def _finish(actor, follow_up: FollowUp, outcome: str, **result) -> None:
    """Compare-and-set on the open state: of two people deciding at once exactly one lands."""
    now = timezone.now()
    done_by = actor if getattr(actor, "pk", None) else None
    if not FollowUp.objects.filter(pk=follow_up.pk, state=FollowUp.State.OPEN).update(
        state=FollowUp.State.DONE, outcome=outcome, done_at=now, done_by=done_by, **result
    ):
        raise Conflict("followup.done", "该回访已结束，请刷新后查看")
    for name, value in (result | {"state": FollowUp.State.DONE, "outcome": outcome, "done_at": now, "done_by": done_by}).items():
        setattr(follow_up, name, value)
    Assignment.objects.filter(case=follow_up.case, todo=TODO, state=Assignment.State.OPEN).update(
        state=Assignment.State.DONE, done_at=now, done_by=done_by
    )


@transaction.atomic
def close(actor, follow_up: FollowUp, *, called, reached, words: str = "", note: str = "", resolved: bool | None = None) -> FollowUp:
    """Record the call and end the follow-up with a reason. A confirmation follow-up says
    whether the reporter found the problem solved (`resolved`)."""
    case = _check(actor, follow_up)
    called, reached, words, note = _clean_call(called, reached, words, note, note_required=follow_up.reason != FollowUp.Reason.CONFIRM)
    outcome = FollowUp.Outcome.CLOSED
    if follow_up.reason == FollowUp.Reason.CONFIRM:
        if not isinstance(resolved, bool):
            raise Rejected("followup.resolved_invalid", "请选择群众是否确认问题已解决", field="resolved")
        if resolved and not reached:
            raise Rejected("followup.not_reached", "未联系上群众，不能记为群众确认已解决", field="resolved")
        outcome = FollowUp.Outcome.CONFIRMED if resolved else FollowUp.Outcome.DENIED
    _finish(actor, follow_up, outcome, called=called, reached=reached, words=words, note=note)
    journal.record(actor=actor, verb="follow_up.close", case=case, summary=f"{follow_up.get_reason_display()}：{FollowUp.Outcome(outcome).label}",
                   note=note or words, from_state=case.state, to_state=case.state,
                   data={"follow_up": follow_up.pk, "outcome": outcome, "called": called, "reached": reached})
    return follow_up


@transaction.atomic
def reopen(actor, follow_up: FollowUp, *, called, reached, words: str = "", note: str = "") -> FollowUp:
    """Record the call and reopen the case through the kind's own step (back to the unit that
    handled it, rework counted, the reporter told), with `note` as its reason."""
    case = _check(actor, follow_up)
    called, reached, words, note = _clean_call(called, reached, words, note, note_required=True)
    if follow_up.reason == FollowUp.Reason.CONFIRM:
        raise Conflict("followup.not_closed_case", "办结确认回访的事项尚未办结，不能重新办理；群众反映未解决时请结束回访并退回处置")
    _finish(actor, follow_up, FollowUp.Outcome.REOPENED, called=called, reached=reached, words=words, note=note)
    setup_for(case).reopen(actor, case, note)
    return follow_up


@transaction.atomic
def confirm(actor, case: Case, resolved: bool) -> FollowUp:
    """The reporter says online whether the problem is solved (the kind's "confirm" rule decides
    who may: for events the reporter or the citizen holding the tracking code)."""
    from .workflow import rule_of

    if (refused := rule_of("confirm")(actor, case)) is not None:
        raise refused
    if not isinstance(resolved, bool):
        raise Rejected("followup.resolved_invalid", "请选择问题是否已解决", field="resolved")
    follow_up = FollowUp.objects.filter(case=case, state=FollowUp.State.OPEN, reason=FollowUp.Reason.CONFIRM).first()
    if follow_up is None:
        raise Conflict("followup.nothing_to_confirm", "该事项目前无需确认")
    outcome = FollowUp.Outcome.CONFIRMED if resolved else FollowUp.Outcome.DENIED
    _finish(actor, follow_up, outcome, note="群众在线确认")
    journal.record(actor=actor, verb="follow_up.close", case=case, summary=f"群众确认：{'问题已解决' if resolved else '问题未解决'}",
                   from_state=case.state, to_state=case.state, data={"follow_up": follow_up.pk, "outcome": outcome, "online": True})
    return follow_up


def pending_confirmation(case: Case) -> FollowUp | None:
    return FollowUp.objects.filter(case=case, state=FollowUp.State.OPEN, reason=FollowUp.Reason.CONFIRM).first()


def confirmed(case: Case) -> bool:
    """Whether the newest confirmation follow-up of `case` found the problem solved (by a
    recorded call, or the reporter online)."""
    newest = FollowUp.objects.filter(case=case, reason=FollowUp.Reason.CONFIRM).order_by("-opened_at", "-pk").values_list("outcome", flat=True).first()
    return newest == FollowUp.Outcome.CONFIRMED
