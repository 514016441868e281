"""Every step of an event after intake (intake.py): register, dispatch, handle, verify, close,
rate; return, reassign, merge, pause. Each is one transaction through the kernel's workflow
engine, journaled on the event's timeline. Extensions are the kernel's (kernel/extensions.py)."""

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.queries import grid_workers_of
from zhenjie.accounts.roles import COMMAND, RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.integrations import answers as hotline_answers
from zhenjie.kernel import deadlines, followups, parties, rating, rework, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import Case, FollowUp, Rework
from zhenjie.kernel.notify import notify_users
from zhenjie.kernel.workflow import rule_of
from zhenjie.lists.queries import exercise_basis
from zhenjie.units.models import Unit

from . import daily, routing
from .intake import command_unit_for
from .policy import policy_for
from .models import Event
from .workflow import EVENT, EVENT_WORKFLOW, RESULT_MAX, EventState



def _command(event: Event) -> Unit:
    return command_unit_for(event.case.area)


def _to_dispatchers(event: Event, todo: str) -> Assign:
    return Assign(_command(event), todo, due_at=timezone.now() + timezone.timedelta(hours=2), role=RoleCode.DISPATCHER)


def register_event(actor, event: Event) -> Event:
    workflow.perform(actor, event.case, "register", assign=[_to_dispatchers(event, "dispatch")])
    return event


@transaction.atomic
def reject_event(actor, event: Event, reason: str) -> Event:
    workflow.perform(actor, event.case, "reject", reason=reason)
    Event.objects.filter(pk=event.pk).update(rejection_reason=reason.strip()[:500])
    hotline_answers.owe(event)  # the 12345 hotline is told, after commit (integrations/answers.py)
    if event.reporter_id:
        notify_users([event.reporter], f"您上报的事件未予受理：{event.case.number}", reason.strip(), event.case, kind="result")
    return event


def _check_handling_unit(event: Event, unit: Unit) -> None:
    """A township unit of the event's own township, or a county department (or its stationed unit there)."""
    township = township_path(event.case.area.path)
    if unit.kind in (Unit.Kind.DEPARTMENT,):
        return
    if unit.area.path.startswith(township) and unit.kind != Unit.Kind.COUNTY_LEADERSHIP:
        return
    raise Rejected("event.unit_outside", "处置单位须为本乡镇(街道)的机构、驻本乡镇的派驻机构或县直部门", field="unit")


def _check_may_exercise(event: Event, unit: Unit, power_code: str) -> None:
    """Handling an event of a category that names a power (权责事项) exercises that power: the unit
    must hold it on the day the event was reported — by its own power list, a delegation in force
    or, for a department or its stationed unit, the county list (lists.queries.exercise_basis).
    The refusal is the lists' own words."""
    if not power_code:
        return
    basis = exercise_basis(unit, power_code, routing.report_day(event))
    if not basis.allowed:
        raise Rejected("event.may_not_exercise", f"{unit.name}不能处置该事件：{basis.reason}", field="unit")


@transaction.atomic
def dispatch_event(actor, event: Event, unit: Unit | None = None, reason: str = "") -> Event:
    """Send a registered event to the unit that must handle it, starting the handling deadline.

    Without a unit the lists decide (routing.py). Choosing another unit than the lists name is
    allowed, with a reason, so the override can be explained later on the timeline."""
    found = routing.route(event.category, event.case.area, routing.report_day(event))
    unit = unit or found.unit
    if unit is None:
        raise Rejected("event.unit_required", found.explanation, field="unit")
    _check_handling_unit(event, unit)
    _check_may_exercise(event, unit, found.power_code)
    overridden = found.unit is not None and unit.pk != found.unit.pk
    if overridden and not (reason or "").strip():
        raise Rejected("event.reason_required", f"清单指定的处置单位是{found.unit.name}；改派到其他单位须填写理由", field="reason")
    category = event.category

    def start_deadline(case: Case) -> None:
        case.owner_unit = unit
        deadlines.start(case, Limit(category.handle_amount, category.handle_unit))

    ack_due, _ = deadlines.due_after(timezone.now(), Limit(category.acknowledge_amount, category.acknowledge_unit))
    workflow.perform(
        actor, event.case, "dispatch",
        reason=reason if overridden else "",
        assign=[Assign(unit, "acknowledge", due_at=ack_due)],
        before_save=start_deadline,
        summary=f"派遣至{unit.name}",
        data={"unit": unit.pk, "listed_unit": getattr(found.unit, "pk", None), "duty_item": found.duty_item_code, "route": found.explanation,
              "power": found.power_code, "delegated": found.delegated},
    )
    Event.objects.filter(pk=event.pk).update(
        handling_unit=unit, lead_department=found.lead_department, duty_item_code=found.duty_item_code
    )
    event.handling_unit, event.lead_department, event.duty_item_code = unit, found.lead_department, found.duty_item_code
    return event


