"""Staff pages of the lists: browse what applies to you; county administrators edit drafts,
publish, compare versions, import and export, and run delegations. Thin: parse → query for the
user → action → render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.models import JournalEntry
from zhenjie.kernel.scoping import administered_county, reach_of, visible_areas
from zhenjie.units.models import Unit
from zhenjie.units.queries import units_for
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, queries
from .diffs import diff_versions
from .exports import error_report, export_filename, export_version
from .forms import (
    AdjustForm,
    AssessForm,
    BatchForm,
    ExerciseForm,
    ImportForm,
    ItemForm,
    NewListForm,
    PolicyForm,
    ProposeForm,
    PublishForm,
    RouteForm,
    WithdrawForm,
)
from .layouts import detail_cells, form_initial, summary_cells, summary_headers
from .models import Delegation, DelegationTarget, ImportJob, ListKind, ListSeries, ListVersion
from .routing import route_for
from .search import clean_query

FILTER_MAX = 64


def _history(subject: str, limit: int = 30):
    return JournalEntry.objects.filter(subject=subject).select_related("actor").order_by("-seq")[:limit]


# ---- lists ----------------------------------------------------------------------------------


@staff_required
def home(request):
    rows = queries.series_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in ListKind.values:
        rows = rows.filter(kind=kind)
    page = paginate(request, rows, per_page=50)
    today = timezone.localdate()
    in_force = queries.versions_in_force(page.object_list, today)
    drafts = {v.series_id: v for v in ListVersion.objects.filter(series__in=list(page.object_list), state=ListVersion.State.DRAFT)}
    context = {
        "page": page,
        "rows": [(s, in_force.get(s.pk), drafts.get(s.pk)) for s in page.object_list],
        "kinds": ListKind.choices,
        "kind": kind,
        "query": query_without_page(request),
        "is_county_admin": queries.is_county_admin(request.user),
        "today": today,
    }
    return render(request, "lists/home.html", context)


@staff_required
def list_new(request):
    if not queries.is_county_admin(request.user):
        raise PermissionDenied("只有县级管理员(编办)可以新建清单")
    areas = visible_areas(request.user).filter(level__in=[Area.Level.COUNTY, Area.Level.TOWNSHIP]).order_by("path")
    form = NewListForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            series = actions.create_list(request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已新建「{series.name}」，请在第1版草稿中录入或导入事项")
            return redirect("lists:version", series.versions.get().pk)
    return render(request, "lists/list_form.html", {"form": form})


@staff_required
def series_detail(request, series_id: int):
    series = queries.get_series_for(request.user, series_id)
    versions = list(series.versions.select_related("published_by", "created_by").order_by("-number"))
    in_force = queries.version_in_force(series, timezone.localdate())
    context = {
        "series": series,
        "versions": versions,
        "in_force": in_force,
        "draft": next((v for v in versions if v.is_draft), None),
        "can_edit": queries.can_edit(request.user, series),
        "history": _history(f"list:{series.pk}"),
    }
    return render(request, "lists/series_detail.html", context)


@require_POST
@staff_required
def draft_start(request, series_id: int):
    series = queries.get_series_for(request.user, series_id)
    try:
        draft = actions.start_draft(request.user, series)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("lists:series", series.pk)
    messages.success(request, f"已建立第{draft.number}版草稿")
    return redirect("lists:version", draft.pk)


def _filter_options(version, layout):
    if not layout.filter_field:
        return []
    column = layout.column(layout.filter_field)
    if column.kind == "choice":
        return list(column.choices.choices)
    values = layout.model.objects.filter(version=version).values_list(layout.filter_field, flat=True).distinct().order_by(layout.filter_field)
    return [(v, v) for v in values if v]


def _render_version(request, version, publish_form=None, status=200):
    layout = queries.layout_of(version)
    search = clean_query(request.GET.get("q"))
    chosen = request.GET.get("f", "")[:FILTER_MAX]
    rows = queries.items_of(version, search)
    if chosen and layout.filter_field:
        rows = rows.filter(**{layout.filter_field: chosen})
    page = paginate(request, rows)
    context = {
        "version": version,
        "series": version.series,
        "layout": layout,
        "page": page,
        "rows": [(item, summary_cells(layout, item)) for item in page],
        "headers": summary_headers(layout),
        "search": search,
        "chosen": chosen,
        "filter_label": layout.column(layout.filter_field).header if layout.filter_field else "",
        "filter_options": _filter_options(version, layout),
        "query": query_without_page(request),
        "total": queries.item_count(version),
        "can_edit": version.is_draft and queries.can_edit(request.user, version.series),
        "publish_form": publish_form or PublishForm(initial={"effective_from": timezone.localdate()}),
        "previous": version.series.versions.filter(state=ListVersion.State.PUBLISHED, number__lt=version.number).order_by("-number").first(),
    }
    template = "lists/_item_rows.html" if request.htmx and request.htmx.target == "item-rows" else "lists/version_detail.html"
    return render(request, template, context, status=status)


@staff_required
def version_detail(request, version_id: int):
    version = queries.get_version_for(request.user, version_id)
    if request.GET.get("format") == "xlsx":
        return excel.xlsx_response(export_filename(version), export_version(version))
    return _render_version(request, version)


@require_POST
@staff_required
def version_publish(request, version_id: int):
    version = queries.get_version_for(request.user, version_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            actions.publish_version(request.user, version, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已发布第{version.number}版，{form.cleaned_data['effective_from']:%Y-%m-%d}起施行")
            return redirect("lists:version", version.pk)
    version.refresh_from_db()
    return _render_version(request, version, publish_form=form)


@require_POST
@staff_required
def version_discard(request, version_id: int):
    version = queries.get_version_for(request.user, version_id)
    try:
        actions.discard_draft(request.user, version)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("lists:version", version.pk)
    messages.success(request, "已废弃草稿")
    return redirect("lists:series", version.series_id)


def _unit_choices(series: ListSeries):
    units = Unit.objects.filter(area__path__startswith=county_path(series.area.path), is_active=True).order_by("area__path", "sort_order", "name")
    if series.kind == ListKind.POWER and series.area.level == Area.Level.TOWNSHIP:
        return units.filter(area=series.area)
    return units.filter(kind=Unit.Kind.DEPARTMENT)


def _raw(form) -> dict:
    return {name: form.data.get(name, "") for name in form.fields}


@staff_required
def item_new(request, version_id: int):
    version = queries.get_version_for(request.user, version_id)
    layout = queries.layout_of(version)
    if not (version.is_draft and queries.can_edit(request.user, version.series)):
        raise PermissionDenied("只有县级管理员可以在草稿中新增事项")
    form = ItemForm(request.POST or None, layout=layout, units=_unit_choices(version.series))
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.add_item(request.user, version, _raw(form))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已新增：{item.code} {item.name}")
            return redirect("lists:version", version.pk)
    return render(request, "lists/item_form.html", {"form": form, "version": version, "series": version.series, "item": None})


@staff_required
def item_detail(request, version_id: int, item_id: int):
    version = queries.get_version_for(request.user, version_id)
    item = queries.item_by_id(version, item_id)
    layout = queries.layout_of(version)
    context = {
        "version": version, "series": version.series, "item": item, "cells": detail_cells(layout, item),
        "materials": list(item.materials.all()) if layout.has_materials else None,
        "can_edit": version.is_draft and queries.can_edit(request.user, version.series),
    }
    return render(request, "lists/item_detail.html", context)


@staff_required
def item_edit(request, version_id: int, item_id: int):
    version = queries.get_version_for(request.user, version_id)
    item = queries.item_by_id(version, item_id)
    layout = queries.layout_of(version)
    if not (version.is_draft and queries.can_edit(request.user, version.series)):
        raise PermissionDenied("已发布的版本不能修改；县级管理员可建立新的草稿后修改")
    form = ItemForm(request.POST or None, layout=layout, units=_unit_choices(version.series), initial=form_initial(layout, item))
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.change_item(request.user, version, item, _raw(form))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已保存：{item.code} {item.name}")
            return redirect("lists:item", version.pk, item.pk)
    return render(request, "lists/item_form.html", {"form": form, "version": version, "series": version.series, "item": item})


@require_POST
@staff_required
def item_delete(request, version_id: int, item_id: int):
    version = queries.get_version_for(request.user, version_id)
    item = queries.item_by_id(version, item_id)
    try:
        actions.remove_item(request.user, version, item)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("lists:item", version.pk, item.pk)
    messages.success(request, f"已删除：{item.code} {item.name}")
    return redirect("lists:version", version.pk)


@staff_required
def diff(request):
    try:
        other = queries.get_version_for(request.user, request.GET.get("other", ""))
        base_id = request.GET.get("base") or ""
        if base_id:
            base = queries.get_version_for(request.user, base_id)
        else:
            base = other.series.versions.filter(state=ListVersion.State.PUBLISHED, number__lt=other.number).order_by("-number").first()
            if base is None:
                raise NotFound("list.no_previous", "没有可比较的上一版本")
        result = diff_versions(base, other)
    except NotFound:
        raise  # the 404 page (workbench.middleware), not the message below
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("lists:version", other.pk)
    choices = other.series.versions.exclude(pk=other.pk).order_by("-number")
    return render(request, "lists/diff.html", {"diff": result, "base": base, "other": other, "series": other.series, "choices": choices})


# ---- Excel import ---------------------------------------------------------------------------


@staff_required
def import_page(request, version_id: int):
    version = queries.get_version_for(request.user, version_id)
    if not (version.is_draft and queries.can_edit(request.user, version.series)):
        raise PermissionDenied("只有县级管理员可以向草稿导入")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = actions.start_import(request.user, version, filename=upload.name, content=upload.read())
        except ActionError as error:
            form.add_action_error(error)
        else:
            return redirect("lists:import_job", job.pk)
    jobs = queries.import_jobs_for(request.user).filter(version=version).defer("content")[:10]
    layout = queries.layout_of(version)
    return render(request, "lists/import.html", {"form": form, "version": version, "series": version.series, "jobs": jobs, "layout": layout})


@staff_required
def import_job(request, job_id: int):
    job = queries.get_import_job_for(request.user, job_id)
    context = {"job": job, "version": job.version, "series": job.version.series, "errors": job.errors[:200]}
    if request.htmx:
        return render(request, "lists/_import_progress.html", context)
    return render(request, "lists/import_job.html", context)


@staff_required
def import_errors(request, job_id: int):
    job = queries.get_import_job_for(request.user, job_id)
    if job.state != ImportJob.State.FAILED:
        raise Http404("该导入没有错误报告")
    return excel.xlsx_response(f"导入错误报告-{job.filename.removesuffix('.xlsx')}", error_report(job))


# ---- delegations ----------------------------------------------------------------------------


@staff_required
def delegations(request):
    batches = queries.delegation_batches_for(request.user)
    county = administered_county(request.user)
    admin = county is not None
    batch_form, policy_form = BatchForm(prefix="batch"), None
    if admin:
        policy_form = PolicyForm(prefix="policy", initial={"min_trained_staff": actions.policy_for(county).min_trained_staff})
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("只有县级管理员(编办)可以办理赋权事项")
        try:
            if "batch-title" in request.POST:
                batch_form = BatchForm(request.POST, prefix="batch")
                if batch_form.is_valid():
                    batch = actions.create_batch(request.user, county, **batch_form.cleaned_data)
                    messages.success(request, f"已新建第{batch.number}批")
                    return redirect("lists:batch", batch.pk)
            else:
                policy_form = PolicyForm(request.POST, prefix="policy")
                if policy_form.is_valid():
                    actions.set_delegation_policy(request.user, county, **policy_form.cleaned_data)
                    messages.success(request, "已更新承接评估标准")
                    return redirect("lists:delegations")
        except ActionError as error:
            (batch_form if "batch-title" in request.POST else policy_form).add_action_error(error)
    page = paginate(request, batches)
    counts = {}
    for row in Delegation.objects.filter(batch__in=list(page.object_list)).values("batch_id", "state"):
        counts.setdefault(row["batch_id"], {}).setdefault(row["state"], 0)
        counts[row["batch_id"]][row["state"]] += 1
    states = dict(Delegation.State.choices)
    context = {
        "page": page,
        "rows": [(b, [(states[s], n) for s, n in sorted(counts.get(b.pk, {}).items())]) for b in page.object_list],
        "admin": admin, "batch_form": batch_form, "policy_form": policy_form, "query": query_without_page(request),
    }
    return render(request, "lists/delegations.html", context)


@staff_required
def batch_detail(request, batch_id: int):
    batch = queries.get_delegation_batch_for(request.user, batch_id)
    admin = RoleCode.COUNTY_ADMIN in reach_of(request.user).roles_in(batch.county)
    townships = Area.objects.filter(level=Area.Level.TOWNSHIP, parent=batch.county).order_by("path")
    departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, area=batch.county, is_active=True).order_by("sort_order", "name")
    form = ProposeForm(request.POST or None, departments=departments, townships=townships)
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("只有县级管理员(编办)可以办理赋权事项")
        try:
            if request.POST.get("do") == "approve_all":
                count = actions.approve_batch(request.user, batch)
                messages.success(request, f"已批准{count}项")
                return redirect("lists:batch", batch.pk)
            if request.POST.get("do") == "in_force_all":
                count = actions.bring_batch_into_force(request.user, batch)
                messages.success(request, f"已公布施行{count}项")
                return redirect("lists:batch", batch.pk)
            if form.is_valid():
                delegation = actions.propose_delegation(request.user, batch, **form.cleaned_data)
                messages.success(request, f"已拟赋权：{delegation.power_name}，请完成承接评估")
                return redirect("lists:delegation", delegation.pk)
        except ActionError as error:
            if request.POST.get("do"):
                messages.error(request, error.message)
                return redirect("lists:batch", batch.pk)
            form.add_action_error(error)
    rows = queries.delegations_for(request.user).filter(batch=batch)
    page = paginate(request, rows)
    return render(request, "lists/batch_detail.html", {"batch": batch, "page": page, "form": form, "admin": admin, "query": query_without_page(request)})


def _delegation_context(request, delegation, **forms):
    township_units = Unit.objects.filter(
        area__in=[t.township_id for t in delegation.targets.all()], kind__in=queries.TOWNSHIP_UNIT_KINDS, is_active=True
    ).select_related("area").order_by("area__path", "sort_order")
    open_ids = [t.township_id for t in delegation.targets.all() if t.valid_until is None]
    county = delegation.batch.county
    townships = Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county)
    all_township_units = Unit.objects.filter(area__parent=county, area__level=Area.Level.TOWNSHIP, kind__in=queries.TOWNSHIP_UNIT_KINDS, is_active=True).select_related("area").order_by("area__path", "sort_order")
    assess_forms = {}
    for target in delegation.targets.all():
        units = [u for u in township_units if u.area_id == target.township_id]
        prefilled = {"receiving_unit": target.receiving_unit_id, "trained_staff": target.trained_staff, "assessment": target.assessment}
        assess_forms[target.pk] = forms.get("assess", {}).get(target.pk) or AssessForm(prefix=f"t{target.pk}", initial=prefilled)
        assess_forms[target.pk].fields["receiving_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
    return {
        "delegation": delegation,
        "admin": RoleCode.COUNTY_ADMIN in reach_of(request.user).roles_in(county),
        "targets": [(t, assess_forms[t.pk]) for t in delegation.targets.all()],
        "withdraw_form": forms.get("withdraw") or WithdrawForm(prefix="withdraw", initial={"on": timezone.localdate()}),
        "adjust_form": forms.get("adjust") or AdjustForm(
            prefix="adjust", initial={"on": timezone.localdate()},
            current=townships.filter(pk__in=open_ids), others=townships.exclude(pk__in=open_ids), units=all_township_units,
        ),
        "history": _history(f"delegation:{delegation.pk}"),
        "minimum": actions.policy_for(county).min_trained_staff,
        "today": timezone.localdate(),
    }


@staff_required
def delegation_detail(request, delegation_id: int):
    delegation = queries.get_delegation_for(request.user, delegation_id)
    return render(request, "lists/delegation_detail.html", _delegation_context(request, delegation))


@require_POST
@staff_required
def delegation_act(request, delegation_id: int, action: str):
    delegation = queries.get_delegation_for(request.user, delegation_id)
    forms = {}
    target = _target(delegation, request.POST.get("target")) if action == "assess" else None  # 404 when not one of its own
    try:
        if action == "assess":
            form = AssessForm(request.POST, prefix=f"t{target.pk}")
            form.fields["receiving_unit"].queryset = Unit.objects.filter(area=target.township, kind__in=queries.TOWNSHIP_UNIT_KINDS, is_active=True)
            forms["assess"] = {target.pk: form}
            if form.is_valid():
                actions.assess_capacity(request.user, target, **form.cleaned_data)
        elif action == "approve":
            actions.approve_delegation(request.user, delegation)
        elif action == "in_force":
            actions.bring_into_force(request.user, delegation)
        elif action == "withdraw":
            form = forms["withdraw"] = WithdrawForm(request.POST, prefix="withdraw")
            if form.is_valid():
                actions.withdraw_delegation(request.user, delegation, **form.cleaned_data)
        elif action == "adjust":
            county = delegation.batch.county
            townships = Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county)
            form = forms["adjust"] = AdjustForm(
                request.POST, prefix="adjust", current=townships, others=townships,
                units=Unit.objects.filter(area__parent=county, kind__in=queries.TOWNSHIP_UNIT_KINDS, is_active=True),
            )
            if form.is_valid():
                data = form.cleaned_data
                add = [(data["add_township"], data["add_unit"], data["add_staff"] if data["add_staff"] is not None else 0)] if data["add_township"] else []
                actions.adjust_delegation(request.user, delegation, on=data["on"], remove=list(data["remove"]), add=add, note=data["note"])
        else:
            raise Http404("不支持的操作")
    except ActionError as error:
        form = next(iter(forms.get("assess", {}).values()), None) or forms.get("withdraw") or forms.get("adjust")
        if form is None:
            messages.error(request, error.message)
            return redirect("lists:delegation", delegation.pk)
        form.add_action_error(error)
    bound = [*forms.get("assess", {}).values(), forms.get("withdraw"), forms.get("adjust")]
    if not any(form.errors for form in bound if form is not None):
        messages.success(request, "操作成功")
        return redirect("lists:delegation", delegation.pk)
    delegation = queries.get_delegation_for(request.user, delegation_id)
    return render(request, "lists/delegation_detail.html", _delegation_context(request, delegation, **forms))


def _target(delegation, raw) -> DelegationTarget:
    try:
        return delegation.targets.select_related("township", "delegation__batch__county").get(pk=parse_id(raw) or 0)
    except DelegationTarget.DoesNotExist:
        raise NotFound("delegation.target_not_found", "承接乡镇不存在") from None


# ---- look-ups: may this unit exercise this power? who leads on this category? ---------------


@staff_required
def lookup(request):
    scope_units = units_for(request.user)  # the kernel's visible units: another township's are not offered
    areas = visible_areas(request.user).filter(level__in=[Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE]).order_by("path")
    exercise_form = ExerciseForm(request.GET if "power_code" in request.GET else None, units=scope_units, initial={"on": timezone.localdate()})
    route_form = RouteForm(request.GET if "category" in request.GET else None, areas=areas, initial={"on": timezone.localdate()})
    basis = route = None
    routed = False
    if exercise_form.is_bound and exercise_form.is_valid():
        data = exercise_form.cleaned_data
        basis = queries.exercise_basis(data["unit"], data["power_code"], data["on"])
    if route_form.is_bound and route_form.is_valid():
        data = route_form.cleaned_data
        route, routed = route_for(data["category"], data["area"], data["on"]), True
    return render(request, "lists/lookup.html", {"exercise_form": exercise_form, "route_form": route_form, "basis": basis, "route": route, "routed": routed})
