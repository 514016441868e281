"""The workflow engine. See WORKFLOW.md beside this file.

Each case kind declares its states and transitions once (a Workflow, registered at import time
by its domain app), with the phases its lists show, the input each transition takes and the
rules ("may") of the actions that are not transitions. `open_case()` and `perform()` are the only
ways a case is created or changes state: each runs in one transaction — rule checks, the state
change (compare-and-set, so of two people acting at once exactly one wins), then the step itself
(kernel/steps.py, shared with history.replay): assignments, deadline, journal entry, and
notifications. `permitted_actions()` tells pages and the API what a person may do.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import assignments, deadlines, journal, numbering, opened, steps
from .actors import journal_name
from .assignments import Assign
from .errors import ActionError, Conflict, Forbidden, NotFound, Rejected
from .inputs import text as checked_text
from .models import Assignment, Case
from .prepared import Prepared
from .scoping import can_see_case, reach_of
from .steps import KERNEL_TODOS

REASON_MAX = 2000

# Phases group a workflow's states for tabs, counts and analysis. Every phase is in one group:
OPEN = "open"  # with whoever runs the case: to accept, route, check, decide or close it
WAITING = "waiting"  # out with someone else (the handling unit, a called department, an applicant); they have not answered yet
DONE = "done"  # closed: lists count these no further than a cap (docs/PERFORMANCE.md)
GROUPS = (OPEN, WAITING, DONE)


@dataclass(frozen=True)
class Phase:
    label: str
    states: tuple[str, ...]
    group: str = OPEN


# What an input is, for the page or API that asks for it; the engine checks the text ones.
TEXT, LONGTEXT, INTEGER, BOOLEAN, CHOICE, UNIT, UNITS, CASE, FILES = (
    "text", "longtext", "integer", "boolean", "choice", "unit", "units", "case", "files",
)
_TEXT_KINDS = (TEXT, LONGTEXT)


@dataclass(frozen=True)
class Input:
    """One thing a transition or action takes from the person doing it."""

    name: str
    label: str
    kind: str = TEXT
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[object, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""

    def clean(self, value, action_label: str, prefix: str = "case"):
        """The value as the action should use it, or Rejected naming the field (its code under
        `prefix`: a kind's own actions name their refusals by the kind)."""
        if self.kind in _TEXT_KINDS:
            return checked_text(value, field=self.name, label=self.label, max_length=self.max_length, code=prefix,
                                required=self.required, required_message=f"「{action_label}」须填写{self.label}")  # fmt: skip
        if self.required and value in (None, "", [], ()):
            raise Rejected(f"{prefix}.{self.name}_required", f"「{action_label}」须选择{self.label}", field=self.name)
        if self.kind == BOOLEAN and value is not None and not isinstance(value, bool):
            raise Rejected(f"{prefix}.{self.name}_invalid", f"{self.label}须为是或否", field=self.name)
        if self.kind == INTEGER and value is not None:
            low, high = self.minimum, self.maximum
            if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low) or (high is not None and value > high):
                bounds = f"{low}至{high}的" if low is not None and high is not None else f"不小于{low}的" if low is not None else ""
                raise Rejected(f"{prefix}.{self.name}_invalid", f"{self.label}须为{bounds}整数", field=self.name)
        if self.kind == CHOICE and value is not None and value not in {code for code, _ in self.choices}:
            raise Rejected(f"{prefix}.{self.name}_invalid", f"请选择{self.label}", field=self.name)
        return value


# The journal note of a step: optional unless a transition declares it required (needs_reason).
REASON = Input("reason", "理由", LONGTEXT, max_length=REASON_MAX)


def clean_inputs(inputs: Iterable[Input], values: dict, action_label: str, prefix: str = "case") -> dict:
    """Every declared input cleaned (text stripped, required and limits checked); the first
    problem raises Rejected naming its field."""
    return {spec.name: spec.clean(values.get(spec.name), action_label, prefix) for spec in inputs}


# ---- a case named by a person: its number as printed ----------------------------------------

NUMBER_MAX = 64  # Case.number's length
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕", "［": "〔", "］": "〕", "〖": "〔", "〗": "〕"})
_NUMBER = re.compile(r"(?P<prefix>.+?)〔(?P<year>\d{4})〕第?(?P<n>\d{1,9})号?")


