"""One step of a case's life, worked out in memory: the one place that decides what a step does.

`workflow.perform()` takes a step now, for someone allowed to act, and saves it with
compare-and-set and notifications; `history.replay()` takes the steps of a past life and saves
them in bulk. Both call `take()` (and `begin()` for the opening), so a replayed case lands with
the rows it would have had if each step had been performed live (kernel/tests/test_history.py).

Nothing here reads or writes the database, except `reach_of(actor)` for `complete="actor"`."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from . import assignments, deadlines, journal
from .assignments import Assign
from .models import Assignment, Case, JournalEntry
from .scoping import reach_of

# Which open assignments a step finishes: every one, those of the actor's units, none, or — any
# other word — those asking for that todo (an approval finishes only the request for approval).
ALL, ACTOR, NONE = "all", "actor", "none"
# Todos the kernel itself gives out, for any kind: a 督办单 is answered (kernel.supervision). They
# are done by their own action only; a step of the case does not finish them (closing cancels them).
KERNEL_TODOS = {"answer_notice": "反馈督办单"}


@dataclass
class Outcome:
    """What one step did to the case's work and what it records. The case itself was changed in
    place (state, version, deadline, closing time, and whatever `before_save` set)."""

    from_state: str
    entry: JournalEntry  # drafted, not yet on its chain
    created: list[Assignment] = field(default_factory=list)  # built, not saved
    finished: list[Assignment] = field(default_factory=list)
    cancelled: list[Assignment] = field(default_factory=list)
    moved: list[Assignment] = field(default_factory=list)  # open work whose due followed the case's deadline


def _actor_row(actor):
    return actor if getattr(actor, "pk", None) else None


def begin(case: Case, workflow, *, at: datetime, actor, assign: Sequence[Assign] = (), note: str = "", data=None) -> Outcome:
    """A case's opening: its initial state, first work and first journal entry. `case.number`
    must be set already. `data` may be a function (history resolves it once the cases are saved)."""
    case.state, case.version = workflow.initial, 1
    if callable(data):
        opened = data
        data = lambda: {"number": case.number, **opened()}  # noqa: E731
    else:
        data = {"number": case.number, **(data or {})}
    entry = journal.draft(actor=actor, verb="open", case=case, summary=f"发起{workflow.label}", to_state=case.state, note=note, data=data, at=at)
    return Outcome(from_state="", entry=entry, created=[assignments.build(case, spec, at) for spec in assign])


def take(
    case: Case,
    open_work: Sequence[Assignment],
    *,
    verb: str,
    transition=None,
    at: datetime,
    actor,
    assign: Sequence[Assign] = (),
    complete: str = "",
    before_save: Callable[[Case], None] | None = None,
    summary: str | Callable[[], str] = "",
    note: str = "",
    data: dict | Callable[[], dict] | None = None,
) -> Outcome:
    """Apply one step to `case` and its `open_work` in memory.

    With a `transition` (the caller has checked it may be taken from the case's state): state,
    version, pause or resume of the deadline, closing time. Without one, `verb` is recorded on the
    case without changing its state (an extension, a rating, a call). Then `before_save` sets
    header fields; the open work is finished (`complete`, by default "all" for a transition and
    "none" otherwise) and, when the step closes the case, the rest is cancelled; work still open
    that was due with the case follows its deadline when the step moved it; `assign` is created.

    The version counts changes of state and of deadline: a step without a transition bumps it
    only when it moved the deadline (as an extension does)."""
    from_state, old_due = case.state, case.due_at
    if transition is not None:
        case.state, case.version = transition.target, case.version + 1
        if transition.deadline == "pause":
            deadlines.pause(case, at)
        elif transition.deadline == "resume":
            deadlines.resume(case, at)
        if transition.closes:
            case.closed_at = at
        elif case.closed_at is not None:
            # Out of a done phase (a case reopened): it is open again; the kind's before_save
            # restarts the deadline for whoever has it now.
            case.closed_at = None
    if before_save:
        before_save(case)
    deadline_moved = old_due is not None and case.due_at != old_due
    if transition is None and deadline_moved:
        case.version += 1

    complete = complete or (ALL if transition is not None else NONE)
    units = reach_of(actor).unit_ids if complete == ACTOR else frozenset()
    closes = transition is not None and transition.closes
    finished, cancelled, moved = [], [], []
    for work in open_work:
        if work.todo not in KERNEL_TODOS and (
            complete == ALL or (complete == ACTOR and work.unit_id in units) or (complete not in (ALL, ACTOR, NONE) and work.todo == complete)
        ):
            work.state, work.done_at, work.done_by = Assignment.State.DONE, at, _actor_row(actor)
            finished.append(work)
        elif closes:
            work.state, work.done_at = Assignment.State.CANCELLED, at
            cancelled.append(work)
        elif deadline_moved and work.due_at == old_due:
            work.due_at, work.due_uncertain = case.due_at, case.due_uncertain
            moved.append(work)
    entry = journal.draft(
        actor=actor,
        verb=verb,
        case=case,
        summary=summary or (transition.label if transition is not None else verb),
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data,
        at=at,
    )
    created = [assignments.build(case, spec, at) for spec in assign]
    return Outcome(from_state, entry, created, finished, cancelled, moved)
