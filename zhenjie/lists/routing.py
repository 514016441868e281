"""From an event category and a place to the department that leads (主体责任) and what the
township must do (配合责任), read from the local-duty list in force — never hard-coded (seed 003 二:
"明晰镇街和部门主体责任、配合责任").

When several items cover the category, the rule is fixed so the answer never changes between
calls: lists of the county in the order they were created (oldest first), and inside a list the
item that comes first in list order (its 序号, then its code)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, reaches_level, township_path
from zhenjie.units.models import Unit

from .models import ListKind, ListSeries, LocalDutyCategory
from .queries import versions_in_force


@dataclass(frozen=True)
class DutyRoute:
    item_code: str  # the local-duty item's code
    matter: str  # its wording
    domain: str  # one of the 16 domains (label)
    lead_department: Unit  # county department holding 主体责任
    lead_in_township: Unit | None  # that department's stationed unit (派驻机构) in the event's township, if any
    township_duty: str  # what the township must do (配合责任)


def route_for(category_code: str, area: Area, on: date | None = None) -> DutyRoute | None:
    """The route for events of `category_code` in `area` on `on` (default today), or None when
    no local-duty item in force covers the category."""
    on = on or timezone.localdate()
    series = list(ListSeries.objects.filter(kind=ListKind.LOCAL_DUTY, area__path=county_path(area.path)).order_by("pk"))
    if not series:
        return None
    in_force = versions_in_force(series, on)
    if not in_force:
        return None
    order = {version.pk: index for index, version in enumerate(in_force[s.pk] for s in series if s.pk in in_force)}
    matches = (
        LocalDutyCategory.objects.filter(version_id__in=list(order), code=category_code)
        .select_related("item", "item__lead_department")
        .order_by("item__position", "item__code")
    )
    best = min(matches, key=lambda m: (order[m.version_id], m.item.position, m.item.code), default=None)
    if best is None:
        return None
    item = best.item
    return DutyRoute(
        item_code=item.code,
        matter=item.name,
        domain=item.domain,
        lead_department=item.lead_department,
        lead_in_township=_stationed_unit(item.lead_department, area),
        township_duty=item.township_duty,
    )


def _stationed_unit(department: Unit, area: Area) -> Unit | None:
    if not reaches_level(area.path, Area.Level.TOWNSHIP):
        return None  # an event placed on the county as a whole has no township
    return (
        Unit.objects.filter(
            kind=Unit.Kind.STATIONED, home_department=department, area__path=township_path(area.path), is_active=True
        )
        .order_by("sort_order", "pk")
        .first()
    )