@transaction.atomic
def reassign_event(actor, event: Event, unit: Unit, reason: str) -> Event:
    if unit is None:
        raise Rejected("event.unit_required", "请选择改派的处置单位", field="unit")
    _check_handling_unit(event, unit)
    _check_may_exercise(event, unit, routing.power_code_of(event.category))
    ack_due, _ = deadlines.due_after(timezone.now(), Limit(event.category.acknowledge_amount, event.category.acknowledge_unit))
    workflow.perform(
        actor, event.case, "reassign", reason=reason, assign=[Assign(unit, "acknowledge", due_at=ack_due)],
        before_save=lambda case: setattr(case, "owner_unit", unit), summary=f"改派至{unit.name}", data={"unit": unit.pk},
    )
    Event.objects.filter(pk=event.pk).update(handling_unit=unit)
    event.handling_unit = unit
    return event


def _handler(event: Event) -> Unit:
    return event.handling_unit or event.case.owner_unit


def acknowledge_event(actor, event: Event) -> Event:
    workflow.perform(actor, event.case, "acknowledge", assign=[Assign(_handler(event), "handle")])
    return event


def start_handling(actor, event: Event) -> Event:
    workflow.perform(actor, event.case, "start", complete="none")
    return event


def return_event(actor, event: Event, reason: str) -> Event:
    """The handling unit says the event is not theirs: back to the command centre."""
    workflow.perform(actor, event.case, "return", reason=reason, assign=[_to_dispatchers(event, "dispatch")])
    return event


def pause_event(actor, event: Event, reason: str) -> Event:
    workflow.perform(actor, event.case, "pause", reason=reason, complete="none")
    return event


def resume_event(actor, event: Event) -> Event:
    workflow.perform(actor, event.case, "resume", complete="none")
    return event


@transaction.atomic
def report_back(actor, event: Event, result: str, photos=()) -> Event:
    from zhenjie.kernel import attachments

    result = EVENT_WORKFLOW.transitions["report_back"].clean({"result": result})["result"]
    verify_due, _ = deadlines.due_after(timezone.now(), Limit(event.category.verify_amount, event.category.verify_unit))
    next_step = _verification(event, verify_due) if event.category.needs_verification else [_to_dispatchers(event, "close")]
    workflow.perform(actor, event.case, "report_back", assign=next_step, data={"result": result[:200]})
    if not event.category.needs_verification:
        # No one checks on the spot: the reporter confirms the result, online or on a call
        # (issue 14 item 2); close waits for it (workflow._may_close).
        followups.open_follow_up(event.case, FollowUp.Reason.CONFIRM, actor=actor)
    for photo in photos:
        attachments.store(photo.content, photo.name, "photo", case=event.case, actor=actor, field="photos")
    Event.objects.filter(pk=event.pk).update(result=result)
    event.result = result
    return event


def _verification(event: Event, due) -> list[Assign]:
    """On-site verification by whoever answers for the event's grid — its lead worker, else the
    workers covering it, else those posted on it (accounts.queries.grid_workers_of) — else the
    command centre. Never by the handling unit (issue 14, verification by someone else): a grid
    worker who is of that unit, or who handled the event, leaves it to the command centre."""
    from zhenjie.accounts.models import Post
    from zhenjie.kernel.models import Assignment

    area = event.case.area
    posts = grid_workers_of(area) if area.level == Area.Level.GRID else []
    if posts:
        unit_id = _handler(event).pk
        of_unit = set(Post.objects.filter(unit_id=unit_id, is_active=True, user_id__in=[p.user_id for p in posts]).values_list("user_id", flat=True))
        handlers = set(Assignment.objects.filter(case=event.case, todo="handle", state=Assignment.State.DONE).values_list("done_by", flat=True))
        posts = [p for p in posts if p.unit_id != unit_id and p.user_id not in of_unit and p.user_id not in handlers]
    if not posts:
        return [Assign(_command(event), "verify", due_at=due, role=RoleCode.DISPATCHER)]
    return [Assign(post.unit, "verify", due_at=due, user=post.user) for post in posts]


