"""The command screen (指挥大屏) and the analysis and early-warning pages (研判预警).

Thin, like every view here: parse the filter, read through zhenjie.events.analysis (scoped to the
user), render or answer JSON. Acknowledging a warning is the one write, through its action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhenjie.areas import queries as area_queries
from zhenjie.events import analysis
from zhenjie.events.policy import update_event_policy
from zhenjie.events.early_warning import acknowledge_warning
from zhenjie.events.policy import policy_for
from zhenjie.kernel import periods
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.scoping import administered_county, reach_of
from zhenjie.kernel.workflow import workflow_for
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import filters
from .forms import WarningPolicyForm

SCREEN_DAYS = 30  # the command screen's charts cover the last 30 days
RANKING_SHOWN = 10
WARNINGS_SHOWN = 5


def _jurisdiction_name(user) -> str:
    names = list(area_queries.jurisdiction_roots_for(user).values_list("name", flat=True))
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "")


COUNT_CARDS = [
    ("reported_today", "今日上报", "broadcast", "stat-pending"),
    ("closed_today", "今日办结", "check2-circle", "stat-done"),
    ("overdue", "当前超期", "alarm", "stat-overdue"),
    ("due_soon", "即将超期", "hourglass-split", "stat-soon"),
    ("open", "未办结", "folder2-open", "stat-pending"),
    ("warnings", "待确认预警", "exclamation-triangle", "stat-overdue"),
]


def _screen_context(request) -> dict:
    return {
        "count_cards": COUNT_CARDS,
        "jurisdiction": _jurisdiction_name(request.user),
        "has_jurisdiction": bool(reach_of(request.user).paths),
        "refresh": filters.refresh_seconds(request),
        "screen_days": SCREEN_DAYS,
    }


@staff_required
def home(request):
    """The large screen for the command centre's wall: dark, full window, no page chrome."""
    return render(request, "dashboard/screen.html", _screen_context(request))


@staff_required
def leader(request):
    """The same figures for a township leader, on a phone or at a desk, inside the usual shell."""
    return render(request, "dashboard/leader.html", _screen_context(request))


@require_GET
@staff_required
def data(request):
    """Everything the screens show except the map points, polled every ~30 s: a fixed number
    of aggregate queries, whatever the number of events."""
    now = timezone.now()
    period = analysis.Period.last_days(SCREEN_DAYS, now)
    ranking = analysis.department_ranking(request.user, period, now)[:RANKING_SHOWN]
    warnings = list(analysis.warnings_for(request.user).filter(acknowledged_by__isnull=True)[:WARNINGS_SHOWN])
    return JsonResponse({
        "generated_at": timezone.localtime(now).strftime("%H:%M:%S"),
        "counts": {**analysis.live_counts(request.user, now), "warnings": analysis.open_warning_count(request.user)},
        "by_category": analysis.by_category(request.user, period),
        "by_channel": analysis.by_channel(request.user, period),
        "by_area": analysis.by_area(request.user, period),
        "open_by_area": analysis.open_by_area(request.user),
        "trend": analysis.daily_trend(request.user, period),
        "ranking": [
            {"rank": r.rank, "name": r.name, "received": r.received, "acknowledge_rate": r.acknowledge_rate,
             "solve_rate": r.solve_rate, "average_rating": r.average_rating}
            for r in ranking
        ],
        "warnings": [
            {"id": w.pk, "text": f"{w.area.name} {w.window_days}天内{w.count}起{w.category.name}",
             "raised_at": timezone.localtime(w.raised_at).strftime("%m-%d %H:%M")}
            for w in warnings
        ],
    })


@require_GET
@staff_required
def points(request):
    """Open events on the map: the latest 2,000 in the jurisdiction (and viewport, ?bbox=)."""
    rows = analysis.map_points(request.user, filters.map_box(request))
    detail = _detail_url_pattern()
    for row in rows:
        row["url"] = detail.replace(str(_SENTINEL), str(row["id"])) if detail else ""
    return JsonResponse({"points": rows, "capped": len(rows) >= analysis.MAP_POINTS_MAX, "max": analysis.MAP_POINTS_MAX})


_SENTINEL = 987654321


def _detail_url_pattern() -> str:
    """The event page's URL with a placeholder id, filled in per point (one reverse() for 2,000
    points); empty while the event pages are not installed."""
    try:
        return reverse("events:detail", args=[_SENTINEL])
    except NoReverseMatch:
        return ""


def _case_url(case) -> str:
    try:
        return workflow_for(case.kind).detail_url(case.pk)
    except NoReverseMatch:
        return ""


# --- analysis pages -------------------------------------------------------------------------------

def _analysis_filter(request) -> filters.AnalysisFilter:
    try:
        return filters.analysis_filter(request)
    except NotFound:
        raise Http404("区划不存在或不在您的辖区内") from None


def _area_choices(user):
    """Where the analysis can be narrowed to: the jurisdiction and one level below it."""
    roots = list(area_queries.jurisdiction_roots_for(user))
    children = [child for root in roots for child in area_queries.children_for(user, root)]
    return roots + children


