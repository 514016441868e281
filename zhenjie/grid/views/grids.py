"""The section's front page, one grid's page, who covers which grid, the county's visit rules,
and photos."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.areas.queries import boundary_history, feature_collection
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.scoping import administered_county
from zhenjie.kernel.serving import attachment_response
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from .. import actions, queries
from ..forms import HelperForm, LeadForm, RuleForm
from ..rules import current_rules
from ..workflow import VISIT
from .common import page, wants_excel


@staff_required
def home(request):
    """A grid worker gets their grids and today's work, phone-first; township and county staff
    get every grid in reach with its lead worker and figures."""
    today = timezone.localdate()
    if queries.is_grid_worker_only(request.user):
        grids = list(queries.my_grids_for(request.user))
        counts = queries.counts_by_grid(request.user, grids, today)
        roles = {c.grid_id: c for c in queries.current_coverages_for(request.user, grids=[g.pk for g in grids]).filter(worker=request.user)}
        cards = [{"grid": g, "counts": counts.get(g.pk, queries.GridCounts()), "coverage": roles.get(g.pk)} for g in grids]
        total = queries.GridCounts(
            overdue=sum(c["counts"].overdue for c in cards), due_soon=sum(c["counts"].due_soon for c in cards),
            key_persons=sum(c["counts"].key_persons for c in cards),
        )
        context = {
            "cards": cards, "total": total, "open_patrol": queries.open_patrol_of(request.user), "due_soon_days": queries.DUE_SOON_DAYS,
            # The visits fallen due as work in their inbox (走访任务, the nightly job's).
            "visit_tasks": inbox_for(request.user).filter(case__kind=VISIT).count(), "visit_kind": VISIT,
        }
        return page(request, "grid/home_worker.html", context, "grid:home")

    rows = queries.grid_list_for(request.user)
    if (village := parse_id(request.GET.get("village", ""))) is not None:
        rows = rows.filter(parent_id=village)
    if wants_excel(request):
        return excel.export("网格一览", queries.GRID_COLUMNS, queries.grid_lines(request.user, rows[: excel.EXPORT_ROW_LIMIT], today))
    grid_page = paginate(request, rows, per_page=50)
    lines = queries.grid_lines(request.user, grid_page.object_list, today)
    week_ago = timezone.now() - timedelta(days=7)
    all_grids = queries.grid_list_for(request.user)
    context = {
        "page": grid_page,
        "lines": lines,
        "villages": _villages(request.user),
        "village": village,
        "query": query_without_page(request),
        "totals": {
            "grids": all_grids.count(),
            "without_lead": queries.grids_without_lead(all_grids).count(),
            "overdue": queries.count_overdue_for(request.user, today),
            "patrols": queries.patrols_for(request.user).filter(started_at__gte=week_ago).count(),
        },
    }
    return page(request, "grid/home.html", context, "grid:home")


def _villages(user):
    return Area.objects.filter(pk__in=queries.grid_list_for(user).values("parent_id")).order_by("path")


@staff_required
def grid_detail(request, pk: int):
    grid = queries.get_grid_for(request.user, pk)
    counts = queries.counts_by_grid(request.user, [grid]).get(grid.pk, queries.GridCounts())
    context = {
        "grid": grid,
        "counts": counts,
        "current": queries.current_coverages_for(request.user, grids=[grid.pk]),
        "history": queries.coverage_history_for(request.user, grid)[:50],
        "patrols": queries.patrols_for(request.user).filter(grid=grid)[:10],
        "boundaries": boundary_history(grid)[:20],
    }
    return page(request, "grid/grid_detail.html", context, "grid:home")


@staff_required
def grid_geojson(request, pk: int):
    """The grid's polygon for its map (drawn from our own GeoJSON, no tiles)."""
    grid = queries.get_grid_for(request.user, pk)
    return JsonResponse(feature_collection([grid]))


# ---- 网格员分工 ---------------------------------------------------------------------------------


def _managed_or_403(request):
    if not queries.can_manage(request.user):
        raise PermissionDenied("只有乡镇(街道)领导和指挥中心调度员可以调整网格员分工")


@staff_required
def coverage(request):
    _managed_or_403(request)
    rows = queries.managed_grids_for(request.user)
    if (village := parse_id(request.GET.get("village", ""))) is not None:
        rows = rows.filter(parent_id=village)
    if wants_excel(request):
        return excel.export("网格员分工", queries.COVERAGE_COLUMNS, queries.coverage_lines(request.user, rows[: excel.EXPORT_ROW_LIMIT]))
    grid_page = paginate(request, rows, per_page=50)
    context = _coverage_context(request, grid_page)
    context.update({"villages": _villages(request.user), "village": village, "query": query_without_page(request)})
    return page(request, "grid/coverage.html", context, "grid:coverage")


