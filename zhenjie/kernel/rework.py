"""返工 (rework): one row each time a case goes back to the unit that handled it, for every kind —
a failed on-the-spot verification (events.actions, verify_fail) or a case reopened. The
figures of a unit (返工率, 一次办结率) count these rows (events.analysis). See
CASE_SERVICES.md beside this file.

record() must be called inside the transaction of the change that sends the case back, so that
the change, the row and its journal entry land together or not at all."""

from django.db import transaction
from django.utils import timezone

from . import journal
from .errors import Rejected
from .models import Case, Rework

NOTE_MAX = 2000


@transaction.atomic
def record(case: Case, unit, reason: str, *, actor=None, note: str = "", at=None) -> Rework:
    """One rework of `case` on `unit` (the unit that handled it), journaled on the case (verb
    "rework")."""
    if reason not in Rework.Reason.values:
        raise Rejected("rework.reason_invalid", "返工原因不正确", field="reason")
    if unit is None:
        raise Rejected("rework.unit_missing", "未指明返工单位", field="unit")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Rejected("rework.note_too_long", f"返工说明不能超过{NOTE_MAX}字", field="note")
    rework = Rework.objects.create(case=case, unit=unit, reason=reason, actor=actor, note=note, at=at or timezone.now())
    label = Rework.Reason(reason).label
    journal.record(actor=actor, verb="rework", case=case, summary=f"返工（{label}）：{unit.name}"[:200], note=note,
                   from_state=case.state, to_state=case.state, data={"unit": unit.pk, "reason": reason, "rework": rework.pk})
    return rework
