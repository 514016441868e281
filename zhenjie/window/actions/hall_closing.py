"""The hall at closing time (过号/作废, issue 15 item 6): numbers never called by the end of the
day's last stretch are void, and bookings not checked in by the end of their slot are missed.

Run by the window's periodic job (jobs.close_hall); it acts for no one and crosses every county,
hence unscoped. A skipped number (过号) stays skipped: its 回号 is same-day only (actions.hall.requeue).
One journal entry per centre and day swept, with the count — not one per ticket: a ticket's row
keeps its own who and when (WINDOW.md, "Calls are not journaled")."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.scoping import unscoped

from ..hall_hours import hours_on
from ..models import Appointment, AppointmentState, Ticket, TicketState


def _closed(centre_id: int, day, local: datetime) -> bool:
    if day < local.date():
        return True
    hours = hours_on(centre_id, day)
    return not hours.stretches or local.time() >= max(s.closes for s in hours.stretches)


@transaction.atomic
def _void(centre_id: int, day, now: datetime) -> int:
    count = Ticket.objects.filter(centre_id=centre_id, day=day, state=TicketState.WAITING).update(state=TicketState.VOID, finished_at=now)
    if count:
        journal.record(actor=None, verb="hall.closing", subject=f"unit:{centre_id}", summary=f"{day:%Y-%m-%d} 闭厅：{count}个未叫号作废",
                       data={"day": day.isoformat(), "voided": count})
    return count


def sweep_closing(now: datetime | None = None) -> tuple[int, int]:
    """Void the waiting numbers of every centre whose hall has closed for their day, and mark
    missed the bookings whose slot has ended unchecked. Returns (voided, missed)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    waiting = unscoped(Ticket, why="the closing job runs for every centre").filter(state=TicketState.WAITING, day__lte=local.date())
    days = sorted(set(waiting.values_list("centre_id", "day")))
    voided = sum(_void(centre_id, day, now) for centre_id, day in days if _closed(centre_id, day, local))
    booked = unscoped(Appointment, why="the closing job runs for every centre").filter(state=AppointmentState.BOOKED)
    missed = booked.filter(day__lt=local.date()).update(state=AppointmentState.MISSED)
    missed += booked.filter(day=local.date(), slot__ends__lte=local.time()).update(state=AppointmentState.MISSED)
    return voided, missed