def _coverage_context(request, grid_page, forms=None):
    grids = list(grid_page.object_list) if hasattr(grid_page, "object_list") else list(grid_page)
    # Eligible workers per township: one query per township on the page (a page holds one or two).
    workers_by_township: dict[str, list] = {}
    for grid in grids:
        township = township_path(grid.path)
        if township not in workers_by_township:
            workers_by_township[township] = list(actions.eligible_workers(grid))
    forms = forms or {}
    lines = []
    for line in queries.coverage_lines(request.user, grids):
        lead_form, helper_form = forms.get(line.grid.pk, (None, None))
        lines.append({
            "grid": line.grid,
            "lead": line.lead,
            "helpers": line.helpers,
            "workers": workers_by_township[township_path(line.grid.path)],
            "lead_form": lead_form,
            "helper_form": helper_form,
        })
    return {"page": grid_page, "lines": lines}


def _coverage_row(request, grid, *, lead_form=None, helper_form=None, error=None):
    """The grid's row again, after a change or with the reason it was refused (HTMX swaps it)."""
    context = _coverage_context(request, [grid], {grid.pk: (lead_form, helper_form)})
    line = context["lines"][0]
    line["error"] = error
    return render(request, "grid/_coverage_row.html", {"line": line})


def _after_change(request, grid, message):
    if request.htmx:
        return _coverage_row(request, grid)
    messages.success(request, message)
    return redirect(reverse("grid:coverage") + f"#grid-{grid.pk}")


def _refused(request, grid, error, **forms):
    if request.htmx:
        return _coverage_row(request, grid, error=error, **forms)
    messages.error(request, error)
    return redirect(reverse("grid:coverage") + f"#grid-{grid.pk}")


@require_POST
@staff_required
def set_lead(request, pk: int):
    _managed_or_403(request)
    grid = queries.get_grid_for(request.user, pk)
    form = LeadForm(request.POST, workers=actions.eligible_workers(grid))
    if not form.is_valid():
        return _refused(request, grid, "；".join(e for errors in form.errors.values() for e in errors))
    try:
        actions.set_lead_worker(
            request.user, grid, form.cleaned_data["worker"], expected_lead=form.cleaned_data["expected_lead"] or actions.NO_LEAD, note=form.cleaned_data["note"]
        )
    except ActionError as error:
        return _refused(request, grid, error.message)
    return _after_change(request, grid, f"{grid.name} 的责任网格员已调整为 {form.cleaned_data['worker'].display_name}")


@require_POST
@staff_required
def add_helper(request, pk: int):
    _managed_or_403(request)
    grid = queries.get_grid_for(request.user, pk)
    form = HelperForm(request.POST, workers=actions.eligible_workers(grid))
    if not form.is_valid():
        return _refused(request, grid, "；".join(e for errors in form.errors.values() for e in errors))
    try:
        actions.add_helper(request.user, grid, form.cleaned_data["worker"])
    except ActionError as error:
        return _refused(request, grid, error.message)
    return _after_change(request, grid, f"已增加 {form.cleaned_data['worker'].display_name} 为 {grid.name} 的协助网格员")


@require_POST
@staff_required
def remove_helper(request, pk: int):
    _managed_or_403(request)
    stint = queries.get_coverage_for(request.user, pk)
    try:
        actions.remove_helper(request.user, stint)
    except ActionError as error:
        return _refused(request, stint.grid, error.message)
    return _after_change(request, stint.grid, f"已将 {stint.worker.display_name} 移出 {stint.grid.name}")


# ---- 走访设置 (county administrator) -----------------------------------------------------------


@staff_required
def settings_page(request):
    county = administered_county(request.user)
    if county is None:
        raise PermissionDenied("只有县级管理员可以修改重点人群走访设置")
    rules = current_rules(county.path)
    forms = {
        kind: RuleForm(prefix=kind, initial={"visit_interval_days": rule.visit_interval_days, "min_age": rule.min_age, "max_age": rule.max_age})
        for kind, rule in rules.items()
    }
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind in forms:
            form = forms[kind] = RuleForm(request.POST, prefix=kind)
            if form.is_valid():
                try:
                    actions.set_population_rule(request.user, county, kind, **form.cleaned_data)
                except ActionError as error:
                    form.add_action_error(error)
                else:
                    messages.success(request, f"已保存{rules[kind].label}的走访设置，相关对象的应走访日期已重新计算")
                    return redirect("grid:settings")
    lines = [{"rule": rules[kind], "form": form} for kind, form in forms.items()]
    return page(request, "grid/settings.html", {"lines": lines, "county": county}, "grid:settings")


# ---- photos -------------------------------------------------------------------------------------


@staff_required
def photo(request, pk: int):
    """A visit's or a patrol finding's photo, for those who may see the record."""
    attachment = queries.get_photo_for(request.user, pk)
    return attachment_response(attachment)
