"""Changes to the area tree. Division codes are checked here (areas/codes.py) and the
materialised path is derived from them, so a subtree is always "every path under this one"."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from . import geo
from .codes import code_problems, code_warnings, path_for_code
from .models import Area, GridBoundary

EXPECTED_PARENT = {"county": None, "township": "county", "village": "township", "grid": "village"}


@transaction.atomic
def create_area(
    actor,
    *,
    code: str,
    name: str,
    level: str,
    parent: Area | None = None,
    township_kind: str = "",
    is_developed: bool = False,
    village_kind: str = "",
    boundary: dict | None = None,
    sort_order: int = 0,
) -> tuple[Area, list[str]]:
    """Create an area; returns it with any soft warnings about its code."""
    if level not in EXPECTED_PARENT:
        raise Rejected("area.level_invalid", "层级不正确", field="level")
    expected = EXPECTED_PARENT[level]
    if (parent is None) != (expected is None) or (parent is not None and parent.level != expected):
        raise Rejected("area.parent_invalid", f"{Area.Level(level).label}的上级应为{Area.Level(expected).label if expected else '无'}", field="parent")
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Rejected("area.name_invalid", "名称不能为空，且不超过64字", field="name")
    if problems := code_problems(level, code, parent):
        raise Rejected("area.code_invalid", "；".join(problems), field="code")
    if level == "township" and township_kind not in Area.TownshipKind.values:
        raise Rejected("area.township_kind_required", "请选择乡镇类型(镇、乡或街道)", field="township_kind")
    if is_developed and township_kind != Area.TownshipKind.TOWN:
        raise Rejected("area.developed_not_town", "只有镇可以认定为经济发达镇", field="is_developed")
    if Area.objects.filter(code=code).exists():
        raise Conflict("area.code_taken", f"区划代码 {code} 已存在", field="code")
    center = geo.centroid(boundary)
    area = Area.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=path_for_code(level, code),
        township_kind=township_kind if level == "township" else "",
        is_developed=is_developed,
        village_kind=village_kind if level == "village" else "",
        boundary=boundary,
        center_lng=center[0] if center else None,
        center_lat=center[1] if center else None,
        sort_order=sort_order,
    )
    if level == Area.Level.GRID and boundary:
        GridBoundary.objects.create(grid=area, boundary=boundary, valid_from=timezone.now(), recorded_by=_person(actor), reason="新建网格")
    journal.record(actor=actor, verb="area.create", subject=f"area:{area.pk}", summary=f"新增区划 {name}", data={"code": code, "level": level})
    return area, code_warnings(level, code, township_kind, village_kind)


# Fields of an area a county may correct in place. The code (and so the path and the parent) is
# the area's identity: moving or merging is an area change (区划调整) with an effective date.
EDITABLE = ("name", "township_kind", "is_developed", "village_kind", "sort_order")


@transaction.atomic
def update_area(actor, area: Area, **changes) -> Area:
    """Correct an area's name, kind, developed-town mark or order; journaled with old → new."""
    if unknown := set(changes) - set(EDITABLE):
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"] or len(changes["name"]) > 64:
            raise Rejected("area.name_invalid", "名称不能为空，且不超过64字", field="name")
    township_kind = changes.get("township_kind", area.township_kind)
    if area.level == Area.Level.TOWNSHIP and township_kind not in Area.TownshipKind.values:
        raise Rejected("area.township_kind_required", "请选择乡镇类型(镇、乡或街道)", field="township_kind")
    if area.level == Area.Level.VILLAGE and changes.get("village_kind", area.village_kind) not in Area.VillageKind.values:
        raise Rejected("area.village_kind_required", "请选择村社类型(村或社区)", field="village_kind")
    if changes.get("is_developed", area.is_developed) and township_kind != Area.TownshipKind.TOWN:
        raise Rejected("area.developed_not_town", "只有镇可以认定为经济发达镇", field="is_developed")
    before = {field: getattr(area, field) for field in changes}
    for field, value in changes.items():
        setattr(area, field, value)
    area.save(update_fields=[*changes])
    journal.record(
        actor=actor, verb="area.update", subject=f"area:{area.pk}", summary=f"修改区划 {area.name}",
        data={"code": area.code, "before": before, "after": changes},
    )
    return area


