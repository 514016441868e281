"""Changes to the area tree. Division codes are checked here (areas/codes.py) and the
materialised path is derived from them, so a subtree is always "every path under this one"."""

from django.db import transaction

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Rejected

from . import geo
from .codes import code_problems, code_warnings, path_for_code
from .models import Area

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
    for relation in Area._meta.related_objects:
        if relation.related_model is Area:
            continue
        if relation.related_model._base_manager.filter(**{relation.field.name: area}).exists():
            found.append(str(relation.related_model._meta.verbose_name))
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
    area.delete()
