"""Agent-point pages (代办点): the list (scoped, with villages served and today's duty), a point's
page (details, roster editor, items, papers ledger), the agent's own phone page, and the public
page of a township's points (no login, no personal data). Thin: parse, fetch for the user, call
the action, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError, Rejected
from zhenjie.kernel.scoping import administered_county
from zhenjie.lists.queries import get_public_township, public_townships
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate
from zhenjie.workbench.views import staff_required

from . import points as queries
from .actions import agents as actions
from .forms_agents import CarryDaysForm, HandoverForm, PointForm
from .models import Weekday

ROSTER_BLANK_ROWS = 3


def _with_today(rows, today):
    for point in rows:
        point.today = queries.on_duty(point, today)
    return rows


def _point_form(request, data=None, point=None):
    townships = queries.managed_townships(request.user)
    initial = None
    if point is not None:
        initial = {"name": point.name, "villages": list(point.villages.all()), "phone": point.phone, "address": point.address,
                   "hours": point.hours, "is_active": point.is_active}  # fmt: skip
        townships = townships.filter(pk=point.township_id)
    return PointForm(data, initial=initial, units=queries.point_unit_choices(request.user), villages=queries.village_choices(townships),
                     editing=point is not None)  # fmt: skip


@staff_required
def point_list(request):
    rows = queries.points_for(request.user)
    if request.GET.get("format") == "xlsx":
        return excel.export("代办点", queries.COLUMNS, rows)
    page = paginate(request, rows)
    _with_today(page.object_list, timezone.localdate())
    county = administered_county(request.user)
    context = {
        "page": page, "can_add": queries.managed_townships(request.user).exists(),
        "carry_form": CarryDaysForm(initial={"carry_days": queries.carry_days(county)}) if county else None,
    }  # fmt: skip
    return render(request, "window/agents/point_list.html", context)


@staff_required
def point_new(request):
    form = _point_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            point = actions.create_point(request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已设立代办点：{point.name}")
            return redirect("window:agent_point", point.pk)
    return render(request, "window/agents/point_form.html", {"form": form})


def _roster_rows(point, posted=None):
    """The editor's lines: the roster as it is (or as posted, after a refusal) plus blank lines."""
    if posted is not None:
        return posted
    rows = [{"weekday": s.weekday, "starts": s.starts.strftime("%H:%M"), "ends": s.ends.strftime("%H:%M"), "agent_id": s.agent_id}
            for s in point.duty_slots.all()]  # fmt: skip
    return rows + [{"weekday": "", "starts": "", "ends": "", "agent_id": ""} for _ in range(ROSTER_BLANK_ROWS)]


def _render_point(request, point, *, edit_form=None, roster=None, roster_error=None, handover_error=None, status=200):
    today = timezone.localdate()
    manage = queries.can_manage(request.user, point)
    context = {
        "point": point, "today": queries.on_duty(point, today), "manage": manage,
        "edit_form": edit_form or (_point_form(request, point=point) if manage else None),
        "roster": _roster_rows(point, roster), "roster_error": roster_error, "weekdays": Weekday.choices,
        "agents": list(queries.agents_of(point)),
        "items": queries.item_choices(point, today) if manage else queries.items_for_point(point, today),
        "ledger": queries.ledger_for(request.user, point), "handovers": queries.handovers_of(request.user, point)[:20],
        "handover_error": handover_error,
    }  # fmt: skip
    return render(request, "window/agents/point_detail.html", context, status=status)


@staff_required
def point_detail(request, pk: int):
    return _render_point(request, queries.get_point_for(request.user, pk))


@require_POST
@staff_required
def point_edit(request, pk: int):
    point = queries.get_point_for(request.user, pk)
    form = _point_form(request, request.POST, point=point)
    if form.is_valid():
        try:
            actions.update_point(request.user, point, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "代办点信息已保存")
            return redirect("window:agent_point", point.pk)
    return _render_point(request, point, edit_form=form)


def _posted_slots(post) -> list[dict]:
    """The roster editor's lines as posted; blank lines dropped. Shape only: the action checks."""
    rows = []
    for index in range(min(int(post.get("rows", 0) or 0) if str(post.get("rows", "")).isdecimal() else 0, 60)):
        row = {key: post.get(f"slot-{index}-{key}", "").strip() for key in ("weekday", "starts", "ends", "agent_id")}
        if any(row.values()):
            rows.append(row)
    return rows