def references_to(area: Area) -> list[str]:
    """What refers to the area besides its own child areas (units, posts, cases, grid registers
    …), by verbose name; empty when nothing does. One query per kind of reference."""
    found = []
    from .models import GridBoundary

    for relation in Area._meta.related_objects:
        if relation.related_model is GridBoundary or (relation.related_model is Area and relation.field.name == "parent"):
            continue  # its children are checked apart; a grid's boundary history goes with it
        if relation.related_model._base_manager.filter(**{relation.field.name: area}).exists():
            # An area some retired one points to as its successor carries that one's history (区划调整).
            found.append("区划调整记录" if relation.related_model is Area else str(relation.related_model._meta.verbose_name))
    return sorted(set(found))


@transaction.atomic
def remove_area(actor, area: Area) -> None:
    """Delete an area nothing refers to (one entered by mistake). An area that units, posts,
    cases or anything else point to is never deleted: it is merged or moved (区划调整)."""
    if Area.objects.filter(parent=area).exists():
        raise Conflict("area.has_children", f"「{area.name}」下还有下级区划，不能删除", field="code")
    if found := references_to(area):
        raise Conflict("area.referenced", f"「{area.name}」已被{'、'.join(found)}引用，不能删除；如需撤并请用区划调整", field="code")
    journal.record(actor=actor, verb="area.remove", subject=f"area:{area.pk}", summary=f"删除区划 {area.name}", data={"code": area.code})
    try:
        with transaction.atomic():
            area.delete()
    except ProtectedError:  # a reference references_to does not know of yet: refused all the same
        raise Conflict("area.referenced", f"「{area.name}」仍被其他记录引用，不能删除；如需撤并请用区划调整", field="code") from None


# ---------------------------------------------------------------- grid boundaries (网格调整)

# Who keeps the county's map: the county administrator (编办) and the system administrator,
# where their post's jurisdiction holds the area. A management command run on the server acts
# as the system (actor None), as `manage.py demo` does.
AREA_KEEPER_ROLES = frozenset({"county_admin", "system_admin"})


def _person(actor):
    return actor if getattr(actor, "pk", None) is not None else None


def require_area_keeper(actor, area: Area) -> None:
    """Raises Forbidden unless the actor may change `area`'s boundaries (or is the system)."""
    if actor is None:
        return
    from zhenjie.kernel.scoping import reach_of

    if not reach_of(actor).roles_in(area) & AREA_KEEPER_ROLES:
        raise Forbidden("area.keeper_only", "只有县级管理员或系统管理员可以调整本辖区的区划和网格边界", field="file")


def _set_boundary(grid: Area, boundary: dict) -> None:
    center = geo.centroid(boundary)
    grid.boundary = boundary
    grid.center_lng, grid.center_lat = (center if center else (None, None))
    grid.save(update_fields=["boundary", "center_lng", "center_lat"])


@transaction.atomic
def redraw_grid(actor, grid: Area, boundary: dict, *, reason: str = "", at=None) -> GridBoundary:
    """Give a grid a new boundary from now (or `at`), keeping the old one with its period.

    One transaction: the old history row is closed (or, for a grid drawn before history was kept,
    written with no start), the new one opened, Area.boundary replaced and the change journaled.
    Cases keep their area (the grid they were reported in); coverage stays on the grid's id, so
    the lead worker's reach follows the new shape at once."""
    require_area_keeper(actor, grid)
    if grid.level != Area.Level.GRID:
        raise Rejected("area.not_grid", "只能调整网格的边界", field="grid")
    if not geo.polygons_of(boundary):
        raise Rejected("area.boundary_invalid", "边界应为面(Polygon/MultiPolygon)", field="boundary")
    at = at or timezone.now()
    grid = Area.objects.select_for_update().get(pk=grid.pk)
    current = GridBoundary.objects.select_for_update().filter(grid=grid, valid_until__isnull=True).first()
    if current is not None:
        if current.valid_from and current.valid_from > at:
            raise Conflict("area.redraw_before_current", "新边界的起始时间早于现行边界的起始时间", field="at")
        current.valid_until = at
        current.save(update_fields=["valid_until"])
    elif grid.boundary:
        GridBoundary.objects.create(grid=grid, boundary=grid.boundary, valid_from=None, valid_until=at, reason="调整前的边界")
    row = GridBoundary.objects.create(grid=grid, boundary=boundary, valid_from=at, recorded_by=_person(actor), reason=(reason or "")[:200])
    _set_boundary(grid, boundary)
    journal.record(
        actor=actor, verb="area.redraw", subject=f"area:{grid.pk}", summary=f"调整网格边界 {grid.name}",
        data={"code": grid.code, "history": row.pk, "reason": (reason or "")[:200]},
    )
    return row