@transaction.atomic
def verify_event(actor, event: Event, passed: bool, note: str = "") -> Event:
    note = (note or "").strip()
    if len(note) > RESULT_MAX:
        raise Rejected("event.note_too_long", f"核查意见不能超过{RESULT_MAX}字", field="note")
    if passed:
        workflow.perform(actor, event.case, "verify_pass", reason=note, assign=[_to_dispatchers(event, "close")])
    else:
        # Failed verification goes back to the unit that handled it (issue 5 item 3), and counts
        # as one rework of that unit (返工, seed 004 §三 督查考核; issue 14), in this transaction.
        unit = _handler(event)
        workflow.perform(actor, event.case, "verify_fail", reason=note, assign=[Assign(unit, "handle")])
        rework.record(event.case, unit, Rework.Reason.VERIFY_FAIL, actor=actor, note=note)
    Event.objects.filter(pk=event.pk).update(verification_note=note)
    return event


def verifier_candidates(event: Event):
    """Whom the command centre may name to verify (指定核查人): active people of the event's
    township — a post in one of its units — who are not of the handling unit and did not handle
    the event. Users, with the township unit each would verify for (`verify_unit_id`)."""
    from django.db.models import Exists, OuterRef, Subquery

    from zhenjie.accounts.models import Post, User
    from zhenjie.kernel.models import Assignment

    township = township_path(event.case.area.path)
    handling_unit_id = getattr(_handler(event), "pk", None)
    township_posts = Post.objects.filter(user=OuterRef("pk"), is_active=True, unit__is_active=True, unit__area__path__startswith=township)
    handled = Assignment.objects.filter(case=event.case, todo="handle", state=Assignment.State.DONE, done_by=OuterRef("pk"))
    people = User.objects.filter(is_active=True).filter(Exists(township_posts)).exclude(Exists(handled))
    if handling_unit_id is not None:
        people = people.exclude(Exists(Post.objects.filter(user=OuterRef("pk"), is_active=True, unit_id=handling_unit_id)))
    first_unit = Post.objects.filter(user=OuterRef("pk"), is_active=True, unit__is_active=True, unit__area__path__startswith=township)
    return people.annotate(verify_unit_id=Subquery(first_unit.order_by("pk").values("unit_id")[:1])).order_by("full_name", "pk")


@transaction.atomic
def assign_verifier(actor, event: Event, verifier_id: int) -> Event:
    """指定核查人: the command centre moves the open verification to one named person of the
    township outside the handling unit (issue 14 item 1); journaled, the person told."""
    from zhenjie.kernel import assignments, journal
    from zhenjie.kernel.models import Assignment

    values = EVENT_WORKFLOW.permissions["assign_verifier"].clean({"verifier": verifier_id})
    EVENT_WORKFLOW.require(actor, event.case, "assign_verifier")
    locked = Case.objects.select_for_update().get(pk=event.case_id)
    if locked.state != EventState.REPORTED_BACK or locked.version != event.case.version:
        raise Conflict("event.assign_verifier_conflict", "该事件刚被他人处理，请刷新后查看")
    person = verifier_candidates(event).filter(pk=values["verifier"]).first()
    if person is None:
        raise Rejected("event.verifier_invalid", "核查人须为本乡镇(街道)处置单位以外的在岗人员", field="verifier")
    open_verify = list(Assignment.objects.filter(case=event.case, todo="verify", state=Assignment.State.OPEN))
    now = timezone.now()
    due = min((a.due_at for a in open_verify if a.due_at), default=None)
    if due is None:
        due, _ = deadlines.due_after(now, Limit(event.category.verify_amount, event.category.verify_unit))
    Assignment.objects.filter(pk__in=[a.pk for a in open_verify]).update(state=Assignment.State.CANCELLED, done_at=now)
    unit = Unit.objects.get(pk=person.verify_unit_id)
    assignments.create(event.case, Assign(unit, "verify", due_at=due, user=person), notify_title=f"请核查事件：{event.case.number}")
    journal.record(actor=actor, verb="assign_verifier", case=event.case, summary=f"指定核查人：{person.display_name}"[:200],
                   from_state=event.case.state, to_state=event.case.state, data={"verifier": person.pk, "unit": unit.pk})
    return event


