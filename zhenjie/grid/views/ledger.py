"""Key-population ledgers, visits, and the overdue lists."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl.styles import Font

from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from .. import actions, queries
from ..forms import EndKeyPersonForm, KeyPersonForm, VisitForm
from ..models import Visit
from ..populations import LEDGERS, Kind
from ..rules import rule_for
from ..uploads import read_photo
from ..queries import grid_name
from .common import date_range, export, grid_filter, page, wants_excel


def _kind(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Kind.values else ""


@staff_required
def ledger(request):
    """One ledger per kind (tabs), or all of them; filtered by due state, grid and name."""
    today = timezone.localdate()
    kind = _kind(request)
    due = request.GET.get("due", "all")
    due = due if due in queries.DUE_FILTERS else "all"
    grid = grid_filter(request)
    rows = queries.filter_due(queries.key_persons_for(request.user), due, today)
    if kind:
        rows = rows.filter(kind=kind)
    if grid:
        rows = rows.filter(grid=grid)
    name = request.GET.get("q", "").strip()[:32]
    if name:
        rows = rows.filter(resident__name__contains=name)
    specs = LEDGERS[kind].fields if kind else ()
    if wants_excel(request):
        title = f"{Kind(kind).label}台账" if kind else "重点人群台账"
        headers = ["网格", "姓名", "性别", "出生日期", "身份证号(脱敏)", "人群类别", "纳入日期", *[s.label for s in specs], "联系人", "联系人电话(脱敏)", "最近走访", "应走访日期", "超期天数", "状态"]
        lines = (
            [grid_name(p.grid), p.resident.name, p.resident.get_sex_display(), p.resident.birth_date, p.resident.id_number_masked, p.get_kind_display(), p.since,
             *[p.particulars.get(s.key, "") for s in specs], p.contact_name, p.contact_phone_masked, p.last_visited_at, p.next_visit_on,
             p.days_overdue(today) if p.is_active else "", "在册" if p.is_active else f"已退出({p.end_reason})"]
            for p in rows[: excel.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
        )
        return export(title, headers, lines)
    listing = paginate(request, rows)
    soon = today + timedelta(days=queries.DUE_SOON_DAYS)
    context = {
        "page": listing,
        "lines": [
            {"person": p, "days": p.days_overdue(today) if p.is_active else 0, "soon": p.next_visit_on <= soon, "particulars": [p.particulars.get(s.key, "") for s in specs]}
            for p in listing.object_list
        ],
        "kind": kind,
        "kinds": Kind.choices,
        "specs": specs,
        "due": due,
        "due_filters": queries.DUE_FILTERS,
        "grid": grid,
        "grids": queries.grid_list_for(request.user),
        "name": name,
        "today": today,
        "query": query_without_page(request),
    }
    return page(request, "grid/ledger.html", context, "grid:ledger")


@staff_required
def key_person_new(request, resident_pk: int):
    resident = queries.get_resident_for(request.user, resident_pk)
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    form = KeyPersonForm(request.POST or None, kind=kind if kind in Kind.values else None, initial={"kind": kind, "since": timezone.localdate()})
    if request.method == "POST" and "save" in request.POST and form.is_valid():
        try:
            person = actions.add_key_person(
                request.user, resident, kind=form.cleaned_data["kind"], since=form.cleaned_data["since"],
                particulars=form.particulars(), notes=form.cleaned_data["notes"], **form.contact(),
            )
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已将 {resident.name} 纳入{person.get_kind_display()}台账")
            return redirect("grid:key_person", person.pk)
    elif request.method == "POST" and "save" not in request.POST:
        form = KeyPersonForm(kind=kind if kind in Kind.values else None, initial=request.POST.dict())  # the kind changed: show its columns
    context = {"form": form, "resident": resident}
    return page(request, "grid/key_person_form.html", context, "grid:ledger")


@staff_required
def key_person_detail(request, pk: int):
    person = queries.get_key_person_for(request.user, pk)
    visits = queries.visits_for(request.user).filter(key_person=person)
    context = {
        "person": person,
        "particulars": [(spec.label, person.particulars.get(spec.key, "")) for spec in LEDGERS[person.kind].fields],
        "contact_label": LEDGERS[person.kind].contact_label,
        "visits": paginate(request, visits),
        "query": query_without_page(request),
        "end_form": EndKeyPersonForm(initial={"ended_on": timezone.localdate()}),
        "today": timezone.localdate(),
        "rule": rule_for(person.kind, person.grid),
    }
    return page(request, "grid/key_person_detail.html", context, "grid:ledger")


@staff_required
def key_person_edit(request, pk: int):
    person = queries.get_key_person_for(request.user, pk)
    initial = {"contact_name": person.contact_name, "contact_relation": person.contact_relation, "notes": person.notes}
    form = KeyPersonForm(request.POST or None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_key_person(request.user, person, particulars=form.particulars(), notes=form.cleaned_data["notes"], **form.contact())
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已保存")
            return redirect("grid:key_person", person.pk)
    return page(request, "grid/key_person_form.html", {"form": form, "resident": person.resident, "person": person}, "grid:ledger")


@require_POST
@staff_required
def key_person_end(request, pk: int):
    person = queries.get_key_person_for(request.user, pk)
    form = EndKeyPersonForm(request.POST)
    if form.is_valid():
        try:
            actions.end_key_person(request.user, person, reason=form.cleaned_data["reason"], on=form.cleaned_data["ended_on"])
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已退出台账")
    else:
        messages.error(request, "请填写退出原因")
    return redirect("grid:key_person", person.pk)


@staff_required
def visit_new(request, pk: int):
    """Phone-first: pick a conclusion, say what was found, take a photo, send. The position is
    added by the page's script when the phone allows it."""
    person = queries.get_key_person_for(request.user, pk)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_visit(
                request.user, person, situation=data["situation"], findings=data["findings"], visited_at=data["visited_at"],
                lng=data["lng"], lat=data["lat"], photo=read_photo(data["photo"]),
            )
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已记录对 {person.resident.name} 的走访")
            return redirect(request.GET.get("next") if _safe_next(request) else reverse("grid:key_person", args=[person.pk]))
    return page(request, "grid/visit_form.html", {"form": form, "person": person, "next": request.GET.get("next", "")}, "grid:ledger")


