"""Past cases entered whole: a county's records from before the platform (or the demo county's
year of history), each case with its steps, assignments and journal, in bulk.

`workflow.perform()` is for the present: one transition, now, for someone allowed to act. A past
case's life has already happened — its steps carry their own times and actors — so `replay()`
takes the whole life at once and writes it with a handful of bulk inserts instead of a dozen
queries per step. It keeps every rule that can still be checked about the past: each step must be
a declared transition out of the state the case is in, assignments open and close as perform()
opens and closes them, deadlines pause and resume at the step's time, numbers are gapless per
unit, series and year, and the journal entries extend each chain's hash chain (verify() checks
them like any other). What it does not do is notify anyone: the past is not news.

Journal sequence is the order of entry: a case entered in one replay has all its entries there,
so on a chain they follow each other by case, and `created_at` says when each step happened."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import deadlines, journal, numbering
from .assignments import Assign
from .models import Assignment, Case, JournalEntry, JournalHead, NumberSeries
from .workflow import workflow_for


@dataclass
class Step:
    """One thing that happened to a case. `name` is a transition of its workflow; with
    `journal_only` it is any verb recorded on the case without changing its state (a rating, a
    call to a department, an extension). `summary` and `data` may be functions, called once the
    cases of the replay are saved, for a step that names another case by its number or id."""

    at: datetime
    actor: object | None
    name: str
    summary: str | Callable[[], str] = ""
    note: str = ""
    data: dict | Callable[[], dict] | None = None
    assign: Sequence[Assign] = ()
    # Which open assignments the step finishes: "all" or "none" as in workflow.perform, or one
    # todo's (an approval finishes only the request for approval). By default "all", or "none"
    # for a journal_only step.
    complete: str = ""
    journal_only: bool = False
    before_save: Callable[[Case], None] | None = None


@dataclass
class PastCase:
    """An unsaved case header (kind, title, area, owner unit, channel, opened_at, created_by,
    parent; deadline fields if it was timed from the start), how it was numbered and opened,
    and what happened to it since, in order."""

    case: Case
    number_unit: object
    assign: Sequence[Assign] = ()
    note: str = ""
    data: dict | Callable[[], dict] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    # Filled by replay(): the assignments and journal entries, in order.
    assignments: list[Assignment] = field(default_factory=list, init=False)
    entries: list[JournalEntry] = field(default_factory=list, init=False)


class HistoryError(ValueError):
    """A past case whose steps its workflow does not allow: the import is wrong, nothing is written."""


def _assignment(case: Case, spec: Assign, at: datetime) -> Assignment:
    return Assignment(
        case=case, unit=spec.unit, user=spec.user, role=spec.role, todo=spec.todo, created_at=at,
        due_at=spec.due_at if spec.due_at is not None else case.due_at,
        due_uncertain=spec.due_uncertain if spec.due_at is not None else case.due_uncertain,
    )


def _entry(case: Case, actor, verb: str, at: datetime, summary, from_state: str, to_state: str, note: str, data) -> JournalEntry:
    entry = JournalEntry(
        chain=journal.chain_for_case(case), case=case, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or "系统")[:64], verb=verb,
        from_state=from_state, to_state=to_state, note=note, created_at=at,
    )
    entry.summary, entry.data = summary, data  # resolved in _chain, once every case has its pk and number
    return entry


def _live(past: PastCase) -> None:
    """Run the case's life in memory: states, header fields, assignments, journal entries."""
    case, workflow = past.case, workflow_for(past.case.kind)
    case.state, case.version = workflow.initial, 1
    past.assignments = [_assignment(case, spec, case.opened_at) for spec in past.assign]
    past.entries = [_entry(case, case.created_by, "open", case.opened_at, f"发起{workflow.label}", "", case.state, past.note, past.data)]
    last = case.opened_at
    for step in past.steps:
        if step.at < last:
            raise HistoryError(f"{case.title}：步骤「{step.name}」早于前一步")
        last = step.at
        from_state = case.state
        if step.journal_only:
            old_due = case.due_at
            if step.before_save:
                step.before_save(case)
            if case.due_at != old_due:  # an extension moves the open work due with it (workflow.extend_deadline)
                for assignment in past.assignments:
                    if assignment.state == Assignment.State.OPEN and assignment.due_at == old_due:
                        assignment.due_at, assignment.due_uncertain = case.due_at, case.due_uncertain
        else:
            transition = workflow.transitions.get(step.name)
            if transition is None or case.state not in transition.sources:
                raise HistoryError(f"{case.title}：「{workflow.state_label(case.state)}」时不能「{step.name}」")
            case.state, case.version = transition.target, case.version + 1
            if transition.deadline == "pause":
                deadlines.pause(case, step.at)
            elif transition.deadline == "resume":
                deadlines.resume(case, step.at)
            if transition.closes:
                case.closed_at = step.at
            if step.before_save:
                step.before_save(case)
        complete = step.complete or ("none" if step.journal_only else "all")
        closes = not step.journal_only and workflow.transitions[step.name].closes
        for assignment in past.assignments:
            if assignment.state != Assignment.State.OPEN:
                continue
            if complete == "all" or complete == assignment.todo:
                assignment.state, assignment.done_at = Assignment.State.DONE, step.at
                assignment.done_by = step.actor if getattr(step.actor, "pk", None) else None
            elif closes:
                assignment.state, assignment.done_at = Assignment.State.CANCELLED, step.at
        past.assignments += [_assignment(case, spec, step.at) for spec in step.assign]
        summary = step.summary or (step.name if step.journal_only else workflow.transitions[step.name].label)
        past.entries.append(_entry(case, step.actor, step.name, step.at, summary, from_state, case.state, step.note, step.data))


