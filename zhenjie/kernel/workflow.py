"""The workflow engine. See WORKFLOW.md beside this file.

Each case kind declares its states and transitions once (a Workflow, registered at import time
by its domain app). `open_case()` and `perform()` are the only ways a case is created or changes
state: each runs in one transaction — rule checks, the state change (compare-and-set, so of two
people acting at once exactly one wins), assignments, deadline, journal entry and notifications.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import assignments, deadlines, journal, numbering
from .assignments import Assign
from .errors import Conflict, Forbidden, NotFound, Rejected
from .models import Assignment, Case
from .scoping import can_see_case, reach_of

REASON_MAX = 2000


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset()  # roles that may act within their jurisdiction
    by_assignee: bool = False  # …or whoever an open assignment on the case is addressed to
    needs_reason: bool = False
    closes: bool = False
    deadline: str | None = None  # "pause", "resume" or "stop"
    condition: Callable[[Case], str | None] | None = None  # returns why not, or None


@dataclass
class Workflow:
    kind: str
    label: str
    states: dict[str, str]
    initial: str
    transitions: dict[str, Transition] = field(default_factory=dict)
    number_series: str = ""
    number_prefix: Callable[[Case, object], str] | None = None  # (case, numbering unit) → prefix
    detail_url_name: str = ""  # URL name taking the case id, for links from the inbox and timeline
    todo_labels: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, label: str, sources: Iterable[str], target: str, **options) -> "Workflow":
        for state in [*sources, target]:
            if state not in self.states:
                raise ValueError(f"{self.kind}: unknown state {state!r} in transition {name!r}")
        self.transitions[name] = Transition(name, label, frozenset(sources), target, **options)
        return self

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def todo_label(self, todo: str) -> str:
        return self.todo_labels.get(todo, todo)

    def detail_url(self, case_id: int) -> str:
        from django.urls import reverse

        return reverse(self.detail_url_name, args=[case_id]) if self.detail_url_name else ""

    def available(self, case: Case) -> list[Transition]:
        return [t for t in self.transitions.values() if case.state in t.sources]


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    _REGISTRY[workflow.kind] = workflow
    return workflow


def workflow_for(kind: str) -> Workflow:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no workflow registered for case kind {kind!r}") from None


def registered_kinds() -> dict[str, str]:
    return {kind: wf.label for kind, wf in sorted(_REGISTRY.items())}


def _clean_reason(reason: str, required: bool, label: str) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Rejected("case.reason_required", f"「{label}」须填写理由", field="reason")
    if len(reason) > REASON_MAX:
        raise Rejected("case.reason_too_long", f"理由不能超过{REASON_MAX}字", field="reason")
    return reason


def _open_assignments(case: Case) -> list[tuple[int, int | None, str]]:
    return list(Assignment.objects.filter(case=case, state=Assignment.State.OPEN).values_list("unit_id", "user_id", "role"))


def allowed(actor, case: Case, transition: Transition, open_assignments: list | None = None) -> bool:
    """Whether the actor may perform the transition: by a role held in a jurisdiction containing
    the case, or — for `by_assignee` transitions — because an open assignment is addressed to
    them (their unit, and their role or person if the assignment names one)."""
    reach = reach_of(actor)
    if transition.roles & reach.roles_in(case.area):
        return True
    if transition.by_assignee:
        if open_assignments is None:
            open_assignments = _open_assignments(case)
        for unit_id, user_id, role in open_assignments:
            if unit_id not in reach.unit_ids or (user_id is not None and user_id != reach.user_id):
                continue
            if not role or role in reach.roles_in_unit(unit_id):
                return True
    return False


def available_for(actor, case: Case) -> list[Transition]:
    """Transitions the actor could perform now (for buttons; perform() decides)."""
    open_assignments = _open_assignments(case)
    return [t for t in workflow_for(case.kind).available(case) if allowed(actor, case, t, open_assignments)]


@transaction.atomic
def open_case(
    actor,
    *,
    kind: str,
    title: str,
    area,
    owner_unit=None,
    channel: str = "",
    limit: deadlines.Limit | None = None,
    assign: Iterable[Assign] = (),
    parent: Case | None = None,
    number_unit=None,
    note: str = "",
    data: dict | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Create a case in its workflow's initial state, numbered, timed, assigned and journaled."""
    workflow = workflow_for(kind)
    title = (title or "").strip()
    if not title:
        raise Rejected("case.title_required", "请填写标题", field="title")
    if len(title) > 200:
        raise Rejected("case.title_too_long", "标题不能超过200字", field="title")
    opened_at = opened_at or timezone.now()
    case = Case(
        kind=kind,
        title=title,
        state=workflow.initial,
        area=area,
        owner_unit=owner_unit,
        channel=channel,
        opened_at=opened_at,
        parent=parent,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if limit is not None:
        deadlines.start(case, limit, opened_at)
    if workflow.number_series:
        unit = number_unit or owner_unit
        year = timezone.localtime(opened_at).year
        prefix = workflow.number_prefix(case, unit) if workflow.number_prefix else (unit.short_name or unit.name)
        case.number = numbering.format_number(prefix, year, numbering.next_number(unit, workflow.number_series, year))
    case.save(force_insert=True)
    for spec in assign:
        assignments.create(case, spec)
    journal.record(
        actor=actor,
        verb="open",
        case=case,
        summary=f"发起{workflow.label}",
        to_state=case.state,
        note=note,
        data={"number": case.number, **(data or {})},
    )
    return case


@transaction.atomic
def perform(
    actor,
    case: Case,
    name: str,
    *,
    reason: str = "",
    assign: Iterable[Assign] = (),
    complete: str = "all",
    data: dict | None = None,
    summary: str = "",
    before_save: Callable[[Case], None] | None = None,
) -> Case:
    """Perform transition `name` on `case` for `actor`; see the module docstring.

    complete: which open assignments the transition finishes — "all", "actor" (only those of the
    actor's units) or "none". `before_save` lets the domain set header fields (owner unit, rating)
    that are saved with the state change."""
    workflow = workflow_for(case.kind)
    transition = workflow.transitions.get(name)
    if transition is None:
        raise Rejected("case.unknown_action", "不支持的操作", field="action")
    if not can_see_case(actor, case):
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    if not allowed(actor, case, transition):
        raise Forbidden("case.not_allowed", f"您没有「{transition.label}」此事项的权限")
    reason = _clean_reason(reason, transition.needs_reason, transition.label)
    if case.state not in transition.sources:
        raise Conflict(
            "case.wrong_state",
            f"该事项当前为「{workflow.state_label(case.state)}」，不能「{transition.label}」，请刷新后查看",
        )
    if transition.condition and (why_not := transition.condition(case)):
        raise Rejected("case.condition_failed", why_not)

    now = timezone.now()
    from_state = case.state
    # Compare-and-set on state and version: of two people acting at once, one update finds the
    # row unchanged and wins; the other finds nothing to update and gets a conflict.
    updated = Case.objects.filter(pk=case.pk, state=from_state, version=case.version).update(
        state=transition.target, version=F("version") + 1, updated_at=now
    )
    if not updated:
        now_state = Case.objects.filter(pk=case.pk).values_list("state", flat=True).first()
        raise Conflict("case.conflict", f"该事项刚被他人处理，当前为「{workflow.state_label(now_state)}」，请刷新后查看")
    case.state, case.version = transition.target, case.version + 1

    if transition.deadline == "pause":
        deadlines.pause(case, now)
    elif transition.deadline == "resume":
        deadlines.resume(case, now)
    if transition.closes:
        case.closed_at = now
    if before_save:
        before_save(case)
    case.save(
        update_fields=[
            "owner_unit", "closed_at", "due_at", "due_uncertain", "paused_at", "extended_amount", "rating",
            "paused_working_days", "paused_seconds",
            "deadline_unit", "deadline_amount", "deadline_started_at", "title", "channel",
        ]
    )

    if complete == "all":
        assignments.complete_open(case, actor)
    elif complete == "actor":
        assignments.complete_open(case, actor, reach_of(actor).unit_ids)
    if transition.closes:
        assignments.cancel_open(case)
    for spec in assign:
        assignments.create(case, spec)

    journal.record(
        actor=actor,
        verb=transition.name,
        case=case,
        summary=summary or transition.label,
        from_state=from_state,
        to_state=case.state,
        note=reason,
        data=data,
    )
    return case


@transaction.atomic
def extend_deadline(actor, case: Case, amount: int, reason: str, approved_by) -> Case:
    """Extend the running deadline by `amount` units of its own kind, with the approver named.

    Who may approve is the domain's rule (its action checks it before calling this)."""
    if case.closed_at is not None:
        raise Conflict("case.closed", "该事项已办结，不能延期")
    if not case.deadline_unit or case.due_at is None:
        raise Rejected("case.no_deadline", "该事项没有办理时限，无需延期")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise Rejected("case.extension_invalid", "延期时长须为正整数", field="amount")
    reason = _clean_reason(reason, True, "延期")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != case.version:
        raise Conflict("case.conflict", "该事项刚被他人处理，请刷新后查看最新状态")
    old_due = case.due_at
    deadlines.extend(case, amount)
    case.version += 1
    case.save(update_fields=["due_at", "due_uncertain", "extended_amount", "version", "updated_at"])
    Assignment.objects.filter(case=case, state=Assignment.State.OPEN, due_at=old_due).update(
        due_at=case.due_at, due_uncertain=case.due_uncertain
    )
    journal.record(
        actor=actor,
        verb="extend",
        case=case,
        summary=f"延期{amount}{case.get_deadline_unit_display()}",
        from_state=case.state,
        to_state=case.state,
        note=reason,
        data={"amount": amount, "old_due": old_due, "new_due": case.due_at, "approved_by": getattr(approved_by, "pk", None)},
    )
    return case