def normalize_number(text: str) -> str:
    """A case number as people type it — without 第, with other brackets, full-width digits or
    spaces — as numbering writes it (`柳湾事〔2026〕第12号`, numbering.format_number), or "" when
    the text is no such number."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).translate(_BRACKETS)
    found = _NUMBER.fullmatch(text)
    if found is None:
        return ""
    return numbering.format_number(found["prefix"], int(found["year"]), int(found["n"]))


def case_input(user, spec: "Input", value, kind: str, action_label: str, prefix: str = "case") -> int | None:
    """A CASE input as its action takes it: the id of a case of `kind` that `user` may see, named
    by its number as printed (page and API), or — over the API, as before — by its id.

    A number that does not exist and one out of the user's reach are refused alike, so nobody
    learns what exists elsewhere. Two townships may issue alike-looking numbers (NUMBERING.md):
    when the user's reach holds both, the number alone cannot choose and is refused."""
    if value in (None, ""):
        spec.clean(None, action_label, prefix)  # required → Rejected naming the field
        return None
    from .scoping import case_is_visible

    visible = Case.objects.filter(case_is_visible(user, "pk"), kind=kind)
    label = workflow_for(kind).label if kind in _REGISTRY else "事项"
    if isinstance(value, int) and not isinstance(value, bool):  # the API's id
        if not 1 <= value <= 2**63 - 1 or not visible.filter(pk=value).exists():
            raise Rejected(f"{prefix}.{spec.name}_unknown", f"{spec.label}：{label}不存在或不在您的辖区内", field=spec.name)
        return value
    if not isinstance(value, str):
        raise Rejected(f"{prefix}.{spec.name}_invalid", f"{spec.label}须填写{label}编号", field=spec.name)
    text = value.strip()
    number = normalize_number(text[: NUMBER_MAX * 2])
    if len(text) > NUMBER_MAX or not number:
        raise Rejected(
            f"{prefix}.{spec.name}_invalid",
            f"「{text[:NUMBER_MAX]}」不是{label}编号，请按「××事〔2026〕第12号」的格式填写{spec.label}",
            field=spec.name,
        )
    found = list(visible.filter(number=number).values_list("pk", flat=True)[:2])
    if not found:
        raise Rejected(f"{prefix}.{spec.name}_unknown", f"您的辖区内没有编号为{number}的{label}，请核对{spec.label}", field=spec.name)
    if len(found) > 1:
        raise Rejected(f"{prefix}.{spec.name}_ambiguous", f"编号{number}在您的辖区内对应多件{label}，请在该{label}页面办理", field=spec.name)
    return found[0]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset()  # roles that may act within their jurisdiction
    by_assignee: bool = False  # …or whoever an open assignment on the case is addressed to
    closes: bool = False
    deadline: str | None = None  # "pause", "resume" or "stop"
    condition: Callable[[Case], str | None] | None = None  # returns why not, or None
    inputs: tuple[Input, ...] = ()
    # Who may not, though their role or their work would let them: (standing) → the refusal, or
    # None. The buttons (permitted_actions) and perform() read it alike (an event's handling unit
    # does not verify its own work).
    rule: Callable[["Standing"], ActionError | None] | None = None

    @property
    def needs_reason(self) -> bool:
        return any(spec.name == REASON.name and spec.required for spec in self.inputs)

    def input(self, name: str) -> Input | None:
        return next((spec for spec in self.inputs if spec.name == name), None)

    def clean(self, values: dict) -> dict:
        return clean_inputs(self.inputs, values, self.label)

    def clean_reason(self, reason: str) -> str:
        return (self.input(REASON.name) or REASON).clean(reason, self.label)


def all_of(*rules: Callable[["Standing"], ActionError | None]) -> Callable[["Standing"], ActionError | None]:
    """One `rule=` from several, each said by the part that owns it: the first refusal, or None."""

    def rule(standing: "Standing") -> ActionError | None:
        return next((refused for check in rules if (refused := check(standing)) is not None), None)

    return rule


