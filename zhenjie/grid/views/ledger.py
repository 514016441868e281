"""Key-population ledgers, visits, and the overdue lists."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl.styles import Font

from zhenjie.kernel import submits
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.workbench import excel, offline
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from .. import actions, queries
from ..actions import visitwork
from ..forms import EndKeyPersonForm, KeyPersonForm, VisitForm
from ..models import Visit
from ..populations import LEDGERS, Kind
from ..rules import rule_for
from ..uploads import read_photo
from .common import date_range, grid_filter, page, wants_excel


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
        return excel.export(title, queries.ledger_columns(specs, today, request.user), rows)
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
        "task": queries.open_visit_task_of(request.user, person),
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
    form = VisitForm(request.POST or None, request.FILES or None, units=visitwork.referral_units(person.grid))
    as_json = request.method == "POST" and offline.wants_json(request)  # sent by offline.js, perhaps from the phone's queue
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = actions.record_visit(
                request.user, person, situation=data["situation"], findings=data["findings"], visited_at=data["visited_at"],
                lng=data["lng"], lat=data["lat"], photo=read_photo(data["photo"]),
                need=data["need"] or None, need_description=data["need_description"], need_unit=data["need_unit"],
                client_key=submits.parse_key(data["client_key"]),
            )
        except ActionError as error:
            if as_json:
                return offline.refused(error=error)
            form.add_action_error(error)
        else:
            referral = getattr(visit, "referral", None) if visit.situation == Visit.Situation.HELP else None
            done = f"已记录对 {person.resident.name} 的走访" + (f"，已转介{referral.unit.name}({referral.case.number})" if referral else "")
            messages.success(request, done)
            target = request.GET.get("next") if _safe_next(request) else reverse("grid:key_person", args=[person.pk])
            return offline.filed(target, done) if as_json else redirect(target)
    elif as_json:
        return offline.refused(form=form)
    context = {"form": form, "person": person, "next": request.GET.get("next", ""), "task": queries.open_visit_task_of(request.user, person)}
    return page(request, "grid/visit_form.html", context, "grid:ledger")


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
    if (visitor := parse_id(request.GET.get("visitor", ""))) is not None:
        rows = rows.filter(visitor_id=visitor)
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    rows = date_range(rows, "visited_at", start, end)
    if wants_excel(request):
        return excel.export("走访记录", queries.VISIT_COLUMNS, rows)
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
    worker_id = parse_id(worker)
    if worker_id is not None:
        rows = rows.filter(grid__grid_coverages__worker_id=worker_id, grid__grid_coverages__is_lead=True, grid__grid_coverages__ended_at__isnull=True)
    if wants_excel(request):
        return _overdue_workbook(rows, by_worker, by_township, today)
    listing = paginate(request, rows)
    context = {
        "page": listing,
        "lines": queries.overdue_people(listing.object_list, today),
        "by_worker": by_worker,
        "by_township": by_township,
        "grid": grid,
        "grids": queries.grid_list_for(request.user),
        "kind": kind,
        "kinds": Kind.choices,
        "worker": worker,
        "worker_line": next((line for line in by_worker if worker_id is not None and line.key == worker_id), None),
        "query": query_without_page(request),
        "today": today,
    }
    return page(request, "grid/overdue.html", context, "grid:overdue")


def _overdue_workbook(rows, by_worker, by_township, today):
    book = excel.columns_workbook("超期明细", queries.OVERDUE_COLUMNS, queries.overdue_people(rows[: excel.EXPORT_ROW_LIMIT], today))
    for title, lines in (("按网格员", by_worker), ("按乡镇(街道)", by_township)):
        sheet = book.create_sheet(title)
        sheet.append([title[1:], "台账对象", "超期未走访", f"{queries.DUE_SOON_DAYS}日内到期", "超期占比", "网格"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in lines:
            sheet.append([line.label, line.active, line.overdue, line.due_soon, line.overdue_share, "、".join(line.grids)])
    return excel.xlsx_response("超期未走访", book)
