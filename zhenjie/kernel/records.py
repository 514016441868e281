"""State changes of records that are not cases (a list version, a delegation): the small part of
the workflow engine they need — compare-and-set on the state and a journal entry, in one
transaction — without assignments, deadlines or numbers.

Of two people acting on the same record at once, the first conditional UPDATE changes the row and
the second finds nothing to change: a Conflict naming the state the record is in now, and
nothing written."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Model

from . import journal
from .errors import Conflict


@transaction.atomic
def transition(
    record: Model,
    *,
    to: str,
    sources: str | Iterable[str],
    actor,
    verb: str,
    label: str,
    subject: str,
    noun: str,
    code: str,
    field: str = "state",
    counter: str | None = None,
    summary: str = "",
    note: str = "",
    data: dict | None = None,
    also: dict | None = None,
) -> Model:
    """Move `record.<field>` from one of `sources` to `to` (writing the `also` fields with it)
    and journal it under `subject`; the record is re-read. `counter` names a version field that
    must still hold what the caller read (a double click on a record already moved on and back).

    `label` is what the person did (批准赋权), `noun` what they did it to (该赋权事项): the
    conflict reads "该赋权事项当前为「已批准」，不能批准赋权，请刷新后重试"."""
    model = type(record)
    sources = [sources] if isinstance(sources, str) else list(sources)
    condition = {"pk": record.pk, f"{field}__in": sources}
    changes = {field: to, **(also or {})}
    if counter:
        condition[counter] = getattr(record, counter)
        changes[counter] = F(counter) + 1
    if not model.objects.filter(**condition).update(**changes):
        current = model.objects.filter(pk=record.pk).first()
        shown = getattr(current, f"get_{field}_display")() if current is not None else "已删除"
        raise Conflict(code, f"{noun}当前为「{shown}」，不能{label}，请刷新后重试")
    before = getattr(record, field)
    record.refresh_from_db()
    journal.record(
        actor=actor, verb=verb, subject=subject, from_state=before, to_state=to,
        summary=summary or label, note=note, data=data,
    )
    return record