@dataclass(frozen=True)
class Permission:
    """An action on a case that is not a transition (request an extension, call departments,
    rate, card it, reveal a phone): who may, and when, said once by `rule` — `(standing)` →
    None when the actor may, else the error the action raises (Forbidden: not you; Conflict:
    not now). The page shows the action when the rule says None; the action calls the same rule."""

    name: str
    label: str
    rule: Callable[["Standing"], ActionError | None]
    inputs: tuple[Input, ...] = ()

    def clean(self, values: dict) -> dict:
        return clean_inputs(self.inputs, values, self.label)


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
    # The todos whose own deadlines the supervision sweep cards (kernel/SUPERVISION.md): yellow,
    # red and up the ladder. The kernel's own todo (answer_notice) is supervised for every kind.
    supervised: frozenset[str] = frozenset()
    # Phases, in the order tabs show them; without any, each state is its own phase (register()).
    phases: dict[str, Phase] = field(default_factory=dict)
    permissions: dict[str, Permission] = field(default_factory=dict)

    def add(self, name: str, label: str, sources: Iterable[str], target: str, *, needs_reason: bool = False,
            inputs: Iterable[Input] = (), **options) -> "Workflow":
        for state in [*sources, target]:
            if state not in self.states:
                raise ValueError(f"{self.kind}: unknown state {state!r} in transition {name!r}")
        inputs = tuple(inputs)
        if needs_reason and not any(spec.name == REASON.name for spec in inputs):
            inputs = (*inputs, replace(REASON, required=True))
        self.transitions[name] = Transition(name, label, frozenset(sources), target, inputs=inputs, **options)
        return self

    def may(self, name: str, label: str, rule: Callable[["Standing"], ActionError | None], inputs: Iterable[Input] = ()) -> "Workflow":
        """Declare an action that is not a transition, and the rule saying who may take it when."""
        if name in self.transitions:
            raise ValueError(f"{self.kind}: {name!r} is already a transition")
        self.permissions[name] = Permission(name, label, rule, tuple(inputs))
        return self

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def todo_label(self, todo: str) -> str:
        return self.todo_labels.get(todo) or KERNEL_TODOS.get(todo, todo)

    def supervises(self, todo: str) -> bool:
        return todo in self.supervised or todo in KERNEL_TODOS

    def detail_url(self, case_id: int) -> str:
        from django.urls import reverse

        return reverse(self.detail_url_name, args=[case_id]) if self.detail_url_name else ""

    def available(self, case: Case) -> list[Transition]:
        return [t for t in self.transitions.values() if case.state in t.sources]

    # ---- phases

    def phase_of(self, state: str) -> str:
        return next((name for name, phase in self.phases.items() if state in phase.states), "")

    def states_in(self, *groups: str) -> list[str]:
        """The states of every phase in the given groups (OPEN, WAITING, DONE), in declared order."""
        return [state for phase in self.phases.values() if phase.group in groups for state in phase.states]

    def state_q(self, states=None) -> Q:
        """Cases in `states` (every one when None), said on the case header so that the
        (area, kind, closed_at, …) index answers a count: a case has closed_at exactly when it is
        in a done state (check() holds every kind to it), so every done state is "closed", and
        open or done states are searched among the open or the closed."""
        if states is None:
            return Q()
        done = set(self.states_in(DONE))
        if set(states) == done:
            return Q(closed_at__isnull=False)
        if set(states) <= done:
            return Q(closed_at__isnull=False, state__in=states)
        if not set(states) & done:
            return Q(closed_at__isnull=True, state__in=states)
        return Q(state__in=states)

    def phase_states(self, *names: str) -> list[str]:
        return [state for name in names for state in self.phases[name].states]

    def check(self) -> None:
        """Declarations that cannot work are refused at start-up, not on a user's click."""
        if not self.phases:
            closing = {t.target for t in self.transitions.values() if t.closes}
            self.phases = {state: Phase(label, (state,), DONE if state in closing else OPEN) for state, label in self.states.items()}
        placed = [state for phase in self.phases.values() for state in phase.states]
        if sorted(placed) != sorted(self.states):
            raise ValueError(f"{self.kind}: every state must be in exactly one phase")
        if any(phase.group not in GROUPS for phase in self.phases.values()):
            raise ValueError(f"{self.kind}: a phase's group is one of {GROUPS}")
        # A closed case is done and a done case is closed: lists and counts rely on it.
        for transition in self.transitions.values():
            if transition.closes != (transition.target in self.states_in(DONE)):
                raise ValueError(f"{self.kind}: {transition.name!r} must close the case exactly when it leads to a done phase")

    # ---- numbers

    def case_number(self, case: Case, unit, sequence: int) -> str:
        """The number of the case, `sequence` in its unit's series for the year it was opened."""
        prefix = self.number_prefix(case, unit) if self.number_prefix else (unit.short_name or unit.name)
        return numbering.format_number(prefix, number_year(case), sequence)

    # ---- what someone may do

    def why_not(self, standing: "Standing", name: str) -> ActionError | None:
        """Why the actor may not take the non-transition action `name` now, or None."""
        return self.permissions[name].rule(standing)

    def require(self, actor, case: Case, name: str) -> "Standing":
        """Raise what the action's rule says when the actor may not take it; the page read the same rule."""
        standing = Standing(actor, case)
        if problem := self.why_not(standing, name):
            raise problem
        return standing


