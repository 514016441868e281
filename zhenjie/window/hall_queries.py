"""Every read of the service hall, for a person: the centres they reach (kernel.scoping's
visible_units, service centres only), and through them counters, tickets and appointments. A
clerk of township A reaches nothing of B's hall: NotFound, as for a missing record.

Also the two reads that act for no one: the hall screen's figures (for a centre already read
through `get_centre_for`) and the waiting-time figures the assessment reads."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.scoping import get_visible_or_404, unscoped, visible_units
from zhenjie.lists.models import ListKind, ServiceItem
from zhenjie.lists.queries import public_versions_of
from zhenjie.units.models import Unit

from .models import Appointment, AppointmentSlot, Counter, HolidayDuty, OpeningHours, ScreenLink, Ticket, TicketState

CALLS_SHOWN = 8  # the screen's list of latest calls


def centres_for(user) -> QuerySet[Unit]:
    return visible_units(user).filter(kind=Unit.Kind.SERVICE_CENTRE, is_active=True).select_related("area")


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


def hours_of(centre: Unit) -> QuerySet[OpeningHours]:
    """The centre's weekday hours (for its settings page; the centre read through get_centre_for)."""
    return OpeningHours.objects.filter(centre=centre).order_by("weekday", "opens")


def duties_of(centre: Unit, since: date) -> QuerySet[HolidayDuty]:
    return HolidayDuty.objects.filter(centre=centre, day__gte=since).select_related("staff").order_by("day", "opens")


def get_duty_for(user, pk) -> HolidayDuty:
    rows = HolidayDuty.objects.filter(centre__in=centres_for(user)).select_related("centre__area", "staff")
    return get_visible_or_404(rows, "hall.duty_not_found", "值班安排不存在", pk=pk)


def all_slots_of(centre: Unit) -> QuerySet[AppointmentSlot]:
    return AppointmentSlot.objects.filter(centre=centre).order_by("starts", "pk")


def get_slot_for(user, pk) -> AppointmentSlot:
    rows = AppointmentSlot.objects.filter(centre__in=centres_for(user)).select_related("centre__area")
    return get_visible_or_404(rows, "hall.slot_not_found", "预约时段不存在", pk=pk)


def screen_links_of(centre: Unit) -> QuerySet[ScreenLink]:
    return ScreenLink.objects.filter(centre=centre).select_related("created_by").order_by("-created_at")


def get_screen_link_for(user, pk) -> ScreenLink:
    rows = ScreenLink.objects.filter(centre__in=centres_for(user)).select_related("centre__area")
    return get_visible_or_404(rows, "hall.screen_link_not_found", "叫号屏链接不存在", pk=pk)


def centre_by_screen_token(token: str) -> Unit:
    """The one centre a live screen link opens (looked up by the token's digest: only its holder
    has it); a revoked or unknown token, or an inactive centre, is NotFound like a missing page."""
    link = (
        unscoped(ScreenLink, why="an unattended hall screen opens by its own token")
        .filter(digest=ScreenLink.digest_of(token or ""), revoked_at__isnull=True, centre__is_active=True)
        .select_related("centre").first()
    )  # fmt: skip
    if link is None:
        raise NotFound("hall.screen_link_not_found", "叫号屏链接无效或已停用")
    return link.centre


def public_centre(pk) -> Unit:
    """A centre as the public sees it (kiosk, booking): its name and guide items are public data."""
    rows = unscoped(Unit, why="the public pages of a service centre's hall").filter(kind=Unit.Kind.SERVICE_CENTRE, is_active=True).select_related("area")
    return get_visible_or_404(rows, "hall.centre_not_found", "便民服务中心不存在", pk=pk)


def public_centres() -> QuerySet[Unit]:
    """Centres that take appointments: the citizen's booking page lists them."""
    with_slots = AppointmentSlot.objects.filter(is_active=True).values("centre_id")
    return unscoped(Unit, why="the public list of service centres taking appointments").filter(
        kind=Unit.Kind.SERVICE_CENTRE, is_active=True, pk__in=with_slots).select_related("area").order_by("area__path", "pk")


def appointment_items_of(centre: Unit, on: date) -> QuerySet[ServiceItem]:
    """The guide items one books an appointment for at the centre: those some active slot takes
    (a slot naming no items takes every item)."""
    items = guide_items_of(centre, on)
    codes: set[str] = set()
    for slot_codes in slots_of(centre).values_list("item_codes", flat=True):
        if not slot_codes:
            return items
        codes.update(slot_codes)
    return items.filter(code__in=codes)


def centre_appointments(centre: Unit, first: date, last: date) -> QuerySet[Appointment]:
    """The centre's bookings from `first` to `last` (its staff's page; the centre read through
    get_centre_for)."""
    return (Appointment.objects.filter(centre=centre, day__gte=first, day__lte=last)
            .select_related("slot", "ticket").order_by("day", "slot__starts", "pk"))


def slots_of(centre: Unit) -> QuerySet[AppointmentSlot]:
    """A centre's slots are public (the citizen picks one); who may book is the action's rule."""
    return AppointmentSlot.objects.filter(centre=centre, is_active=True).order_by("starts")


def appointments_for(user) -> QuerySet[Appointment]:
    """Staff: the appointments of the centres they reach; a citizen: their own."""
    if user.is_authenticated and user.kind == user.Kind.CITIZEN:
        return Appointment.objects.filter(citizen=user).select_related("centre", "slot")
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


# ---- who may sit at a counter or be on the rota (choices for the settings pages) ---------------


def centre_clerks(centre: Unit):
    """The centre's window clerks (an active post at the centre with the role): counters' clerks
    and alternates are picked from these; the action checks again."""
    return (User.objects.filter(is_active=True, posts__unit=centre, posts__is_active=True, posts__roles__code=RoleCode.WINDOW_CLERK)
            .distinct().order_by("pk"))


def centre_staff(centre: Unit):
    """Who may be on the holiday rota: the centre's clerks and the township's leaders."""
    clerk = Q(posts__unit=centre, posts__roles__code=RoleCode.WINDOW_CLERK)
    leader = Q(posts__unit__area=centre.area, posts__roles__code=RoleCode.TOWNSHIP_LEADER)
    return User.objects.filter(clerk | leader, is_active=True, posts__is_active=True).distinct().order_by("pk")
