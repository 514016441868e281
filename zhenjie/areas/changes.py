"""Area changes (区划调整): rename an area, merge a village into another, move a village to another
township — from an effective date. The design is in docs/ARCHITECTURE.md ("Area changes"); the
how-to in docs/OPERATIONS.md.

The tree's nodes are never re-coded or re-parented, because a path (built from the GB/T 2260
code) is what every case, post and unit is scoped by. A change that gives territory a new place
in the tree creates a new node and retires the old one from the effective date, pointing at its
successor:

- rename: the name changes; code, path and cases stay; the old name stays on the change record.
- merge: the absorbed village is retired, the survivor is its successor and its boundary takes
  the absorbed village's polygons; each of the absorbed village's grids becomes a new grid under
  the survivor (its code the survivor's 12 digits and the next free 3).
- move: a new village node under the new township with the new code the civil-affairs approval
  gives it; its grids become new grids under it (same last 3 digits); the old village and its
  grids are retired with the new nodes as successors. The new township's boundary takes the
  village's polygons, the old township's loses them (shapely: union and difference).

When a change applies, what describes today follows the successor: units based in a retired area,
posts whose jurisdiction is one (when the successor lies in the post's unit's area; otherwise the
post is listed on the change for the administrator, flagged_posts), grid workers' current
coverage, and the grid's present-state registers (buildings, residents, organisations, key
persons). What describes the past does not: cases (open and closed) keep the area they were
reported in, and visits, patrols and findings keep their grid. So scoping — one rule, a path
prefix — follows the new tree at once: new reports land on the new nodes, and the old township
still sees the old cases it handled.

A change effective today or earlier (at most BACKDATE_LIMIT days back) applies at once; a later
one is scheduled and applied by the nightly job (areas/jobs.py) on its date. Every change is
journaled when registered and when applied, on the rules chain."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from . import geo
from .boundaries import as_geojson, polygonal_part, shape_of
from .codes import code_problems
from .models import PATH_LENGTH, Area, AreaChange
from .paths import county_of

# 区划调整 is approved (by the province) before it takes effect; a county often registers it a
# little late. A month back keeps that possible without rewriting a season of history: cases
# reported between the effective date and the registration keep the area they were filed on.
BACKDATE_LIMIT = timedelta(days=31)
FORWARD_LIMIT = timedelta(days=366)
ADMINISTRATORS = frozenset({RoleCode.COUNTY_ADMIN})
GRID_SUFFIX = PATH_LENGTH["grid"] - PATH_LENGTH["village"]

# The grid app's registers that say what is in a grid today: they move with the grid. Visits,
# patrols and findings are history and keep the grid of their day.
PRESENT_STATE_GRID_ROWS = (("grid", "Building"), ("grid", "Resident"), ("grid", "Organisation"), ("grid", "KeyPerson"))


@dataclass(frozen=True)
class ChangeRequest:
    """What an administrator asks for, before any rule is checked (the page's form, a command)."""

    kind: str
    area: Area
    effective_on: date
    document_number: str
    reason: str = ""
    new_name: str = ""
    target: Area | None = None
    new_code: str = ""


# ---- registering -----------------------------------------------------------------------------


@transaction.atomic
def register_area_change(actor, request: ChangeRequest, *, today: date | None = None) -> AreaChange:
    """Check an area change and record it; apply it now when it is effective today or earlier.
    One transaction: the record, its journal entry and (when due) the change itself."""
    today = today or timezone.localdate()
    _lock(request.area, request.target)
    area = _locked_live(request.area.pk, field="area")
    _require_administrator(actor, area)
    if area.level == Area.Level.COUNTY:
        raise Rejected("area_change.county", "县级区划的调整不在本平台办理", field="area")
    effective_on = request.effective_on
    if effective_on is None:
        raise Rejected("area_change.date_required", "请填写生效日期", field="effective_on")
    if effective_on < today - BACKDATE_LIMIT:
        raise Rejected(
            "area_change.too_far_back", f"生效日期不能早于{(today - BACKDATE_LIMIT):%Y年%m月%d日}(最多补登{BACKDATE_LIMIT.days}天前的调整)", field="effective_on"
        )
    if effective_on > today + FORWARD_LIMIT:
        raise Rejected("area_change.too_far_ahead", "生效日期不能晚于一年以后", field="effective_on")
    document_number = (request.document_number or "").strip()
    if not document_number or len(document_number) > 64:
        raise Rejected("area_change.document_required", "请填写批准文号(不超过64字)", field="document_number")
    reason = (request.reason or "").strip()
    if len(reason) > 200:
        raise Rejected("area_change.reason_too_long", "说明不超过200字", field="reason")
    new_name = (request.new_name or "").strip()
    if len(new_name) > 64:
        raise Rejected("area_change.name_invalid", "名称不超过64字", field="new_name")
    county = county_of(area)
    change = AreaChange(
        kind=request.kind, effective_on=effective_on, county=county, area=area, old_name=area.name, new_name=new_name,
        document_number=document_number, reason=reason, created_by=actor if getattr(actor, "pk", None) else None,
    )
    if request.kind == AreaChange.Kind.RENAME:
        if not new_name:
            raise Rejected("area_change.name_required", "请填写新名称", field="new_name")
        if new_name == area.name:
            raise Rejected("area_change.name_unchanged", "新名称与现名称相同", field="new_name")
    elif request.kind == AreaChange.Kind.MERGE:
        change.target = _check_merge(actor, area, request.target, county)
    elif request.kind == AreaChange.Kind.MOVE:
        change.target, change.new_code = _check_move(actor, area, request.target, request.new_code, county)
    else:
        raise Rejected("area_change.kind_invalid", "请选择调整类型(更名、合并或调整隶属)", field="kind")
    _refuse_same_day(change)
    change.save()
    journal.record(
        actor=actor, verb="area.change.register", subject=f"area:{area.pk}",
        summary=f"登记区划调整：{describe(change)}，{effective_on:%Y-%m-%d}起生效", data=_journal_data(change),
    )
    if effective_on <= today:
        _apply(change, actor=actor)
    return change


def _require_administrator(actor, *areas: Area) -> None:
    # The county's division tree is kept by its county administrator (编办); a county
    # administrator whose post covers one township may change only that township's areas.
    from zhenjie.kernel.scoping import reach_of

    reach = reach_of(actor)
    for area in areas:
        if not reach.roles_in(area) & ADMINISTRATORS:
            raise Forbidden("area_change.forbidden", f"只有辖区包含「{area.name}」的县级管理员(编办)可以办理区划调整")


def _lock(*areas: Area | None) -> None:
    """Lock the areas a change touches in primary-key order, so two administrators merging A into
    B and B into A at once wait for each other instead of deadlocking."""
    list(Area.objects.select_for_update().filter(pk__in=[a.pk for a in areas if a is not None]).order_by("pk").values_list("pk"))


def _locked_live(pk: int, *, field: str) -> Area:
    area = Area.objects.select_for_update().filter(pk=pk).first()
    if area is None:
        raise Rejected("area_change.area_missing", "区划不存在", field=field)
    if area.is_retired:
        raise Rejected("area_change.area_retired", f"「{area.name}」已于{area.retired_on:%Y-%m-%d}撤销，不能再调整", field=field)
    return area


def _check_merge(actor, area: Area, target: Area | None, county: Area) -> Area:
    if area.level != Area.Level.VILLAGE:
        raise Rejected("area_change.merge_not_village", "只能合并村(社区)", field="area")
    if target is None:
        raise Rejected("area_change.target_required", "请选择并入的村(社区)", field="target")
    if target.pk == area.pk:
        raise Rejected("area_change.merge_into_itself", "不能把村(社区)并入它自己", field="target")
    target = _locked_live(target.pk, field="target")
    if target.level != Area.Level.VILLAGE:
        raise Rejected("area_change.target_not_village", "只能并入一个村(社区)", field="target")
    if not target.path.startswith(county.path):
        raise Rejected("area_change.other_county", "不能并入其他县(市、区)的村(社区)", field="target")
    _require_administrator(actor, target)
    return target


def _check_move(actor, area: Area, target: Area | None, new_code: str, county: Area) -> tuple[Area, str]:
    if area.level != Area.Level.VILLAGE:
        raise Rejected("area_change.move_not_village", "只能调整村(社区)的隶属；乡镇(街道)的设立和撤并由上级批准后按新区划导入", field="area")
    if target is None:
        raise Rejected("area_change.target_required", "请选择新隶属的乡镇(街道)", field="target")
    target = _locked_live(target.pk, field="target")
    if target.level != Area.Level.TOWNSHIP:
        raise Rejected("area_change.target_not_township", "新隶属的区划应为乡镇(街道)", field="target")
    if not target.path.startswith(county.path):
        raise Rejected("area_change.other_county", "不能调整到其他县(市、区)的乡镇(街道)", field="target")
    if target.pk == area.parent_id:
        raise Rejected("area_change.same_township", f"「{area.name}」已隶属于{target.name}", field="target")
    _require_administrator(actor, target)
    new_code = (new_code or "").strip()
    if problems := code_problems(Area.Level.VILLAGE, new_code, target):
        raise Rejected("area_change.code_invalid", "新区划代码：" + "；".join(problems), field="new_code")
    if Area.objects.filter(code=new_code).exists() or AreaChange.objects.filter(state=AreaChange.State.SCHEDULED, new_code=new_code).exists():
        raise Conflict("area_change.code_taken", f"区划代码 {new_code} 已被使用", field="new_code")
    return target, new_code


def _refuse_same_day(change: AreaChange) -> None:
    """Two changes of one area on one day would leave "which came first" to chance: refused."""
    involved = [change.area_id] + ([change.target_id] if change.kind == AreaChange.Kind.MERGE and change.new_name else [])
    clash = AreaChange.objects.filter(effective_on=change.effective_on).exclude(state=AreaChange.State.FAILED).filter(
        Q(area_id__in=involved) | Q(kind=AreaChange.Kind.MERGE, target_id__in=involved, new_name__gt="")
    )
    if clash.exists():
        raise Conflict("area_change.same_day", f"「{change.area.name}」在{change.effective_on:%Y-%m-%d}已有一项区划调整，同一区划同一天只能调整一次", field="effective_on")


def describe(change: AreaChange) -> str:
    return change.description


def _journal_data(change: AreaChange) -> dict:
    return {
        "change": change.pk, "kind": change.kind, "effective_on": change.effective_on.isoformat(), "area": change.area_id,
        "target": change.target_id, "new_name": change.new_name, "new_code": change.new_code, "document_number": change.document_number,
    }


# ---- applying --------------------------------------------------------------------------------


def apply_due_changes(today: date) -> list[AreaChange]:
    """Apply every scheduled change effective on or before `today` (the nightly job), oldest
    first, each in its own transaction: one that can no longer apply (its village was merged away
    meanwhile, its new code taken) is marked failed with the reason and journaled, and does not
    stop the others."""
    from zhenjie.kernel.errors import ActionError

    done = []
    due = AreaChange.objects.filter(state=AreaChange.State.SCHEDULED, effective_on__lte=today).order_by("effective_on", "pk")
    for change_id in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                change = AreaChange.objects.select_for_update(of=("self",)).select_related("area", "target").get(pk=change_id)
                if change.state != AreaChange.State.SCHEDULED:
                    continue
                _apply(change, actor=None)
        except ActionError as error:
            with transaction.atomic():
                change = AreaChange.objects.select_for_update().get(pk=change_id)
                change.state, change.failure = AreaChange.State.FAILED, error.message[:200]
                change.save(update_fields=["state", "failure"])
                journal.record(
                    actor=None, verb="area.change.fail", subject=f"area:{change.area_id}",
                    summary=f"区划调整未能生效：{change.old_name}", data={"change": change.pk, "reason": change.failure},
                )
        done.append(change)
    return done


def _apply(change: AreaChange, *, actor) -> None:
    """Make the change in the tree. Runs inside the caller's transaction."""
    _lock(change.area, change.target)
    area = _locked_live(change.area_id, field="area")
    if change.kind == AreaChange.Kind.RENAME:
        area.name = change.new_name
        area.save(update_fields=["name"])
        change.result = area
        outcome = {}
    elif change.kind == AreaChange.Kind.MERGE:
        survivor = _locked_live(change.target_id, field="target")
        survivor.boundary = _joined(survivor.boundary, area.boundary)
        _recentre(survivor)
        if change.new_name:
            survivor.name = change.new_name
        survivor.save(update_fields=["boundary", "center_lng", "center_lat", "name"])
        grids = _carry_grids(area, survivor, change, keep_suffix=False)
        outcome = _hand_over({area: survivor, **grids}, change)
        change.result = survivor
    else:
        township = _locked_live(change.target_id, field="target")
        if Area.objects.filter(code=change.new_code).exists():
            raise Conflict("area_change.code_taken", f"区划代码 {change.new_code} 已被使用", field="new_code")
        village = Area.objects.create(
            code=change.new_code, name=change.new_name or area.name, level=area.level, parent=township, path=change.new_code,
            village_kind=area.village_kind, boundary=area.boundary, center_lng=area.center_lng, center_lat=area.center_lat,
            sort_order=area.sort_order,
        )
        township.boundary = _joined(township.boundary, area.boundary)
        _recentre(township)
        township.save(update_fields=["boundary", "center_lng", "center_lat"])
        old_township = Area.objects.select_for_update().get(pk=area.parent_id)
        old_township.boundary = _cut(old_township.boundary, area.boundary)
        _recentre(old_township)
        old_township.save(update_fields=["boundary", "center_lng", "center_lat"])
        grids = _carry_grids(area, village, change, keep_suffix=True)
        outcome = _hand_over({area: village, **grids}, change)
        change.result = village
    change.state, change.applied_at, change.outcome = AreaChange.State.APPLIED, timezone.now(), outcome
    change.save(update_fields=["state", "applied_at", "outcome", "result"])
    journal.record(
        actor=actor, verb="area.change.apply", subject=f"area:{area.pk}", summary=f"区划调整生效：{describe(change)}",
        data={**_journal_data(change), "result": change.result_id, **outcome},
    )


def _retire(area: Area, successor: Area, change: AreaChange) -> None:
    area.retired_on, area.successor = change.effective_on, successor
    area.save(update_fields=["retired_on", "successor"])


def _carry_grids(old_village: Area, new_village: Area, change: AreaChange, *, keep_suffix: bool) -> dict[Area, Area]:
    """A new grid under `new_village` for each live grid of `old_village` (a grid's path hangs on
    its village's); the old grids and the old village are retired with them as successors."""
    grids = list(Area.objects.live().select_for_update().filter(parent=old_village).order_by("path"))
    taken = Area.objects.filter(parent=new_village).aggregate(last=Max("code"))["last"]
    next_suffix = int(taken[-GRID_SUFFIX:]) + 1 if taken else 1
    carried: dict[Area, Area] = {}
    for grid in grids:
        if keep_suffix:
            suffix = grid.code[-GRID_SUFFIX:]
        else:
            suffix, next_suffix = f"{next_suffix:0{GRID_SUFFIX}d}", next_suffix + 1
            if int(suffix) >= 10**GRID_SUFFIX:
                raise Conflict("area_change.grid_codes_full", f"「{new_village.name}」的网格编号已用完，无法并入更多网格")
        code = new_village.code + suffix
        if Area.objects.filter(code=code).exists():
            raise Conflict("area_change.grid_code_taken", f"网格代码 {code} 已被使用", field="new_code")
        carried[grid] = Area.objects.create(
            code=code, name=grid.name, level=Area.Level.GRID, parent=new_village, path=code, boundary=grid.boundary,
            center_lng=grid.center_lng, center_lat=grid.center_lat, sort_order=grid.sort_order,
        )
    for grid, new_grid in carried.items():
        _retire(grid, new_grid, change)
    _retire(old_village, new_village, change)
    return carried


def _hand_over(successors: dict[Area, Area], change: AreaChange) -> dict:
    """Units, posts, coverage and present-state registers of each retired area to its successor."""
    from django.apps import apps

    from zhenjie.accounts.models import Coverage, Post
    from zhenjie.kernel.assignments import note_sent_outside
    from zhenjie.kernel.models import SentOutside
    from zhenjie.units.models import Unit

    moved_units, moved_posts, flagged_posts, ended_coverage = [], [], [], []
    for old, new in successors.items():
        units = list(Unit.objects.select_for_update().filter(area=old).order_by("pk"))
        for unit in units:
            if Unit.objects.filter(area=new, name=unit.name).exists():
                raise Conflict("area_change.unit_name_taken", f"「{new.name}」已有同名机构「{unit.name}」，请先更名或停用其中一个")
        Unit.objects.filter(pk__in=[u.pk for u in units]).update(area=new)
        moved_units += [u.pk for u in units]
        for post in Post.objects.select_for_update().filter(jurisdiction=old).select_related("unit__area").order_by("pk"):
            unit_path = post.unit.area.path
            if new.path.startswith(unit_path) or unit_path.startswith(new.path):
                Post.objects.filter(pk=post.pk).update(jurisdiction=new)
                moved_posts.append(post.pk)
            else:
                # The successor lies outside the post's unit (a township office's clerk who looked
                # after a village now in another township): the administrator decides.
                flagged_posts.append(post.pk)
        now = timezone.now()
        for stint in Coverage.objects.select_for_update().filter(grid=old, ended_at__isnull=True).order_by("pk"):
            Coverage.objects.filter(pk=stint.pk).update(ended_at=now, note=f"区划调整(文号{change.document_number})"[:200])
            # A grid worker's coverage is their reach: it follows the grid only when one of their
            # grid-worker posts lies where the grid now is (the same test as a post's); a worker
            # seated in the old township is left for the administrator, as a flagged post is.
            if _posted_near(stint.worker_id, new):
                Coverage.objects.create(grid=new, worker_id=stint.worker_id, is_lead=stint.is_lead, started_at=now, note=f"区划调整承继自{old.name}"[:200])
            else:
                ended_coverage.append(stint.pk)
        for app_label, model_name in PRESENT_STATE_GRID_ROWS:
            if old.level == Area.Level.GRID and apps.is_installed(f"zhenjie.{app_label}"):
                apps.get_model(app_label, model_name).objects.filter(grid=old).update(grid=new)
    if moved_units:
        # A moved unit's "own area" changed, so which of its cases lie outside it did too (SCOPING.md).
        SentOutside.objects.filter(unit_id__in=moved_units).delete()
        note_sent_outside(unit_ids=moved_units)
    return {
        "units": moved_units, "posts": moved_posts, "flagged_posts": flagged_posts, "ended_coverage": ended_coverage,
        "grids": {str(old.pk): new.pk for old, new in successors.items() if old.level == Area.Level.GRID},
    }


def _posted_near(worker_id: int, grid: Area) -> bool:
    """Whether the worker holds an active grid-worker post whose unit lies on the grid's line of
    the tree (its area holds the grid, or the grid's village holds the unit: a village committee)."""
    from zhenjie.accounts.models import Post
    from zhenjie.accounts.roles import RoleCode

    paths = Post.objects.filter(user_id=worker_id, is_active=True, roles__code=RoleCode.GRID_WORKER).values_list("unit__area__path", flat=True)
    return any(grid.path.startswith(path) or path.startswith(grid.path) for path in paths)


def _dissolved(geometry, fallback: dict | None) -> dict | None:
    """The polygons of a union or a cut (it can leave slivers of lines along shared edges) as
    GeoJSON; `fallback` when nothing polygonal is left."""
    polygons = polygonal_part(geometry)
    return fallback if polygons is None or polygons.is_empty else as_geojson(polygons)


def _joined(mine: dict | None, theirs: dict | None) -> dict | None:
    """Both territories as one, dissolved along the edge they share (shapely)."""
    a, b = shape_of(mine), shape_of(theirs)
    if a is None:
        return theirs if b is not None else mine
    return mine if b is None else _dissolved(a.union(b), mine)


def _cut(mine: dict | None, leaving: dict | None) -> dict | None:
    """A township's territory without the village that moved out of it, so a position there is
    no longer inside the old township (areas.locate then finds the new one)."""
    a, b = shape_of(mine), shape_of(leaving)
    if a is None or b is None:
        return mine
    return _dissolved(a.difference(b), mine)


def _recentre(area: Area) -> None:
    center = geo.centroid(area.boundary)
    area.center_lng, area.center_lat = (center[0], center[1]) if center else (area.center_lng, area.center_lat)

