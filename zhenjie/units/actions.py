from django.db import transaction

from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Rejected

from .models import Unit

# Where each kind of unit may sit in the area tree.
LEVEL_OF_KIND = {
    Unit.Kind.COUNTY_LEADERSHIP: Area.Level.COUNTY,
    Unit.Kind.DEPARTMENT: Area.Level.COUNTY,
    Unit.Kind.STATIONED: Area.Level.TOWNSHIP,
    Unit.Kind.TOWNSHIP_GOVERNMENT: Area.Level.TOWNSHIP,
    Unit.Kind.OFFICE: Area.Level.TOWNSHIP,
    Unit.Kind.CENTRE: Area.Level.TOWNSHIP,
    Unit.Kind.VILLAGE_COMMITTEE: Area.Level.VILLAGE,
}


@transaction.atomic
def create_unit(actor, *, name: str, kind: str, area: Area, short_name: str = "", parent: Unit | None = None,
                home_department: Unit | None = None, phone: str = "", sort_order: int = 0) -> Unit:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise Rejected("unit.name_invalid", "名称不能为空，且不超过64字", field="name")
    if kind not in Unit.Kind.values:
        raise Rejected("unit.kind_invalid", "机构类型不正确", field="kind")
    if area.level != LEVEL_OF_KIND[kind]:
        raise Rejected("unit.area_invalid", f"{Unit.Kind(kind).label}应设在{Area.Level(LEVEL_OF_KIND[kind]).label}一级", field="area")
    if kind == Unit.Kind.STATIONED and (home_department is None or home_department.kind != Unit.Kind.DEPARTMENT):
        # A stationed unit answers to its department (条) while working in the township (块).
        raise Rejected("unit.home_department_required", "派驻机构须指明主管的县直部门", field="home_department")
    if Unit.objects.filter(area=area, name=name).exists():
        raise Conflict("unit.name_taken", f"{area.name}已有名为「{name}」的机构", field="name")
    unit = Unit.objects.create(
        name=name, kind=kind, area=area, short_name=short_name[:32], parent=parent,
        home_department=home_department if kind == Unit.Kind.STATIONED else None, phone=phone[:32], sort_order=sort_order,
    )
    journal.record(actor=actor, verb="unit.create", subject=f"unit:{unit.pk}", summary=f"新增机构 {name}", data={"kind": kind, "area": area.pk})
    return unit
