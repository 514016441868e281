"""Every read of the service hall, for a person: the centres they reach (kernel.scoping's
visible_units, service centres only), and through them counters, tickets and appointments. A
clerk of township A reaches nothing of B's hall: NotFound, as for a missing record.

Also the two reads that act for no one: the hall screen's figures (for a centre already read
through `get_centre_for`) and the waiting-time figures the assessment reads."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from zhenjie.kernel.scoping import get_visible_or_404, visible_units
from zhenjie.lists.models import ListKind, ServiceItem
from zhenjie.lists.queries import public_versions_of
from zhenjie.units.models import Unit

from .models import Appointment, AppointmentSlot, Counter, Ticket, TicketState

CALLS_SHOWN = 8  # the screen's list of latest calls


def centres_for(user) -> QuerySet[Unit]:
    return visible_units(user).filter(kind=Unit.Kind.CENTRE, is_active=True).select_related("area")


def get_centre_for(user, pk) -> Unit:
    return get_visible_or_404(centres_for(user), "hall.centre_not_found", "便民服务中心不存在", pk=pk)


def counters_for(user, centre: Unit | None = None) -> QuerySet[Counter]:
    rows = Counter.objects.filter(centre__in=centres_for(user)).select_related("clerk", "alternate")
    return rows.filter(centre=centre) if centre is not None else rows


def get_counter_for(user, pk) -> Counter:
    return get_visible_or_404(counters_for(user).select_related("centre__area"), "hall.counter_not_found", "窗口不存在", pk=pk)


def tickets_for(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(centre__in=centres_for(user))


def get_ticket_for(user, pk) -> Ticket:
    return get_visible_or_404(tickets_for(user).select_related("counter"), "hall.ticket_not_found", "排队号不存在", pk=pk)


def slots_of(centre: Unit) -> QuerySet[AppointmentSlot]:
    """A centre's slots are public (the citizen picks one); who may book is the action's rule."""
    return AppointmentSlot.objects.filter(centre=centre, is_active=True).order_by("starts")


def appointments_for(user) -> QuerySet[Appointment]:
    """Staff: the appointments of the centres they reach; a citizen: their own."""
    if user.is_authenticated and user.kind == user.Kind.CITIZEN:
        return Appointment.objects.filter(citizen=user)
    return Appointment.objects.filter(centre__in=centres_for(user))


def get_appointment_for(user, pk) -> Appointment:
    return get_visible_or_404(appointments_for(user).select_related("slot", "centre__area"), "hall.appointment_not_found", "预约不存在", pk=pk)


def guide_items_of(centre: Unit, on: date) -> QuerySet[ServiceItem]:
    """The service items of the centre's township guide in force on `on` (public data)."""
    versions = public_versions_of(centre.area, on, kind=ListKind.SERVICE)
    return ServiceItem.objects.filter(version__in=[v.pk for v in versions]).order_by("position", "code")


# ---- the hall screen -------------------------------------------------------------------------


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def screen_data(centre: Unit, now: datetime | None = None) -> dict:
    """What the hall screen shows, for a centre read through get_centre_for: two queries whatever
    the number of tickets (a centre issues a few hundred a day; today's are read in one go)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counters = {c.pk: c for c in Counter.objects.filter(centre=centre, is_active=True).order_by("number")}
    rows = list(
        Ticket.objects.filter(centre=centre, day=today)
        .values_list("code", "item_code", "item_name", "state", "issued_at", "called_at", "last_called_at", "counter_id")
    )
    items: dict[str, dict] = {}
    served: dict[int, int] = defaultdict(int)
    calls = []
    for code, item_code, item_name, state, issued_at, called_at, last_called_at, counter_id in rows:
        item = items.setdefault(item_code, {"code": item_code, "name": item_name, "waiting": 0, "waited": [], "longest": 0})
        if state == TicketState.WAITING:
            item["waiting"] += 1
            item["longest"] = max(item["longest"], _minutes((now - issued_at).total_seconds()))
        else:
            item["waited"].append((called_at - issued_at).total_seconds())
        if state == TicketState.DONE and counter_id:
            served[counter_id] += 1
        if state == TicketState.CALLED and counter_id in counters:
            calls.append((last_called_at, code, counters[counter_id]))
    calls.sort(key=lambda row: row[0], reverse=True)
    return {
        "generated_at": timezone.localtime(now).strftime("%H:%M:%S"),
        "calls": [{"ticket": code, "counter": f"{c.number}号窗口", "counter_name": c.name} for _, code, c in calls[:CALLS_SHOWN]],
        "items": [
            {"code": i["code"], "name": i["name"], "waiting": i["waiting"], "longest_minutes": i["longest"],
             "average_minutes": _minutes(sum(i["waited"]) / len(i["waited"])) if i["waited"] else 0}
            for i in sorted(items.values(), key=lambda i: i["code"])
        ],
        "loads": [{"name": f"{c.number}号 {c.name}", "value": served.get(c.pk, 0)} for c in counters.values()],
        "waiting_total": sum(i["waiting"] for i in items.values()),
    }


# ---- figures for the assessment ---------------------------------------------------------------


@dataclass(frozen=True)
class WaitingDay:
    centre_id: int
    day: date
    served: int  # tickets called that day
    average_minutes: float
    p90_minutes: float  # nearest-rank 90th percentile


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def waiting_figures(user, first: date, last: date) -> list[WaitingDay]:
    """Waiting time (取号 → first call) per centre per day from `first` to `last`, for the
    centres the user reaches: one query. Tickets never called are not counted (no waiting end)."""
    rows = tickets_for(user).filter(day__gte=first, day__lte=last, called_at__isnull=False).values_list("centre_id", "day", "issued_at", "called_at")
    waits: dict[tuple[int, date], list[float]] = defaultdict(list)
    for centre_id, day, issued_at, called_at in rows:
        waits[(centre_id, day)].append((called_at - issued_at).total_seconds() / 60)
    return [
        WaitingDay(centre_id, day, len(values), round(sum(values) / len(values), 1), round(_p90(values), 1))
        for (centre_id, day), values in sorted(waits.items())
    ]