@transaction.atomic
def rename_grid(actor, grid: Area, name: str) -> Area:
    require_area_keeper(actor, grid)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Rejected("area.name_invalid", "名称不能为空，且不超过64字", field="name")
    old = grid.name
    if old == name:
        return grid
    grid.name = name
    grid.save(update_fields=["name"])
    journal.record(actor=actor, verb="area.rename", subject=f"area:{grid.pk}", summary=f"网格更名 {old} → {name}", data={"code": grid.code, "from": old, "to": name})
    return grid


@transaction.atomic
def import_grids(actor, plan) -> dict[str, int]:
    """Write a checked grid file (areas.boundaries.plan_grids): new grids created, changed ones
    renamed and redrawn (history kept), unchanged ones untouched; grids the file does not name are
    kept. All or nothing: a plan with problems writes nothing, and any refusal on the way rolls
    the whole import back. One journal entry for the import beside each change's own."""
    if plan.refused:
        raise Rejected("grid_file.refused", f"文件有 {len(plan.problems)} 处问题，未导入任何网格，请下载错误报告修改后重新上传", field="file")
    written = {"new": 0, "changed": 0}
    for planned in plan.grids:
        feature = planned.feature
        if planned.status in ("new", "changed"):
            require_area_keeper(actor, planned.village)
        if planned.status == "new":
            create_area(actor, code=feature.code, name=feature.name, level=Area.Level.GRID, parent=planned.village,
                        boundary=feature.geojson, sort_order=int(feature.code[-3:]))
            written["new"] += 1
        elif planned.status == "changed":
            if planned.name_changed:
                rename_grid(actor, planned.grid, feature.name)
            if planned.boundary_changed:
                redraw_grid(actor, planned.grid, feature.geojson, reason="网格边界文件导入")
            written["changed"] += 1
    journal.record(
        actor=actor, verb="area.import_grids", subject=f"area:{plan.county.pk}",
        summary=f"导入网格边界：新增 {written['new']}，变更 {written['changed']}",
        data={"source": plan.source, "crs": plan.crs_name, **written, "overlaps": len(plan.overlaps)},
    )
    return written


@transaction.atomic
def draw_divisions(actor, plan) -> int:
    """Write a checked division-boundary file (areas.division_boundaries): each changed area's
    polygon and centre replaced, journaled one by one and once for the file. All or nothing."""
    if plan.refused:
        raise Rejected("division_file.refused", f"文件有 {len(plan.problems)} 处问题，未写入任何边界，请下载错误报告修改后重新上传", field="file")
    drawn = 0
    for item in plan.items:
        if item.status != "changed":
            continue
        require_area_keeper(actor, item.area)
        area = Area.objects.select_for_update().get(pk=item.area.pk)
        _set_boundary(area, item.geojson)
        journal.record(actor=actor, verb="area.draw", subject=f"area:{area.pk}", summary=f"绘制区划边界 {area.name}",
                       data={"code": area.code, "before": item.old, "after": item.new})
        drawn += 1
    journal.record(actor=actor, verb="area.import_boundaries", subject=f"area:{plan.county.pk}", summary=f"导入区划边界：{drawn} 个",
                   data={"source": plan.source, "crs": plan.crs_name, "drawn": drawn})
    return drawn