def rule_of(name: str) -> Callable[[object, Case], ActionError | None]:
    """The kind's "may" rule `name` as a function of (actor, case), for kernel services that take
    one (rating.rate, parties.reveal_on_case). A kind that declares no such action refuses it."""

    def rule(actor, case: Case) -> ActionError | None:
        workflow = workflow_for(case.kind)
        if name not in workflow.permissions:
            return Forbidden("case.not_allowed", f"{workflow.label}不支持此操作")
        return workflow.why_not(Standing(actor, case), name)

    return rule


def number_year(case: Case) -> int:
    return timezone.localtime(case.opened_at).year


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    workflow.check()
    _REGISTRY[workflow.kind] = workflow
    return workflow


def workflow_for(kind: str) -> Workflow:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no workflow registered for case kind {kind!r}") from None


def registered_kinds() -> dict[str, str]:
    return {kind: wf.label for kind, wf in sorted(_REGISTRY.items())}


def open_work_of(case: Case) -> list[Assignment]:
    return _OPEN_WORK(case_id=case.pk)


# Every page of a case and every step asks (kernel.prepared).
_OPEN_WORK = Prepared(lambda case_id: Assignment.objects.filter(case_id=case_id, state=Assignment.State.OPEN).order_by("pk"), case_id=int)


class Standing:
    """One actor before one case: the roles they hold there and the open work addressed to them,
    each read at most once (the reach is kept on the user; the open work is one query, when a
    rule first asks). Rules of a workflow receive it; so can a domain's own lookups (`memo`)."""

    def __init__(self, actor, case: Case, reach=None):
        self.actor, self.case = actor, case
        self.reach = reach if reach is not None else reach_of(actor)
        self._open_work: list[Assignment] | None = None
        self._memo: dict[str, object] = {}
        self.roles = self.reach.roles_in(case.area)  # held through a post whose jurisdiction contains the case

    @property
    def open_work(self) -> list[Assignment]:
        if self._open_work is None:
            self._open_work = open_work_of(self.case)
        return self._open_work

    def holds(self, roles: Iterable[str]) -> bool:
        return bool(self.roles & frozenset(roles))

    def assigned(self) -> bool:
        """Whether an open assignment on the case is addressed to the actor: a unit of theirs,
        and their role or their person if it names one."""
        reach = self.reach
        for work in self.open_work:
            if work.todo in KERNEL_TODOS:  # owing an answer to a 督办单 gives no say over the case's steps
                continue
            if work.unit_id not in reach.unit_ids or (work.user_id is not None and work.user_id not in reach.user_ids):
                continue
            if not work.role or work.role in reach.roles_in_unit(work.unit_id):
                return True
        return False

    def allowed(self, transition: Transition | str) -> bool:
        """Whether the actor may perform the transition, whatever state the case is in: by a
        role held in a jurisdiction containing the case, or — for `by_assignee` transitions —
        because an open assignment is addressed to them."""
        if isinstance(transition, str):
            transition = workflow_for(self.case.kind).transitions[transition]
        return bool(transition.roles & self.roles) or (transition.by_assignee and self.assigned())

    def passes(self, transition: Transition) -> bool:
        """Whether the transition's own rule (if it declares one) lets the actor take it."""
        return transition.rule is None or transition.rule(self) is None

    def acting_for(self, transition: Transition) -> int | None:
        """Whom the actor acts for (AB岗): None when their own posts allow the transition, else the
        absent person they stand in for whose posts do. Reads nothing for anyone who stands in for
        no one; the open work is the one already read."""
        if not self.reach.stands_for:
            return None
        for owner in (None, *sorted(self.reach.stands_for)):
            part = Standing(self.actor, self.case, self.reach.of(owner))
            part._open_work = self.open_work
            if part.allowed(transition):
                return owner
        return None

    def memo(self, key: str, compute: Callable[[], object]):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


