from django.db.models import Q, QuerySet

from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.scoping import get_visible_or_404, visible_units
from zhenjie.workbench.excel import Column

from .models import Unit


def units_for(user, *, search: str = "", kind: str = "") -> QuerySet[Unit]:
    units = visible_units(user).filter(is_active=True).select_related("area", "home_department")
    if search:
        units = units.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("area__path", "sort_order", "name")


COLUMNS = (
    Column("名称", lambda u: u.name, 28), Column("类型", lambda u: u.get_kind_display(), 16), Column("所在区划", lambda u: u.area.name, 16),
    Column("主管部门", lambda u: u.home_department.name if u.home_department else "", 20), Column("联系电话", lambda u: u.phone, 16),
)  # the directory's export


def get_unit_for(user, pk) -> Unit:
    return get_visible_or_404(units_for(user), "unit.not_found", "机构不存在或不在您的辖区内", pk=pk)


def chosen_unit(user, raw, code: str) -> Unit | None:
    """The unit a filter names by id (text or int), or None when it names none; a unit that is
    not a number, missing or out of the user's reach is Rejected with `code`, naming the field
    `unit` (the figures pages' unit filter)."""
    if raw in (None, ""):
        return None
    try:
        unit_id = int(str(raw).strip())
        if not 0 < unit_id < 2**63:
            raise ValueError
        return get_unit_for(user, unit_id)
    except (ValueError, NotFound):
        raise Rejected(code, "所选单位不存在或不在您的辖区内", field="unit") from None