def _number(pasts: list[PastCase]) -> None:
    """Gapless numbers per unit, series and year, in the order the cases were opened."""
    by_series: dict[tuple, list[PastCase]] = defaultdict(list)
    for past in pasts:
        workflow = workflow_for(past.case.kind)
        if workflow.number_series:
            by_series[(past.number_unit.pk, workflow.number_series, timezone.localtime(past.case.opened_at).year)].append(past)
    for (unit_id, series, year), group in by_series.items():
        NumberSeries.objects.bulk_create([NumberSeries(unit_id=unit_id, series=series, year=year, last=0)], ignore_conflicts=True)
        row = NumberSeries.objects.select_for_update().get(unit_id=unit_id, series=series, year=year)
        for past in sorted(group, key=lambda p: p.case.opened_at):
            row.last += 1
            workflow = workflow_for(past.case.kind)
            prefix = workflow.number_prefix(past.case, past.number_unit) if workflow.number_prefix else past.number_unit.name
            past.case.number = numbering.format_number(prefix, year, row.last)
        row.save(update_fields=["last"])


def _chain(entries: list[JournalEntry]) -> None:
    """Append the entries to their chains, oldest step first within this replay."""
    by_chain: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        by_chain[entry.chain].append(entry)
    for chain, rows in sorted(by_chain.items()):
        JournalHead.objects.bulk_create([JournalHead(chain=chain, seq=0, hash=journal.GENESIS)], ignore_conflicts=True)
        head = JournalHead.objects.select_for_update().get(chain=chain)
        for entry in sorted(rows, key=lambda e: e.created_at):
            entry.case_id = entry.case.pk
            entry.summary = (entry.summary() if callable(entry.summary) else entry.summary)[:200]
            entry.data = journal.normalised(entry.data() if callable(entry.data) else entry.data)
            entry.seq, entry.prev_hash = head.seq + 1, head.hash
            entry.hash = journal.compute_hash(entry)
            head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])


@transaction.atomic
def replay(pasts: list[PastCase]) -> list[Case]:
    """Write the past cases with their assignments and journal; returns the saved cases, in order.
    All or nothing: a case its workflow does not allow raises HistoryError before anything is written."""
    for past in pasts:
        _live(past)
    _number(pasts)
    cases = Case.objects.bulk_create([past.case for past in pasts], batch_size=500)
    assignments = []
    for past in pasts:
        for assignment in past.assignments:
            assignment.case = past.case
        assignments += past.assignments
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    entries = [entry for past in pasts for entry in past.entries]
    _chain(entries)
    JournalEntry.objects.bulk_create(entries, batch_size=1000)
    return cases
