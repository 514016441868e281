from django.db.models import Q, QuerySet

from zhenjie.kernel.scoping import get_visible_or_404, visible_units

from .models import Unit


def units_for(user, *, search: str = "", kind: str = "") -> QuerySet[Unit]:
    units = visible_units(user).filter(is_active=True).select_related("area", "home_department")
    if search:
        units = units.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("area__path", "sort_order", "name")


def get_unit_for(user, pk) -> Unit:
    return get_visible_or_404(units_for(user), "unit.not_found", "机构不存在或不在您的辖区内", pk=pk)
