"""Registers: residents, buildings, organisations. Lists search by name or address, or by a full
ID number / phone / credit code through the keyed digest; each list exports what it shows."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from .. import actions, queries
from ..forms import BuildingForm, DepartureForm, OrganisationForm, ResidentForm
from ..jurisdiction import EDITORS, grids_for
from ..models import Building, Resident
from .common import grid_filter, page, wants_excel


def _editable_grids(request):
    return grids_for(request.user, EDITORS).live().select_related("parent").order_by("path")  # today's grids (区划调整)


def _list_context(request, rows, search):
    listing = paginate(request, rows)
    return {"page": listing, "search": search, "query": query_without_page(request), "grids": queries.grid_list_for(request.user)}


# ---- residents ----------------------------------------------------------------------------------


@staff_required
def resident_list(request):
    search = queries.Search.parse(request.GET.get("q", ""))
    grid = grid_filter(request)
    rows = queries.search_residents(queries.residents_for(request.user), search)
    if grid:
        rows = rows.filter(grid=grid)
    status = request.GET.get("status", Resident.Status.PRESENT)
    if status in Resident.Status.values:
        rows = rows.filter(status=status)
    if wants_excel(request):
        return excel.export("实有人口", queries.resident_columns(request.user), rows)
    context = _list_context(request, rows, search)
    context.update({"grid": grid, "status": status, "statuses": Resident.Status.choices})
    return page(request, "grid/residents.html", context, "grid:residents")


def _form_grid(request, form):
    grid = grid_filter(request)
    form.set_grids(_editable_grids(request), grid)
    if grid is not None:
        form.fields["building"].queryset = Building.objects.filter(grid=grid).order_by("address")
    else:
        form.fields["building"].widget = form.fields["building"].hidden_widget()
    return grid


@staff_required
def resident_new(request):
    form = ResidentForm(request.POST or None)
    _form_grid(request, form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        grid = data.pop("grid")
        try:
            resident = actions.register_resident(request.user, grid, **data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记 {resident.name}")
            return redirect("grid:resident", resident.pk)
    return page(request, "grid/register_form.html", {"form": form, "title": "登记实有人口", "back": "grid:residents"}, "grid:residents")


@staff_required
def resident_detail(request, pk: int):
    resident = queries.get_resident_for(request.user, pk)
    context = {
        "resident": resident,
        "entries": queries.key_persons_for(request.user).filter(resident=resident).order_by("ended_on", "kind"),
        "departure_form": DepartureForm(),
        "revealed": None,
    }
    if request.method == "POST" and "reveal" in request.POST:
        try:
            context["revealed"] = actions.reveal_resident(request.user, resident)
        except ActionError as error:
            messages.error(request, error.message)
    return page(request, "grid/resident_detail.html", context, "grid:residents")


@staff_required
def resident_edit(request, pk: int):
    resident = queries.get_resident_for(request.user, pk)
    initial = {f: getattr(resident, f) for f in ("name", "residence_kind", "address", "notes")} | {"building": resident.building_id}
    form = ResidentForm(request.POST or None, initial=initial).for_update(resident)
    form.fields["building"].queryset = Building.objects.filter(grid=resident.grid).order_by("address")
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_resident(request.user, resident, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已保存")
            return redirect("grid:resident", resident.pk)
    title = f"修改：{resident.name}"
    return page(request, "grid/register_form.html", {"form": form, "title": title, "back": "grid:residents", "record": resident}, "grid:residents")


@require_POST
@staff_required
def resident_depart(request, pk: int):
    resident = queries.get_resident_for(request.user, pk)
    form = DepartureForm(request.POST)
    if form.is_valid():
        try:
            actions.record_departure(request.user, resident, status=form.cleaned_data["status"], on=form.cleaned_data["left_on"], reason=form.cleaned_data["reason"])
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已登记人口变动，相关台账已同时退出")
    else:
        messages.error(request, "请填写变动类型和日期")
    return redirect("grid:resident", resident.pk)


# ---- buildings ----------------------------------------------------------------------------------


@staff_required
def building_list(request):
    search = queries.Search.parse(request.GET.get("q", ""))
    grid = grid_filter(request)
    rows = queries.search_buildings(queries.buildings_for(request.user), search)
    if grid:
        rows = rows.filter(grid=grid)
    safety = request.GET.get("safety", "")
    if safety in Building.Safety.values:
        rows = rows.filter(safety=safety)
    if wants_excel(request):
        return excel.export("房屋", queries.BUILDING_COLUMNS, rows)
    context = _list_context(request, rows, search)
    context.update({"grid": grid, "safety": safety, "safeties": Building.Safety.choices})
    return page(request, "grid/buildings.html", context, "grid:buildings")


@staff_required
def building_new(request):
    form = BuildingForm(request.POST or None)
    form.set_grids(_editable_grids(request), grid_filter(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        grid = data.pop("grid")
        try:
            actions.register_building(request.user, grid, **data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记房屋 {data['address']}")
            return redirect(reverse("grid:buildings") + f"?grid={grid.pk}")
    return page(request, "grid/register_form.html", {"form": form, "title": "登记房屋", "back": "grid:buildings"}, "grid:buildings")


@staff_required
def building_edit(request, pk: int):
    building = queries.get_building_for(request.user, pk)
    fields = ("address", "kind", "use", "floors", "safety", "owner_name", "lng", "lat", "notes")
    form = BuildingForm(request.POST or None, initial={f: getattr(building, f) for f in fields}).for_update(building)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_building(request.user, building, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已保存")
            return redirect(reverse("grid:buildings") + f"?grid={building.grid_id}")
    return page(request, "grid/register_form.html", {"form": form, "title": f"修改房屋：{building.address}", "back": "grid:buildings", "record": building}, "grid:buildings")


# ---- organisations ------------------------------------------------------------------------------


@staff_required
def organisation_list(request):
    search = queries.Search.parse(request.GET.get("q", ""))
    grid = grid_filter(request)
    rows = queries.search_organisations(queries.organisations_for(request.user), search)
    if grid:
        rows = rows.filter(grid=grid)
    if request.GET.get("key_site") == "1":
        rows = rows.filter(is_key_site=True)
    if wants_excel(request):
        return excel.export("单位组织", queries.ORGANISATION_COLUMNS, rows)
    context = _list_context(request, rows, search)
    context.update({"grid": grid, "key_site": request.GET.get("key_site") == "1"})
    return page(request, "grid/organisations.html", context, "grid:organisations")


@staff_required
def organisation_new(request):
    form = OrganisationForm(request.POST or None)
    form.set_grids(_editable_grids(request), grid_filter(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        grid = data.pop("grid")
        try:
            actions.register_organisation(request.user, grid, **data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记 {data['name']}")
            return redirect(reverse("grid:organisations") + f"?grid={grid.pk}")
    return page(request, "grid/register_form.html", {"form": form, "title": "登记单位组织", "back": "grid:organisations"}, "grid:organisations")


@staff_required
def organisation_edit(request, pk: int):
    organisation = queries.get_organisation_for(request.user, pk)
    fields = ("name", "kind", "credit_code", "address", "contact_name", "employees", "is_key_site", "status", "notes")
    form = OrganisationForm(request.POST or None, initial={f: getattr(organisation, f) for f in fields}).for_update(organisation)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(request.user, organisation, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已保存")
            return redirect(reverse("grid:organisations") + f"?grid={organisation.grid_id}")
    context = {"form": form, "title": f"修改：{organisation.name}", "back": "grid:organisations", "record": organisation}
    return page(request, "grid/register_form.html", context, "grid:organisations")
