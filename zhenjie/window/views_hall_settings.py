"""The centre's hall settings as pages (issue 15 item 6; seed 002 §三(三) AB岗互补、错时服务、
节假日轮班): counters, weekday hours, the holiday rota, appointment slots, and the unattended
screen's links. Kept by the centre's window clerks and the township's leaders (actions.hall.KEEPERS,
the actions' own check; the pages show the forms only to them). Thin: parse → scoped read →
action (which validates and journals) → redirect, or the form again with the action's message."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import reach_of
from zhenjie.workbench.views import staff_required

from . import hall_queries
from .actions import hall, hall_screen
from .forms_hall import CounterForm, DutyForm, ScreenLinkForm, SlotForm, WeekdayHoursForm, posted
from .models import OpeningHours
from .views_hall import run_step

WEEKDAYS = dict(OpeningHours._meta.get_field("weekday").choices)


def _may_keep(user, centre) -> bool:
    return bool(reach_of(user).roles_in(centre.area) & hall.KEEPERS)


def _private(response):
    response["Cache-Control"] = "no-store"  # a screen link's token is on the page once
    return response


def _settings_page(request, centre, *, duty_form=None, link_form=None, new_link=None, status=200):
    today = timezone.localdate()
    hours = {day: [] for day in WEEKDAYS}
    for row in hall_queries.hours_of(centre):
        hours[row.weekday].append(row)
    context = {
        "centre": centre, "may_keep": _may_keep(request.user, centre),
        "counters": hall_queries.counters_for(request.user, centre).order_by("number"),
        "weekdays": [(day, label, hours[day]) for day, label in WEEKDAYS.items()],
        "duties": hall_queries.duties_of(centre, today), "slots": hall_queries.all_slots_of(centre),
        "links": hall_queries.screen_links_of(centre),
        "duty_form": duty_form or DutyForm(staff=hall_queries.centre_staff(centre)),
        "link_form": link_form or ScreenLinkForm(), "new_link": new_link,
    }
    return _private(render(request, "window/hall/settings.html", context, status=status))


@staff_required
def settings(request, pk: int):
    return _settings_page(request, hall_queries.get_centre_for(request.user, pk))


def _form_page(request, centre, form, save, title: str, help_text: str = ""):
    """One settings form: shown; posted, parsed and handed to `save` (the action, which returns
    what to say), then back to the settings — or the form again with the action's message."""
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, done)
            return redirect("window_hall:settings", pk=centre.pk)
    context = {"centre": centre, "form": form, "title": title, "help": help_text}
    return render(request, "window/hall/setting_form.html", context, status=400 if form.errors else 200)


def _counter_form(request, centre, counter=None):
    initial = {}
    if counter is not None:
        initial = {"number": counter.number, "name": counter.name, "item_codes": counter.item_codes, "clerk": counter.clerk,
                   "alternate": counter.alternate, "is_active": counter.is_active}
    form = CounterForm(posted(request), initial=initial, items=hall_queries.guide_items_of(centre, timezone.localdate()),
                       clerks=hall_queries.centre_clerks(centre))

    def save(data):
        return f"已保存{hall.save_counter(request.user, centre, counter=counter, **data)}"

    return _form_page(request, centre, form, save, f"修改{counter}" if counter else "新增窗口")


@staff_required
def counter_new(request, pk: int):
    return _counter_form(request, hall_queries.get_centre_for(request.user, pk))


@staff_required
def counter_edit(request, pk: int):
    counter = hall_queries.get_counter_for(request.user, pk)
    return _counter_form(request, counter.centre, counter)


def _slot_form(request, centre, slot=None):
    initial = {}
    if slot is not None:
        initial = {"starts": slot.starts, "ends": slot.ends, "capacity": slot.capacity, "item_codes": slot.item_codes, "is_active": slot.is_active}
    form = SlotForm(posted(request), initial=initial, items=hall_queries.guide_items_of(centre, timezone.localdate()))

    def save(data):
        return f"已保存预约时段 {hall.save_slot(request.user, centre, slot=slot, **data)}"

    return _form_page(request, centre, form, save, f"修改预约时段 {slot}" if slot else "新增预约时段")


@staff_required
def slot_new(request, pk: int):
    return _slot_form(request, hall_queries.get_centre_for(request.user, pk))


@staff_required
def slot_edit(request, pk: int):
    slot = hall_queries.get_slot_for(request.user, pk)
    return _slot_form(request, slot.centre, slot)


@staff_required
def weekday_hours(request, pk: int, weekday: int):
    centre = hall_queries.get_centre_for(request.user, pk)
    if weekday not in WEEKDAYS:
        return redirect("window_hall:settings", pk=centre.pk)
    rows = [row for row in hall_queries.hours_of(centre) if row.weekday == weekday]
    form = WeekdayHoursForm(posted(request), initial=WeekdayHoursForm.initial_of(rows))

    def save(data):
        hall.set_weekday_hours(request.user, centre, weekday, form.stretches())
        return f"已保存{WEEKDAYS[weekday]}办公时间"

    return _form_page(request, centre, form, save, f"{WEEKDAYS[weekday]}办公时间", "不填任何时段即当天不办公；错时服务时段在调休上班日不开放。")


@require_POST
@staff_required
def duty_add(request, pk: int):
    centre = hall_queries.get_centre_for(request.user, pk)
    form = DutyForm(request.POST, staff=hall_queries.centre_staff(centre))
    if form.is_valid():
        try:
            duty = hall.set_holiday_duty(request.user, centre, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已安排{duty.day:%Y-%m-%d}节假日值班")
            return redirect("window_hall:settings", pk=centre.pk)
    return _settings_page(request, centre, duty_form=form, status=400)


@require_POST
@staff_required
def duty_remove(request, pk: int):
    duty = hall_queries.get_duty_for(request.user, pk)
    run_step(request, lambda: hall.remove_holiday_duty(request.user, duty), f"已取消{duty.day:%Y-%m-%d}的值班安排")
    return redirect("window_hall:settings", pk=duty.centre_id)


@require_POST
@staff_required
def screen_link_issue(request, pk: int):
    """The new link is shown on this answer only (never again: only its digest is kept)."""
    centre = hall_queries.get_centre_for(request.user, pk)
    form = ScreenLinkForm(request.POST)
    if form.is_valid():
        try:
            _, token = hall_screen.issue_screen_link(request.user, centre, form.cleaned_data["name"])
        except ActionError as error:
            form.add_action_error(error)
        else:
            url = request.build_absolute_uri(reverse("window_public:hall_screen", args=[token]))
            return _settings_page(request, centre, new_link=url)
    return _settings_page(request, centre, link_form=form, status=400)


@require_POST
@staff_required
def screen_link_revoke(request, pk: int):
    link = hall_queries.get_screen_link_for(request.user, pk)
    run_step(request, lambda: hall_screen.revoke_screen_link(request.user, link), f"已停用{link}")
    return redirect("window_hall:settings", pk=link.centre_id)
