"""Past cases entered whole: a county's records from before the platform (or the demo county's
year of history), each case with its steps, assignments and journal, in bulk.

`workflow.perform()` is for the present: one transition, now, for someone allowed to act. A past
case's life has already happened — its steps carry their own times and actors — so `replay()`
takes the whole life at once and writes it with a handful of bulk inserts instead of a dozen
queries per step. Each step goes through the same step function as perform() (kernel/steps.py):
state, version, deadline pause and resume, closing, which work finishes, is cancelled or follows
the deadline, what is created and what the journal says are decided in one place, so a replayed
case has the rows it would have had live (tested). Numbers are gapless per unit, series and year
and take the workflow's own prefix, as open_case() gives them; the journal entries extend each
chain's hash chain (verify() checks them like any other).

What replay does not check is what only the present can say: whether the actor was allowed
(posts change), and transition conditions (they read detail rows the replay has not written yet).
Nor does it notify anyone: the past is not news.

Journal sequence is the order of entry: a case entered in one replay has all its entries there,
so on a chain they follow each other by case, and `created_at` says when each step happened."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from . import journal, steps
from .assignments import Assign, note_sent_outside
from .models import Assignment, Case, Extension, JournalEntry, NumberSeries
from .workflow import number_year, workflow_for


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
    # Which open assignments the step finishes, as in workflow.perform (kernel/steps.py); by
    # default "all" for a transition and "none" for a journal_only step.
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


def _live(past: PastCase) -> None:
    """Run the case's life in memory: states, header fields, assignments, journal entries."""
    case, workflow = past.case, workflow_for(past.case.kind)
    opening = steps.begin(case, workflow, at=case.opened_at, actor=case.created_by, assign=past.assign, note=past.note, data=past.data)
    past.assignments, past.entries = opening.created, [opening.entry]
    last = case.opened_at
    for step in past.steps:
        if step.at < last:
            raise HistoryError(f"{case.title}：步骤「{step.name}」早于前一步")
        last = step.at
        transition = None
        if not step.journal_only:
            transition = workflow.transitions.get(step.name)
            if transition is None or case.state not in transition.sources:
                raise HistoryError(f"{case.title}：「{workflow.state_label(case.state)}」时不能「{step.name}」")
        outcome = steps.take(
            case, [a for a in past.assignments if a.state == Assignment.State.OPEN], verb=step.name, transition=transition,
            at=step.at, actor=step.actor, assign=step.assign, complete=step.complete, before_save=step.before_save,
            summary=step.summary, note=step.note, data=step.data,
        )
        past.assignments += outcome.created
        past.entries.append(outcome.entry)


def _number(pasts: list[PastCase]) -> None:
    """Gapless numbers per unit, series and year, in the order the cases were opened."""
    by_series: dict[tuple, list[PastCase]] = defaultdict(list)
    for past in pasts:
        workflow = workflow_for(past.case.kind)
        if workflow.number_series:
            by_series[(past.number_unit.pk, workflow.number_series, number_year(past.case))].append(past)
    for (unit_id, series, year), group in by_series.items():
        NumberSeries.objects.bulk_create([NumberSeries(unit_id=unit_id, series=series, year=year, last=0)], ignore_conflicts=True)
        row = NumberSeries.objects.select_for_update().get(unit_id=unit_id, series=series, year=year)
        for past in sorted(group, key=lambda p: p.case.opened_at):
            row.last += 1
            past.case.number = workflow_for(past.case.kind).case_number(past.case, past.number_unit, row.last)
        row.save(update_fields=["last"])


@transaction.atomic
def replay(pasts: list[PastCase]) -> list[Case]:
    """Write the past cases with their assignments and journal; returns the saved cases, in order.
    All or nothing: a case its workflow does not allow raises HistoryError and nothing is written."""
    _number(pasts)
    for past in pasts:
        _live(past)
    cases = Case.objects.bulk_create([past.case for past in pasts], batch_size=500)
    assignments = []
    for past in pasts:
        for assignment in past.assignments:
            assignment.case = past.case  # now that it has its id
        assignments += past.assignments
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    note_sent_outside(case_ids=[past.case.pk for past in pasts])
    entries = [entry for past in pasts for entry in past.entries]
    for entry in entries:  # a step naming another case by its number or id can say so now
        entry.summary = entry.summary() if callable(entry.summary) else entry.summary
        entry.data = entry.data() if callable(entry.data) else entry.data
    journal.append_many(entries)
    return cases


def save_extensions(requests: list[tuple[Case, Extension, datetime, object]], now: datetime) -> None:
    """The extension requests of replayed cases, each (case, unsaved request, when it was decided,
    by whom): a past case's `extension_request` and `extend` steps are journal-only, so their
    Extension rows are written here — those requested by `now`, approved when decided by then."""
    rows = []
    for case, request, decided, leader in requests:
        if request.requested_at > now:
            continue
        request.case = case
        if decided <= now:
            request.state, request.decided_by, request.decided_at = Extension.State.APPROVED, leader, decided
        rows.append(request)
    Extension.objects.bulk_create(rows)