@require_POST
@staff_required
def point_roster(request, pk: int):
    point = queries.get_point_for(request.user, pk)
    slots = _posted_slots(request.POST)
    version = request.POST.get("version", "")
    try:
        if not version.isdecimal():
            raise Rejected("agent_point.roster_invalid", "值班表格式不正确，请刷新后重试", field="slots")
        actions.set_roster(request.user, point, slots, expected_version=int(version))
    except ActionError as error:
        return _render_point(request, point, roster=slots, roster_error=error.message)
    messages.success(request, "值班表已保存")
    return redirect("window:agent_point", point.pk)


@require_POST
@staff_required
def point_handover(request, pk: int):
    """Record one line of the ledger, from the point's page, the agent's page (next=home) or an
    application's agent panel (next=detail: back to the application, the outcome as a message)."""
    point = queries.get_point_for(request.user, pk)
    form = HandoverForm(request.POST)
    back = request.POST.get("next", "")
    valid = form.is_valid()
    chosen = form.cleaned_data.get("application")
    application = queries.applications_at(request.user, point).filter(pk=chosen).first() if chosen else None
    if not valid:
        problem = "；".join(f"{form.fields[name].label}：{' '.join(errors)}" if name in form.fields else " ".join(errors)
                           for name, errors in form.errors.items())  # fmt: skip
    else:
        try:
            actions.record_handover(request.user, application, form.cleaned_data["direction"],
                                    received_by=form.cleaned_data["received_by"], note=form.cleaned_data["note"])  # fmt: skip
        except ActionError as error:
            problem = error.message
        else:
            messages.success(request, "交接已登记，交接单已出具")
            if back == "detail":
                return redirect("window:detail", application.case_id)
            return redirect("window:agent_home") if back == "home" else redirect("window:agent_point", point.pk)
    if back == "detail" and application is not None:
        messages.error(request, problem)
        return redirect("window:detail", application.case_id)
    if back == "home":
        messages.error(request, problem)
        return redirect("window:agent_home")
    return _render_point(request, point, handover_error=problem)


@require_POST
@staff_required
def point_item(request, pk: int):
    """The township adjusts one guide item for the point (remove, or entrust: 复杂事项可代办)."""
    point = queries.get_point_for(request.user, pk)
    takes = request.POST.get("takes", "")
    try:
        if takes not in ("1", "0"):
            raise Rejected("agent_point.takes_invalid", "请选择可代办或不可代办", field="takes")
        actions.set_point_item(request.user, point, request.POST.get("code", ""), takes == "1")
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "代办事项已调整")
    return redirect("window:agent_point", point.pk)


@require_POST
@staff_required
def carry_days(request):
    county = administered_county(request.user)
    form = CarryDaysForm(request.POST)
    if county is None:
        messages.error(request, "只有县级管理员可以修改代办点设置")
    elif not form.is_valid():
        messages.error(request, "原件送交时限须为1至30之间的整数(工作日)")
    else:
        try:
            actions.set_carry_days(request.user, county, form.cleaned_data["carry_days"])
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "代办点设置已保存")
    return redirect("window:agent_points")


@staff_required
def agent_home(request):
    """The agent's own page, made for a phone: their point, today's duty, what to carry to the
    centre today (overdue first), results to bring back and results waiting for applicants."""
    points = list(queries.points_of(request.user))
    today = timezone.localdate()
    cards = []
    for point in points:
        point = queries.get_point_for(request.user, point.pk)
        ledger = queries.ledger_for(request.user, point)
        held = sorted(ledger.held, key=lambda h: (not h.overdue, h.carry_by))
        carry_today = [h for h in held if h.overdue or timezone.localtime(h.carry_by).date() <= today]
        cards.append({"point": point, "today": queries.on_duty(point, today), "ledger": ledger, "held": held, "carry_today": carry_today})
    return render(request, "window/agents/agent_home.html", {"cards": cards})


# ---- public (no login) ------------------------------------------------------------------------


def public_index(request):
    return render(request, "window/agents/public_index.html", {"townships": public_townships()})


def public_township(request, code: str):
    township = get_public_township(code)
    today = timezone.localdate()
    rows = _with_today(list(queries.public_points(township)), today)
    items = queries.items_of_points(rows, today)  # the township may adjust them per point
    for point in rows:
        point.items = items[point.pk]
    return render(request, "window/agents/public_township.html", {"township": township, "points": rows})

