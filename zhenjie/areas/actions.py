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
