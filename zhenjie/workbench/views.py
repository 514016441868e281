"""The staff shell: workbench, inbox, notifications, areas and the unit directory."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhenjie.accounts.queries import my_posts, standing_in_for_today
from zhenjie.areas import queries as area_queries
from zhenjie.kernel.assignments import inbox_counts
from zhenjie.kernel.ids import parse_ids
from zhenjie.kernel.models import Notification
from zhenjie.kernel.scoping import get_visible_or_404, reach_of
from zhenjie.kernel.serving import file_response
from zhenjie.kernel.workflow import registered_kinds
from zhenjie.units import queries as unit_queries
from zhenjie.units.models import Unit

from . import basemap, excel
from .inbox import FILTERS, INBOX_COLUMNS, as_rows, filtered_inbox
from .paging import paginate, query_without_page

logger = logging.getLogger(__name__)


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy", whatever its class
        return JsonResponse({"status": "unavailable", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "time": timezone.now().isoformat()})


SERVICE_WORKER = settings.BASE_DIR / "zhenjie" / "static" / "zhenjie" / "sw.js"


@require_GET
def service_worker(request):
    """The service worker (static/zhenjie/sw.js, issue 14 item 9) from the site's root: a worker
    controls only the pages under the path it is served from, and the phone pages it keeps
    (/events/report/, /grid/…) are not under /static/. Always re-checked (no-cache), so a new
    version reaches the phones at once; no login needed (it holds no data)."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def tile(request, z: str, x: str, y: str):
    """One tile of the county's base-map file (basemap.py), for staff pages and the grid worker's
    phone: the URL's digits are bounded by the pattern, the coordinates by the zoom here."""
    if not request.user.is_authenticated or request.user.kind != request.user.Kind.STAFF:
        return HttpResponse("请先登录", status=403, content_type="text/plain; charset=utf-8")
    z, x, y = int(z), int(x), int(y)
    if z > basemap.MAX_ZOOM or x >= 1 << z or y >= 1 << z:
        return HttpResponse("瓦片坐标超出范围", status=400, content_type="text/plain; charset=utf-8")
    tiles = basemap.current()
    try:
        data = basemap.read_tile(tiles, z, x, y) if tiles is not None else None
    except basemap.UNREADABLE:  # the file replaced or damaged under a running server: no tile, not a 500
        logger.warning("base-map file %s unreadable at %s/%s/%s", tiles.path, z, x, y, exc_info=True)
        return HttpResponse("底图文件暂时无法读取", status=503, content_type="text/plain; charset=utf-8")
    if not data:
        return HttpResponse("没有这块瓦片", status=404, content_type="text/plain; charset=utf-8")
    # Kept a day by the browser (private: only staff may fetch them); a new file gives new tiles
    # after that day, or at once with a cleared cache.
    return file_response(data, filename=f"{z}-{x}-{y}", content_type=basemap.content_type_of(tiles, data), inline=True, max_age=86400)


def staff_required(view):
    """Staff pages: log in first; citizens go to the public site."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.kind != request.user.Kind.STAFF:
            return redirect("events_public:track")  # not "/": that is a staff page too, and looped
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@staff_required
def home(request):
    now = timezone.now()
    reach = reach_of(request.user)
    context = {
        "counts": inbox_counts(request.user, now),
        "rows": as_rows(filtered_inbox(request.user, now=now)[:8], now),
        "posts": my_posts(request.user),
        "notifications": Notification.objects.filter(user=request.user).order_by("-created_at")[:5],
        "has_map": bool(reach.paths),
        "today": timezone.localdate(),
        "calendar_warning": _calendar_warning(reach),
    }
    return render(request, "workbench/home.html", context)


def _calendar_warning(reach) -> int | None:
    """Next year, if its holidays are not known yet and this person is the one to enter them."""
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.kernel.calendar import current_calendar

    next_year = timezone.localdate().year + 1
    if RoleCode.COUNTY_ADMIN in reach.roles and not current_calendar().is_known_year(next_year):
        return next_year
    return None


@staff_required
def inbox(request):
    now = timezone.now()
    due = request.GET.get("due", "all")
    due = due if due in FILTERS else "all"
    kind = request.GET.get("kind", "")
    counts = inbox_counts(request.user, now)
    rows = filtered_inbox(request.user, due=due, kind=kind, now=now, counts=counts)
    if request.GET.get("format") == "xlsx":
        return excel.export("我的待办", INBOX_COLUMNS, as_rows(rows.queryset()[: excel.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), now))
    page = paginate(request, rows)
    context = {
        "page": page,
        "rows": as_rows(page.object_list, now),
        "counts": counts,
        "due": due,
        "kind": kind,
        "filters": FILTERS,
        "kinds": registered_kinds(),
        "query": query_without_page(request),
        # AB岗: whom the user stands in for today (a query only for those who do).
        "standing_in_for": [] if request.htmx else standing_in_for_today(request.user),
    }
    template = "workbench/_inbox_table.html" if request.htmx else "workbench/inbox.html"
    return render(request, template, context)


@staff_required
def escalated(request):
    """督查室督办: what has reached the county supervision office — red work still red N working
    days after its deadline, longest overdue first; only the office's staff (others: 404)."""
    from zhenjie.kernel import supervision

    now = timezone.now()
    page = paginate(request, supervision.escalated_for(request.user))
    return render(request, "workbench/escalated.html", {"page": page, "rows": as_rows(page.object_list, now), "query": query_without_page(request)})


