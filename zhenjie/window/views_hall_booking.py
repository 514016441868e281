"""Appointments by time slot (预约, issue 15 item 6) as pages: the centre's staff see the coming
bookings, book for a caller on the phone, check a visitor in (a P ticket) or cancel; a citizen
account books a slot at a centre for an item some slot takes, sees and cancels its bookings; the
unattended hall screen opens by its link's token. Thin: parse → scoped read → action → render."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.workbench.views import staff_required

from . import hall_queries
from .actions import hall
from .forms_hall import BookingForm, posted
from .portal_views import citizen_required
from .views_hall import SCREEN_REFRESH_SECONDS, run_step

SHOWN_DAYS = 7  # the staff page lists today's and the next week's bookings
MINE_SHOWN = 50


def _private(response):
    response["Cache-Control"] = "no-store"  # names and masked phones of the bookings
    return response


def _booking_form(centre, data=None) -> BookingForm:
    today = timezone.localdate()
    return BookingForm(data, items=hall_queries.appointment_items_of(centre, today), slots=hall_queries.slots_of(centre),
                       initial={"day": today})


def _book(request, centre, form) -> bool:
    """Book from a parsed form; False (the message on the form) when the action refuses."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        appointment = hall.book_appointment(request.user, data["slot"], day=data["day"], item_code=data["item_code"],
                                            person_name=data["person_name"], phone=data["phone"])
    except ActionError as error:
        form.add_action_error(error)
        return False
    messages.success(request, f"已预约 {appointment.day:%m月%d日} {appointment.slot}「{appointment.item_name}」，请按时到{centre.name}签到")
    return True


# ---- the centre's staff ------------------------------------------------------------------------


@staff_required
def appointments(request, pk: int):
    centre = hall_queries.get_centre_for(request.user, pk)
    form = _booking_form(centre, posted(request))
    if request.method == "POST" and _book(request, centre, form):
        return redirect("window_hall:appointments", pk=centre.pk)
    today = timezone.localdate()
    rows = hall_queries.centre_appointments(centre, today, today + timedelta(days=SHOWN_DAYS))
    context = {"centre": centre, "rows": rows, "form": form, "today": today}
    return _private(render(request, "window/hall/appointments.html", context, status=400 if form.errors else 200))


@require_POST
@staff_required
def appointment_step(request, pk: int, step: str):
    if step not in ("check-in", "cancel"):
        raise Http404("未知的操作")
    appointment = hall_queries.get_appointment_for(request.user, pk)
    if step == "check-in":
        try:
            messages.success(request, f"已签到，排队号 {hall.check_in(request.user, appointment).code}")
        except ActionError as error:
            messages.error(request, error.message)
    else:
        run_step(request, lambda: hall.cancel_appointment(request.user, appointment), "已取消预约")
    return redirect("window_hall:appointments", pk=appointment.centre_id)


# ---- the citizen ---------------------------------------------------------------------------------


@citizen_required
def mine(request):
    context = {"centres": hall_queries.public_centres(), "rows": hall_queries.appointments_for(request.user).order_by("-day", "-pk")[:MINE_SHOWN]}
    return _private(render(request, "window/public/appointments.html", context))


@citizen_required
def book(request, pk: int):
    centre = hall_queries.public_centre(pk)
    form = _booking_form(centre, posted(request))
    if request.method == "POST" and _book(request, centre, form):
        return redirect("window_public:appointments")
    context = {"centre": centre, "form": form, "hours": hall_queries.hours_of(centre)}
    return _private(render(request, "window/public/book.html", context, status=400 if form.errors else 200))


@require_POST
@citizen_required
def cancel(request, pk: int):
    appointment = hall_queries.get_appointment_for(request.user, pk)
    run_step(request, lambda: hall.cancel_appointment(request.user, appointment), "已取消预约")
    return redirect("window_public:appointments")


# ---- the unattended hall screen -------------------------------------------------------------------


@require_GET
def public_screen(request, token: str):
    """The screen by its link: the same page as the staff's, read-only, with no way back into the
    workbench; a revoked or unknown token is 404."""
    centre = hall_queries.centre_by_screen_token(token)
    context = {"centre": centre, "refresh": SCREEN_REFRESH_SECONDS, "data_url": request.path + "data/", "back_url": ""}
    return _private(render(request, "window/hall/screen.html", context))


@require_GET
def public_screen_data(request, token: str):
    """Ticket codes, item and counter names and counts only (hall_queries.screen_data): no name,
    no phone, no ID."""
    return _private(JsonResponse(hall_queries.screen_data(hall_queries.centre_by_screen_token(token))))
