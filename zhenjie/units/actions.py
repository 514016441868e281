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
    Unit.Kind.SERVICE_CENTRE: Area.Level.TOWNSHIP,
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


EDITABLE = ("short_name", "kind", "parent", "home_department", "phone", "sort_order", "is_active")


@transaction.atomic
def update_unit(actor, unit: Unit, **changes) -> Unit:
    """Correct a unit's kind, short name, parent, home department, phone or order, or bring a
    stopped unit back into use; the name and area are its identity. Journaled with old → new."""
    if unknown := set(changes) - set(EDITABLE):
        raise ValueError(f"not editable here: {sorted(unknown)}")
    kind = changes.get("kind", unit.kind)
    if kind not in Unit.Kind.values:
        raise Rejected("unit.kind_invalid", "机构类型不正确", field="kind")
    if unit.area.level != LEVEL_OF_KIND[kind]:
        raise Rejected("unit.area_invalid", f"{Unit.Kind(kind).label}应设在{Area.Level(LEVEL_OF_KIND[kind]).label}一级", field="area")
    home = changes.get("home_department", unit.home_department)
    if kind == Unit.Kind.STATIONED and (home is None or home.kind != Unit.Kind.DEPARTMENT):
        raise Rejected("unit.home_department_required", "派驻机构须指明主管的县直部门", field="home_department")
    if kind != Unit.Kind.STATIONED and home is not None:
        changes["home_department"] = None
    parent = changes.get("parent", unit.parent)
    if parent is not None and (parent.pk == unit.pk or not unit.area.path.startswith(parent.area.path)):
        raise Rejected("unit.parent_invalid", "上级机构须在本机构所在区划或其上级区划内，且不能是本机构", field="parent")
    changes["short_name"] = changes.get("short_name", unit.short_name)[:32]
    changes["phone"] = changes.get("phone", unit.phone)[:32]
    before = {field: _plain(getattr(unit, field)) for field in changes}
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.save(update_fields=[*changes])
    journal.record(
        actor=actor, verb="unit.update", subject=f"unit:{unit.pk}", summary=f"修改机构 {unit.name}",
        data={"before": before, "after": {field: _plain(value) for field, value in changes.items()}},
    )
    return unit


def _plain(value):
    return value.pk if isinstance(value, Unit) else value


def why_unit_must_stay(unit: Unit) -> str:
    """Why a unit cannot be stopped now ("" if it can): people still seated in it, or work
    still open in its name."""
    from zhenjie.accounts.models import Post
    from zhenjie.kernel.models import Assignment

    if Post.objects.filter(unit=unit, is_active=True).exists():
        return "仍有人员在岗"
    if Assignment.objects.filter(unit=unit, state=Assignment.State.OPEN).exists():
        return "仍有待办事项"
    if Unit.objects.filter(parent=unit, is_active=True).exists():
        return "仍有在用的下级机构"
    return ""


@transaction.atomic
def deactivate_unit(actor, unit: Unit) -> Unit:
    """Stop using a unit (撤销): it stays in the records its cases name, but leaves the directory.
    Refused while anyone is seated in it or work is open in its name."""
    if why := why_unit_must_stay(unit):
        raise Conflict("unit.in_use", f"「{unit.name}」{why}，不能停用", field="name")
    if not Unit.objects.filter(pk=unit.pk, is_active=True).update(is_active=False):
        raise Conflict("unit.already_inactive", f"「{unit.name}」已停用")
    unit.is_active = False
    journal.record(actor=actor, verb="unit.deactivate", subject=f"unit:{unit.pk}", summary=f"停用机构 {unit.name}")
    return unit