@transaction.atomic
def close_event(actor, event: Event) -> Event:
    workflow.perform(actor, event.case, "close")
    daily.tally_close(event.case)
    hotline_answers.owe(event)  # the 12345 hotline is told, after commit (integrations/answers.py)
    if event.reporter_id:
        notify_users([event.reporter], f"您上报的事件已办结，请评价：{event.case.number}", event.result[:200], event.case, kind="result")
    # 回访率: the county's share of closed events is called back anyway, chosen by the case id.
    if followups.is_sampled(event.case, policy_for(event.case.area).follow_up_sample_percent):
        followups.open_follow_up(event.case, FollowUp.Reason.SAMPLE, actor=actor)
    return event


@transaction.atomic
def reopen_event(actor, event: Event, reason: str) -> Event:
    """A follow-up found the reporter dissatisfied: the closed event goes back to the unit that
    handled it with a new handling deadline (kernel.followups.reopen calls this). One rework
    counts on that unit; the earlier rating stays in the journal and on the follow-up, and is
    cleared from the case so the reporter may rate again after the new close; the reporter is
    told in-app (an account) and on the public timeline (events.portal)."""
    unit = _handler(event)
    category = event.category

    def restart(case: Case) -> None:
        case.owner_unit = unit
        deadlines.start(case, Limit(category.handle_amount, category.handle_unit))

    closed_at = event.case.closed_at
    workflow.perform(actor, event.case, "reopen", reason=reason, assign=[Assign(unit, "handle")], before_save=restart,
                     summary=f"重新办理：交{unit.name}", data={"unit": unit.pk})
    daily.untally_close(event.case, closed_at)
    rework.record(event.case, unit, Rework.Reason.REOPEN, actor=actor if getattr(actor, "pk", None) else None, note=reason)
    Case.objects.filter(pk=event.case_id).update(rating=None, rating_comment="", rated_at=None, alert="", alert_since=None, alert_leader_notified=False)
    event.case.rating, event.case.rating_comment, event.case.rated_at = None, "", None
    if event.reporter_id:
        notify_users([event.reporter], f"您反映的事件已重新办理：{event.case.number}", "处置单位将重新处置，办结后您可以再次评价。", event.case, kind="follow_up")
    return event


def _reopen_case(actor, case: Case, reason: str) -> None:
    reopen_event(actor, Event.objects.select_related("category", "handling_unit", "case__owner_unit").get(case=case), reason)


# 回访 of events: the township command centre's dispatchers call back within the county's days.
followups.register(EVENT, followups.Setup(
    route=lambda case: command_unit_for(case.area), role=RoleCode.DISPATCHER, roles=COMMAND,
    days=lambda case: policy_for(case.area).follow_up_days, reopen=_reopen_case,
))


@transaction.atomic
def merge_event(actor, event: Event, into: Event) -> Event:
    if into.pk == event.pk:
        raise Rejected("event.merge_self", "不能与自身合并", field="into")
    if into.case.closed_at is not None and into.case.state != EventState.CLOSED:
        raise Rejected("event.merge_target_closed", "目标事件已不予受理或已合并", field="into")
    if township_path(into.case.area.path) != township_path(event.case.area.path):
        raise Rejected("event.merge_other_township", "只能合并本乡镇(街道)的事件", field="into")
    workflow.perform(actor, event.case, "merge", summary=f"合并至{into.case.number}", data={"into": into.case_id})
    Event.objects.filter(pk=event.pk).update(duplicate_of=into)
    event.duplicate_of = into
    hotline_answers.owe(event)  # a 12345 order merged into a finished event is answered now
    return event


def rate_event(actor, event: Event, grade: int, comment: str = "") -> Event:
    """The reporter rates a closed event once (好差评, kernel.rating; who may is the workflow's
    "rate" rule). A citizen without an account is the reporter by the tracking code they hold
    (events.portal.rate_as_citizen)."""
    rating.rate(actor, event.case, grade, comment)
    return event


def reveal_reporter_phone(actor, event: Event) -> str:
    """The reporter's full mobile, for whoever must call them back. Each reveal goes on the
    event's timeline (kernel.parties.reveal_on_case)."""
    from .intake import REPORTER_PHONE_CONTEXT

    return parties.reveal_on_case(
        actor, event.case, {"phone": (event.reporter_phone_cipher, REPORTER_PHONE_CONTEXT)}, may=rule_of("reveal_phone"),
        missing="上报人未留手机号码", verb="reveal_phone", summary="查看上报人完整电话(用于回访联系)",
    )["phone"]