def _safe_next(request) -> bool:
    """Only our own ledger pages: never an outside address."""
    target = request.GET.get("next", "")
    return target.startswith("/grid/") and "//" not in target and "\\" not in target


@staff_required
def visit_list(request):
    grid = grid_filter(request)
    rows = queries.visits_for(request.user)
    if grid:
        rows = rows.filter(grid=grid)
    kind = _kind(request)
    if kind:
        rows = rows.filter(key_person__kind=kind)
    situation = request.GET.get("situation", "")
    if situation in Visit.Situation.values:
        rows = rows.filter(situation=situation)
    visitor = request.GET.get("visitor", "")
    if visitor.isdigit():
        rows = rows.filter(visitor_id=int(visitor))
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    rows = date_range(rows, "visited_at", start, end)
    if wants_excel(request):
        return export(
            "走访记录",
            ["走访时间", "网格", "走访对象", "人群类别", "走访人", "走访结论", "走访情况", "照片数"],
            ([v.visited_at, grid_name(v.grid), v.key_person.resident.name, v.key_person.get_kind_display(), v.visitor.display_name, v.get_situation_display(), v.findings, len(v.photos.all())]
             for v in rows[: excel.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)),
            [18, 22, 10, 12, 10, 10, 60, 8],
        )
    context = {
        "page": paginate(request, rows),
        "grid": grid,
        "grids": queries.grid_list_for(request.user),
        "kind": kind,
        "kinds": Kind.choices,
        "situation": situation,
        "situations": Visit.Situation.choices,
        "visitor": visitor,
        "start": start,
        "end": end,
        "query": query_without_page(request),
    }
    return page(request, "grid/visits.html", context, "grid:visits")


@staff_required
def overdue(request):
    """Overdue visits: figures per lead worker and per township, and the list of people to visit.
    A grid worker sees their own grids; a township its own; the county every township."""
    today = timezone.localdate()
    grid = grid_filter(request)
    by_worker, by_township = queries.overdue_summary_for(request.user, today, grid=grid)
    rows = queries.filter_due(queries.key_persons_for(request.user), "overdue", today)
    if grid:
        rows = rows.filter(grid=grid)
    kind = _kind(request)
    if kind:
        rows = rows.filter(kind=kind)
    worker = request.GET.get("worker", "")
    if worker.isdigit():
        rows = rows.filter(grid__grid_coverages__worker_id=int(worker), grid__grid_coverages__is_lead=True, grid__grid_coverages__ended_at__isnull=True)
    if wants_excel(request):
        return _overdue_workbook(rows, by_worker, by_township, today)
    listing = paginate(request, rows)
    leads = queries.leads_by_grid({p.grid_id for p in listing.object_list})
    context = {
        "page": listing,
        "lines": [{"person": p, "lead": leads.get(p.grid_id), "days": p.days_overdue(today)} for p in listing.object_list],
        "by_worker": by_worker,
        "by_township": by_township,
        "grid": grid,
        "grids": queries.grid_list_for(request.user),
        "kind": kind,
        "kinds": Kind.choices,
        "worker": worker,
        "worker_line": next((line for line in by_worker if worker.isdigit() and line.key == int(worker)), None),
        "query": query_without_page(request),
        "today": today,
    }
    return page(request, "grid/overdue.html", context, "grid:overdue")


def _overdue_workbook(rows, by_worker, by_township, today):
    rows = list(rows[: excel.EXPORT_ROW_LIMIT])
    leads = queries.leads_by_grid({p.grid_id for p in rows})
    book = excel.workbook(
        "超期明细",
        ["网格", "姓名", "人群类别", "最近走访", "应走访日期", "超期天数", "责任网格员"],
        ([grid_name(p.grid), p.resident.name, p.get_kind_display(), p.last_visited_at, p.next_visit_on, p.days_overdue(today),
          leads[p.grid_id].worker.display_name if p.grid_id in leads else "未配备"] for p in rows),
        [24, 10, 12, 18, 12, 10, 12],
    )
    for title, lines in (("按网格员", by_worker), ("按乡镇(街道)", by_township)):
        sheet = book.create_sheet(title)
        sheet.append([title[1:], "台账对象", "超期未走访", f"{queries.DUE_SOON_DAYS}日内到期", "超期占比", "网格"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in lines:
            sheet.append([line.label, line.active, line.overdue, line.due_soon, line.overdue_share, "、".join(line.grids)])
    return excel.xlsx_response("超期未走访", book)