@staff_required
def notifications(request):
    page = paginate(request, Notification.objects.filter(user=request.user).select_related("case").order_by("-created_at"))
    return render(request, "workbench/notifications.html", {"page": page, "query": query_without_page(request)})


@require_POST
@staff_required
def mark_notifications_read(request):
    ids = request.POST.getlist("id")
    rows = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if ids:
        rows = rows.filter(pk__in=parse_ids(ids))
    rows.update(read_at=timezone.now())
    return redirect("workbench:notifications")


@staff_required
def notification_open(request, pk: int):
    """Mark one message read and go to what it is about."""
    note = get_visible_or_404(Notification.objects.select_related("case").filter(user=request.user), "notification.not_found", "消息不存在", pk=pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    if note.case is not None:
        from zhenjie.kernel.workflow import workflow_for

        url = workflow_for(note.case.kind).detail_url(note.case_id)
        if url:
            return redirect(url)
    return redirect("workbench:notifications")


@staff_required
def areas(request, pk: int | None = None):
    area = None
    if pk is not None:
        area = area_queries.get_area_for(request.user, pk)
    children = area_queries.children_for(request.user, area)
    units = unit_queries.units_for(request.user).filter(area=area) if area else Unit.objects.none()
    ancestors = []
    node = area
    while node is not None and node.parent_id is not None:
        node = node.parent
        if reach_of(request.user).covers(node):
            ancestors.insert(0, node)
    context = {
        "area": area, "children": children, "units": units, "ancestors": ancestors,
        # 区划调整: the tree of today above, what was retired (greyed) and the changes below.
        "retired_children": area_queries.retired_children_for(request.user, area),
        "area_changes": area_queries.changes_of(request.user, area) if area else [],
    }
    return render(request, "workbench/areas.html", context)


@staff_required
def areas_geojson(request):
    """Boundaries for the map: the children of ?parent= (or the jurisdiction roots' children)."""
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = area_queries.get_area_for(request.user, parent_id)
        shown = list(area_queries.children_for(request.user, parent)) or [parent]
    else:
        roots = list(area_queries.jurisdiction_roots_for(request.user))
        shown = [child for root in roots for child in area_queries.children_for(request.user, root)] or roots
    return JsonResponse(area_queries.feature_collection(shown))


@staff_required
def units(request):
    search = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    rows = unit_queries.units_for(request.user, search=search, kind=kind if kind in Unit.Kind.values else "")
    if request.GET.get("format") == "xlsx":
        return excel.export("机构通讯录", unit_queries.COLUMNS, rows)
    page = paginate(request, rows, per_page=50)
    context = {"page": page, "search": search, "kind": kind, "kinds": Unit.Kind.choices, "query": query_without_page(request)}
    return render(request, "workbench/units.html", context)


@staff_required
def attachment(request, pk: int):
    """A file attached to a case, for those who may see the case; served inline for photos."""

    from zhenjie.kernel.serving import attachment_response
    from zhenjie.kernel.models import Attachment
    from zhenjie.kernel.scoping import can_see_case

    found = Attachment.objects.select_related("blob", "case", "case__area").filter(pk=pk).first()
    if found is None or found.case is None or not can_see_case(request.user, found.case):
        raise Http404("文件不存在或不在您的辖区内")
    return attachment_response(found)