@dataclass(frozen=True)
class Permitted:
    """What one actor may do to one case now: the transitions and the other actions, in the
    order the workflow declares them."""

    transitions: dict[str, Transition]
    actions: dict[str, Permission]
    standing: Standing

    def __contains__(self, name: str) -> bool:
        return name in self.transitions or name in self.actions

    def listed(self) -> list[dict]:
        return [{"name": name, "label": what.label} for name, what in (self.transitions | self.actions).items()]


def permitted_actions(actor, case: Case) -> Permitted:
    """Transitions the actor could perform now and the actions their rules allow, for buttons
    and the API (perform and the actions decide again). One query for the open work (none for
    the case just opened: kernel/opened.py), plus what the kind's rules read."""
    workflow = workflow_for(case.kind)
    standing = Standing(actor, case)
    if (just_opened := opened.of(case)) is not None:
        standing._open_work = list(just_opened.open_work)
    transitions = {t.name: t for t in workflow.available(case) if standing.allowed(t) and standing.passes(t)}
    actions = {name: p for name, p in workflow.permissions.items() if p.rule(standing) is None}
    return Permitted(transitions, actions, standing)


def available_for(actor, case: Case) -> list[Transition]:
    """Transitions the actor could perform now (for buttons; perform() decides)."""
    standing = Standing(actor, case)
    return [t for t in workflow_for(case.kind).available(case) if standing.allowed(t) and standing.passes(t)]


# Header fields a step may change besides state and version (which the compare-and-set writes).
# Not the rating: kernel.rating writes it alone, once, and a stale case must not put it back.
HEADER_FIELDS = [
    "owner_unit", "closed_at", "due_at", "due_uncertain", "paused_at", "extended_amount",
    "paused_working_days", "paused_seconds", "deadline_unit", "deadline_amount", "deadline_started_at", "title", "channel",
]


def _save_work(outcome: steps.Outcome) -> None:
    """Write what a step did to the case's work; new work is announced to the people it reaches."""
    if outcome.finished:
        done = outcome.finished[0]
        Assignment.objects.filter(pk__in=[a.pk for a in outcome.finished]).update(state=done.state, done_at=done.done_at, done_by=done.done_by)
    if outcome.cancelled:
        Assignment.objects.filter(pk__in=[a.pk for a in outcome.cancelled]).update(state=Assignment.State.CANCELLED, done_at=outcome.cancelled[0].done_at)
    if outcome.moved:
        moved = outcome.moved[0]
        Assignment.objects.filter(pk__in=[a.pk for a in outcome.moved]).update(due_at=moved.due_at, due_uncertain=moved.due_uncertain)
    for assignment in outcome.created:
        assignments.add(assignment)


