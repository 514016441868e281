"""The service hall's pages (issue 15 item 6): the centre's hall overview, a counter's desk
(call, recall, skip, finish), the public kiosk (取号), and the hall screen with its data.

Thin: parse → get_…_for(user) → action → render. The kiosk is the one page without login: it
shows the centre's guide items, writes a ticket with no name or ID, and is rate-limited per
client address."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhenjie.accounts.login import client_address
from zhenjie.kernel.throttle import allow
from zhenjie.kernel.errors import ActionError
from zhenjie.workbench.views import staff_required

from . import hall_queries
from .actions import hall
from .hall_hours import hours_on
from .models import Priority, TicketState

KIOSK_PER_MINUTE = 6  # numbers one client address may take a minute at the public kiosk
SCREEN_REFRESH_SECONDS = 5
PRIORITY_CHOICES = [(Priority.NONE, "普通号"), (Priority.ELDERLY, "老年人优先"), (Priority.DISABLED, "残疾人优先"), (Priority.PREGNANT, "孕妇优先")]

@staff_required
def hall_home(request):
    return render(request, "window/hall/home.html", {"centres": hall_queries.centres_for(request.user).order_by("area__path", "pk")})

@staff_required
def centre(request, pk: int):
    """The hall of one centre for its staff: counters (clerk and AB岗), today's hours and queue."""
    unit = hall_queries.get_centre_for(request.user, pk)
    if request.method == "POST":
        try:
            ticket = hall.issue_ticket(request.user, unit, request.POST.get("item_code", ""), request.POST.get("priority", ""))
            messages.success(request, f"已取号 {ticket.code}（{ticket.item_name}）")
        except ActionError as error:
            messages.error(request, error.message)
        return redirect("window_hall:centre", pk=unit.pk)
    today = timezone.localdate()
    context = {
        "centre": unit, "hours": hours_on(unit.pk, today), "counters": hall_queries.counters_for(request.user, unit).order_by("number"),
        "items": hall_queries.guide_items_of(unit, today), "priorities": PRIORITY_CHOICES, "screen": hall_queries.screen_data(unit),
        "skipped": hall_queries.tickets_for(request.user).filter(centre=unit, day=today, state=TicketState.SKIPPED).order_by("-finished_at")[:20],
    }
    return render(request, "window/hall/centre.html", context)

DESK_STEPS = {"call": None, "recall": hall.recall, "skip": hall.skip, "finish": hall.finish}

@staff_required
def desk(request, pk: int):
    """A counter's desk: the number being served and the four buttons."""
    counter = hall_queries.get_counter_for(request.user, pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "call":
                ticket = hall.call_next(request.user, counter)
                messages.success(request, f"请 {ticket.code} 号到{counter.number}号窗口办理")
            elif step in DESK_STEPS:
                ticket = hall_queries.get_ticket_for(request.user, request.POST.get("ticket", ""))
                DESK_STEPS[step](request.user, ticket)
            else:
                messages.error(request, "未知的操作")
        except ActionError as error:
            messages.error(request, error.message)
        return redirect("window_hall:desk", pk=counter.pk)
    current = counter.tickets.filter(state=TicketState.CALLED).first()
    staff = hall.counter_staff_today(counter, timezone.localdate())
    return render(request, "window/hall/desk.html", {"counter": counter, "current": current, "on_duty": request.user.pk in staff})

def run_step(request, act, done: str) -> bool:
    """A one-button step (回号, 取消, 停用 …): the action, then its message, or the refusal's, for
    the page the caller redirects to."""
    try:
        act()
    except ActionError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, done)
    return True

@require_POST
@staff_required
def requeue(request, pk: int):
    """回号 from the centre's page: a skipped number's holder is back."""
    ticket = hall_queries.get_ticket_for(request.user, pk)
    run_step(request, lambda: hall.requeue(request.user, ticket), f"{ticket.code}号已回号，重新排队")
    return redirect("window_hall:centre", pk=ticket.centre_id)

@staff_required
def screen(request, pk: int):
    """The hall's large screen (大厅叫号屏): dark, full window, polled every few seconds."""
    unit = hall_queries.get_centre_for(request.user, pk)
    context = {"centre": unit, "refresh": SCREEN_REFRESH_SECONDS, "data_url": reverse("window_hall:screen_data", args=[unit.pk]),
               "back_url": reverse("window_hall:centre", args=[unit.pk])}
    return render(request, "window/hall/screen.html", context)

@require_GET
@staff_required
def screen_data(request, pk: int):
    """The screen's figures: a fixed number of queries whatever the tickets (hall_queries)."""
    return JsonResponse(hall_queries.screen_data(hall_queries.get_centre_for(request.user, pk)))

def _kiosk_step(unit, post):
    """取号 (an item and priority) or 预约签到 (the booking's mobile): the ticket either way."""
    if post.get("step") == "check_in":
        return hall.check_in(None, hall.kiosk_booking(unit, post.get("phone", "")))
    return hall.issue_ticket(None, unit, post.get("item_code", ""), post.get("priority", ""))

def kiosk(request, pk: int):
    """取号机: pick an item (and priority), get a number; or check a booking in by its mobile.
    No login; the page shows the centre's guide items (public data) and the number, no name,
    no phone. Both steps count into one limit per centre and client address."""
    unit = hall_queries.public_centre(pk)
    ticket, error = None, ""
    if request.method == "POST":
        if not allow("hall-kiosk", f"{unit.pk}:{client_address(request) or 'unknown'}", KIOSK_PER_MINUTE, 60):
            error = "取号过于频繁，请稍后再试或到导服台咨询"
        else:
            try:
                ticket = _kiosk_step(unit, request.POST)
            except ActionError as refused:
                error = refused.message
    today = timezone.localdate()
    context = {"centre": unit, "items": hall_queries.guide_items_of(unit, today), "priorities": PRIORITY_CHOICES,
               "ticket": ticket, "error": error, "hours": hours_on(unit.pk, today)}
    return render(request, "window/hall/kiosk.html", context, status=429 if error.startswith("取号过于频繁") else 200)
