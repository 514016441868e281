"""Public pages (no login) under /public/lists/: each township's power list, local-duty list and
service guides as published and in force today — searchable by name or pinyin initials as people
type, each guide printable (seed 004 一 "建立和完善适应基层实际的办事指南"; seed 001 (一)3
"梳理并公布乡镇政务服务事项清单"). Drafts are never shown here."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET


from . import queries
from .layouts import layout_for, summary_cells, summary_headers
from .models import ListKind
from .search import clean_query
from zhenjie.workbench.paging import paginate, query_without_page

FILTER_MAX = 64
SECTIONS = {
    "power": (ListKind.POWER, "权责清单"),
    "duties": (ListKind.LOCAL_DUTY, "属地管理事项清单"),
    "services": (ListKind.SERVICE, "政务服务事项和办事指南"),
}


@require_GET
def index(request):
    townships = list(queries.public_townships())
    counties: dict = {}
    for township in townships:
        counties.setdefault(township.parent, []).append(township)
    return render(request, "lists/public/index.html", {"counties": counties})


@require_GET
def township(request, code: str):
    area = queries.get_public_township(code)
    today = timezone.localdate()
    versions = queries.public_versions_of(area, today)
    by_kind: dict = {}
    for version in versions:
        by_kind.setdefault(version.series.kind, []).append(version)
    sections = [
        {"slug": slug, "label": label, "versions": by_kind.get(kind, []), "count": sum(v.item_count for v in by_kind.get(kind, []))}
        for slug, (kind, label) in SECTIONS.items()
    ]
    delegated = queries.delegations_in_force_for(area, today)
    others = [v for v in versions if v.series.kind not in {kind for kind, _ in SECTIONS.values()}]
    return render(request, "lists/public/township.html", {"township": area, "sections": sections, "delegated": delegated, "others": others, "today": today})


@require_GET
def section(request, code: str, slug: str):
    if slug not in SECTIONS:
        raise Http404("没有该清单")
    area = queries.get_public_township(code)
    kind, label = SECTIONS[slug]
    today = timezone.localdate()
    versions = queries.public_versions_of(area, today, kind)
    layout = layout_for(kind)
    search = clean_query(request.GET.get("q"))
    chosen = request.GET.get("f", "")[:FILTER_MAX]
    rows = queries.items_in(layout, versions, search)
    if chosen and layout.filter_field:
        rows = rows.filter(**{layout.filter_field: chosen})
    page = paginate(request, rows)
    column = layout.column(layout.filter_field)
    if column.kind == "choice":
        options = list(column.choices.choices)
    else:
        values = layout.model.objects.filter(version__in=[v.pk for v in versions]).values_list(layout.filter_field, flat=True).distinct().order_by(layout.filter_field)
        options = [(v, v) for v in values if v]
    context = {
        "township": area, "slug": slug, "label": label, "versions": versions, "layout": layout, "page": page,
        "rows": [(item, summary_cells(layout, item)) for item in page], "headers": summary_headers(layout),
        "search": search, "chosen": chosen, "filter_label": column.header, "filter_options": options,
        "query": query_without_page(request),
        "delegated": queries.delegations_in_force_for(area, today) if kind == ListKind.POWER and not search and not chosen else None,
    }
    template = "lists/public/_rows.html" if request.htmx and request.htmx.target == "item-rows" else "lists/public/section.html"
    return render(request, template, context)


@require_GET
def guide(request, code: str, item_code: str):
    area = queries.get_public_township(code)
    versions = queries.public_versions_of(area, timezone.localdate(), ListKind.SERVICE)
    layout = layout_for(ListKind.SERVICE)
    # The township's own catalogue comes before a county-wide one with the same code.
    versions.sort(key=lambda v: v.series.area.path, reverse=True)
    item = None
    for version in versions:
        item = queries.items_in(layout, [version]).filter(code=item_code[:64]).first()
        if item is not None:
            break
    if item is None:
        raise Http404("办事指南不存在")
    return render(request, "lists/public/guide.html", {"township": area, "item": item, "version": version, "materials": list(item.materials.all())})