@transaction.atomic
def open_case(
    actor,
    *,
    kind: str,
    title: str,
    area,
    owner_unit=None,
    channel: str = "",
    external_id: str = "",
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
    # An importer's case opened in the past is recorded now: the journal and the first work say
    # when the platform took it (history.replay enters whole past lives instead).
    now = timezone.now()
    opened_at = opened_at or now
    case = Case(
        kind=kind,
        title=title,
        area=area,
        owner_unit=owner_unit,
        channel=channel,
        external_id=external_id,
        opened_at=opened_at,
        parent=parent,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if limit is not None:
        deadlines.start(case, limit, opened_at)
    if workflow.number_series:
        unit = number_unit or owner_unit
        case.number = workflow.case_number(case, unit, numbering.next_number(unit, workflow.number_series, number_year(case)))
    outcome = steps.begin(case, workflow, at=now, actor=actor, assign=assign, note=note, data=data)
    case.save(force_insert=True)
    opened.start(case)  # what follows is noted on the case for the create's answer (kernel/opened.py)
    _save_work(outcome)
    journal.append(outcome.entry)
    return case


@transaction.atomic
def perform(
    actor,
    case: Case,
    name: str,
    *,
    reason: str = "",
    assign: Iterable[Assign] = (),
    complete: str = steps.ALL,
    data: dict | None = None,
    summary: str = "",
    before_save: Callable[[Case], None] | None = None,
) -> Case:
    """Perform transition `name` on `case` for `actor`; see the module docstring.

    complete: which open assignments the transition finishes — "all", "actor" (only those of the
    actor's units), "none", or a todo's name (kernel/steps.py). `before_save` lets the domain set
    header fields (owner unit, rating) that are saved with the state change."""
    opened.forget(case)  # a step changes what opening wrote: whoever answers reads the case again
    workflow = workflow_for(case.kind)
    transition = workflow.transitions.get(name)
    if transition is None:
        raise Rejected("case.unknown_action", "不支持的操作", field="action")
    if not can_see_case(actor, case):
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    standing = Standing(actor, case)
    if transition.rule is not None and (refused := transition.rule(standing)) is not None:
        raise refused  # the kind's own refusal says why, before the general one
    if not standing.allowed(transition):
        raise Forbidden("case.not_allowed", f"您没有「{transition.label}」此事项的权限")
    reason = transition.clean_reason(reason)
    if case.state not in transition.sources:
        raise Conflict(
            "case.wrong_state",
            f"该事项当前为「{workflow.state_label(case.state)}」，不能「{transition.label}」，请刷新后查看",
        )
    if transition.condition and (why_not := transition.condition(case)):
        raise Rejected("case.condition_failed", why_not)

    now = timezone.now()
    # Compare-and-set on state and version: of two people acting at once, one update finds the
    # row unchanged and wins; the other finds nothing to update and gets a conflict.
    updated = Case.objects.filter(pk=case.pk, state=case.state, version=case.version).update(
        state=transition.target, version=F("version") + 1, updated_at=now
    )
    if not updated:
        now_state = Case.objects.filter(pk=case.pk).values_list("state", flat=True).first()
        raise Conflict("case.conflict", f"该事项刚被他人处理，当前为「{workflow.state_label(now_state)}」，请刷新后查看")
    acting_for = standing.acting_for(transition)
    outcome = steps.take(
        case, standing.open_work, verb=transition.name, transition=transition, at=now, actor=actor, assign=assign,
        complete=complete, before_save=before_save, summary=summary, note=reason, data=data,
    )
    if acting_for is not None:
        _name_absent(outcome.entry, actor, acting_for)
    case.save(update_fields=HEADER_FIELDS)
    _save_work(outcome)
    journal.append(outcome.entry)
    return case


def _name_absent(entry, actor, absent_id: int) -> None:
    """A stand-in's act is the stand-in's, on the absent person's behalf: the timeline says
    "X 代 Y" and the entry keeps Y's id (AB岗, seed 002 §三(三))."""
    from zhenjie.accounts.models import User

    absent = User.objects.filter(pk=absent_id).first()
    entry.actor_name = f"{journal_name(actor)} 代 {absent.display_name if absent else absent_id}"[:64]
    entry.data = {**(entry.data or {}), "on_behalf_of": absent_id}


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
    reason = replace(REASON, required=True).clean(reason, "延期")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != case.version:
        raise Conflict("case.conflict", "该事项刚被他人处理，请刷新后查看最新状态")
    old_due = case.due_at
    outcome = steps.take(
        case, open_work_of(case), verb="extend", at=timezone.now(), actor=actor, note=reason,
        summary=f"延期{amount}{case.get_deadline_unit_display()}", before_save=lambda c: deadlines.extend(c, amount),
    )
    outcome.entry.data = {"amount": amount, "old_due": old_due, "new_due": case.due_at, "approved_by": getattr(approved_by, "pk", None)}
    case.save(update_fields=["due_at", "due_uncertain", "extended_amount", "version", "updated_at"])
    _save_work(outcome)
    journal.append(outcome.entry)
    return case
