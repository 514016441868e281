"""Patrols: the phone page that runs one (start, GPS track, findings, stop) and the township's
history with each track drawn over the grid polygons."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.queries import feature_collection
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from .. import actions, queries
from ..forms import FindingForm, PatrolStartForm, StopForm
from ..jurisdiction import grids_for
from ..uploads import read_photo
from .common import date_range, grid_filter, page, wants_excel


@staff_required
def patrol(request):
    """The grid worker's patrol page: start one, or the one under way."""
    current = queries.open_patrol_of(request.user)
    start_form = PatrolStartForm()
    start_form.fields["grid"].queryset = grids_for(request.user, frozenset({R.GRID_WORKER})).live().select_related("parent").order_by("path")
    context = {
        "current": current,
        "start_form": start_form,
        "finding_form": FindingForm(),
        "stop_form": StopForm(),
        "findings": queries.findings_of(current) if current else [],
        "recent": queries.patrols_for(request.user).filter(worker=request.user)[:5],
    }
    return page(request, "grid/patrol.html", context, "grid:patrol")


@require_POST
@staff_required
def patrol_start(request):
    form = PatrolStartForm(request.POST)
    form.fields["grid"].queryset = grids_for(request.user, frozenset({R.GRID_WORKER})).live()  # no patrol in a retired grid
    if form.is_valid():
        try:
            actions.start_patrol(request.user, form.cleaned_data["grid"], lng=form.cleaned_data["lng"], lat=form.cleaned_data["lat"])
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "巡查已开始，请保持本页面打开以记录轨迹")
    else:
        messages.error(request, "请选择巡查网格")
    return redirect("grid:patrol")


@require_POST
@staff_required
def patrol_finding(request, pk: int):
    patrol = queries.get_patrol_for(request.user, pk)  # the action refuses another's patrol
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_finding(
                request.user, patrol, description=data["description"], needs_handling=data["needs_handling"],
                lng=data["lng"], lat=data["lat"], photo=read_photo(data["photo"]),
            )
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已记录巡查发现")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("grid:patrol")


@require_POST
@staff_required
def patrol_stop(request, pk: int):
    patrol = queries.get_patrol_for(request.user, pk)  # the action refuses another's patrol
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            patrol = actions.stop_patrol(request.user, patrol, summary=form.cleaned_data["summary"])
        except ActionError as error:
            messages.error(request, error.message)
            return redirect("grid:patrol")
        messages.success(request, f"巡查已结束：{patrol.point_count}个轨迹点，约{patrol.distance_m}米")
        return redirect("grid:patrol_detail", patrol.pk)
    messages.error(request, "巡查情况过长")
    return redirect("grid:patrol")


@staff_required
def patrol_list(request):
    grid = grid_filter(request)
    rows = queries.patrols_for(request.user)
    if grid:
        rows = rows.filter(grid=grid)
    if (worker := parse_id(request.GET.get("worker", ""))) is not None:
        rows = rows.filter(worker_id=worker)
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    rows = date_range(rows, "started_at", start, end)
    if wants_excel(request):
        return excel.export("巡查记录", queries.PATROL_COLUMNS, rows)
    context = {
        "page": paginate(request, rows),
        "grid": grid,
        "grids": queries.grid_list_for(request.user),
        "worker": worker,
        "start": start,
        "end": end,
        "query": query_without_page(request),
    }
    return page(request, "grid/patrols.html", context, "grid:patrols")


@staff_required
def patrol_detail(request, pk: int):
    patrol = queries.get_patrol_for(request.user, pk)
    context = {"patrol": patrol, "findings": queries.findings_of(patrol)}
    return page(request, "grid/patrol_detail.html", context, "grid:patrols")


@staff_required
def patrol_geojson(request, pk: int):
    """What the patrol's map draws: the grids of its village (its own highlighted), the track
    (or the points so far, for one under way), and the findings with a position."""
    patrol = queries.get_patrol_for(request.user, pk)
    neighbours = queries.grid_list_for(request.user).filter(parent_id=patrol.grid.parent_id)
    grids = feature_collection(neighbours)
    for feature in grids["features"]:
        feature["properties"]["role"] = "own" if feature["id"] == patrol.grid_id else "neighbour"
    track = patrol.track
    if track is None:
        points = [[lng, lat] for lng, lat in patrol.points.order_by("recorded_at", "pk").values_list("lng", "lat")]
        track = {"type": "LineString", "coordinates": points} if len(points) >= 2 else None
    features = grids["features"]
    if track:
        features.append({"type": "Feature", "geometry": track, "properties": {"role": "track"}})
    for finding in queries.findings_of(patrol):
        if finding.lng is not None:
            features.append({
                "type": "Feature", "geometry": {"type": "Point", "coordinates": [finding.lng, finding.lat]},
                "properties": {"role": "finding", "name": finding.description[:60], "needs_handling": finding.needs_handling},
            })
    return JsonResponse({"type": "FeatureCollection", "features": features})