@staff_required
def trends(request):
    chosen = _analysis_filter(request)
    user, period, area = request.user, chosen.period, chosen.area
    figures = {
        "trend": analysis.weekly_trend(user, period, area),
        "by_category": analysis.by_category(user, period, area),
        "by_channel": analysis.by_channel(user, period, area),
        "by_area": analysis.by_area(user, period, area),
    }
    trend = figures["trend"]
    charts = [
        {"key": "trend", "title": "每周上报与办结", "icon": "graph-up", "wide": True},
        {"key": "by_category", "title": "按类别", "icon": "tags", "column": "类别", "rows": figures["by_category"]},
        {"key": "by_channel", "title": "按渠道", "icon": "broadcast", "column": "渠道", "rows": figures["by_channel"]},
        {"key": "by_area", "title": "按区域", "icon": "geo-alt", "column": "区域", "rows": figures["by_area"], "wide": True},
    ]
    context = {
        "tab": "trends",
        "filter": chosen,
        "weeks_choices": filters.WEEKS_CHOICES,
        "areas": _area_choices(user),
        "figures": figures,
        "charts": charts,
        "trend_rows": list(zip(trend["weeks"], trend["reported"], trend["closed"])),
        "total": sum(row["value"] for row in figures["by_channel"]),
        "closed_total": sum(trend["closed"]),
        "period_end": period.end - timezone.timedelta(days=1),
    }
    return render(request, "dashboard/trends.html", context)


@staff_required
def warnings(request):
    state = request.GET.get("state", "open")
    rows = analysis.warnings_for(request.user)
    if state == "open":
        rows = rows.filter(acknowledged_by__isnull=True)
    elif state != "all":
        state = "open"
        rows = rows.filter(acknowledged_by__isnull=True)
    page = paginate(request, rows)
    context = {"tab": "warnings", "page": page, "state": state, "query": query_without_page(request),
               "open_count": analysis.open_warning_count(request.user), "policy": _warning_policy_shown(request.user),
               "can_configure": administered_county(request.user) is not None}
    return render(request, "dashboard/warnings.html", context)


@require_POST
@staff_required
def warning_acknowledge(request, pk: int):
    try:
        warning = analysis.get_warning_for(request.user, pk)
    except NotFound:
        raise Http404("预警不存在或不在您的辖区内") from None
    error = None
    try:
        acknowledge_warning(request.user, warning, request.POST.get("note", ""))
    except ActionError as problem:
        error = problem.message
    warning = analysis.get_warning_for(request.user, pk)
    # HTMX swaps only 2xx answers, so a refusal comes back as 200 with the message in the row.
    return render(request, "dashboard/_warning_row.html", {"warning": warning, "error": error})


@staff_required
def due_soon(request):
    now = timezone.now()
    overdue = request.GET.get("show") == "overdue"
    rows = analysis.due_soon_for(request.user, now, overdue=overdue)
    if request.GET.get("format") == "xlsx":
        return excel.export("已超期" if overdue else "将超期", analysis.due_soon_columns(now), rows, "已超期事项" if overdue else "将超期事项")
    page = paginate(request, rows)
    for case in page.object_list:
        case.subject = analysis.subject_of(case)
        case.url = _case_url(case)
        case.remaining = analysis.remaining_hours(case, now)
    context = {
        "tab": "due_soon",
        "page": page,
        "overdue": overdue,
        "query": query_without_page(request),
        "yellow_hours": analysis.supervision_policy_for(request.user).yellow_hours,
    }
    return render(request, "dashboard/due_soon.html", context)


@staff_required
def departments(request):
    chosen = _analysis_filter(request)
    rows = analysis.department_ranking(request.user, chosen.period, area=chosen.area)
    if request.GET.get("format") == "xlsx":
        return excel.export("乡呼县应部门响应", analysis.DEPARTMENT_COLUMNS, rows)
    context = {"tab": "departments", "rows": rows, "filter": chosen, "weeks_choices": filters.WEEKS_CHOICES, "areas": _area_choices(request.user),
               "period_end": chosen.period.end - timezone.timedelta(days=1), "query": query_without_page(request)}
    return render(request, "dashboard/departments.html", context)


@staff_required
def quality(request):
    """办理质量: rework, on-time and first-time-right rates per handling unit and per category
    (events.quality), each count linking to the events behind it. Bad filter values answer 400
    with the reason in Chinese, the form kept."""
    from zhenjie.events import quality as figures_of

    try:
        chosen = figures_of.choose_from(request.user, request.GET, default_period=True)
    except ActionError as error:
        context = {"tab": "quality", "error": error.message, "params": request.GET, "figures": None, "max_days": periods.MAX_DAYS}
        return render(request, "dashboard/quality.html", context, status=error.status)
    found = figures_of.figures(request.user, chosen)
    if request.GET.get("format") == "xlsx":
        return excel.export("办理质量", figures_of.COLUMNS, [found.total, *found.units, *found.categories])
    context = {"tab": "quality", "figures": found, "choice": chosen, "params": request.GET, "query": query_without_page(request),
               "max_days": periods.MAX_DAYS}
    return render(request, "dashboard/quality.html", context)


# --- the county's warning thresholds -------------------------------------------------------------

def _warning_policy_shown(user):
    root = area_queries.jurisdiction_roots_for(user).first()
    return policy_for(root) if root is not None else None


@staff_required
def warning_settings(request):
    county = administered_county(request.user)
    if county is None:
        raise PermissionDenied("只有县级管理员可以修改预警设置")
    policy = policy_for(county)
    form = WarningPolicyForm(initial={field: getattr(policy, field) for field in WarningPolicyForm.base_fields})
    if request.method == "POST":
        form = WarningPolicyForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            version = values.pop("version")
            try:
                # Never saved: nothing newer to lose (the defaults show version 0), as the 指挥中心设置 page.
                update_event_policy(request.user, version=version if policy.pk else None, **values)
            except ActionError as error:
                form.add_action_error(error)
            else:
                messages.success(request, "预警设置已保存，自下一件上报的事件起生效")
                return redirect("dashboard:warning_settings")
    return render(request, "dashboard/warning_settings.html", {"tab": "warnings", "form": form, "county": county, "policy": policy})
