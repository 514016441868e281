"""From an event category and a place to the department that leads (主体责任) and what the
township must do (配合责任), read from the local-duty list in force — never hard-coded (seed 003 二:
"明晰镇街和部门主体责任、配合责任").

When several items cover the category, the rule is fixed so the answer never changes between
calls: lists of the county in the order they were created (oldest first), and inside a list the
item that comes first in list order (its 序号, then its code).

`delegated_to` answers the other question routing asks: has this power been delegated (赋权) to
the township of a place, in force on a day — and which of its units exercises it."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, reaches_level, township_path
from zhenjie.units.models import Unit

from .models import ListKind, ListSeries, LocalDutyCategory
from .queries import DELEGATION_HELD_STATES, delegations_in_force_for, versions_in_force


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


@dataclass(frozen=True)
class DelegatedRoute:
    power_code: str
    power_name: str
    department: Unit  # the county department that delegated the power (原实施部门)
    unit: Unit  # the township's unit that exercises it (the delegation's 承接机构)
    basis: str  # the delegation, as a dispatcher can read it


def delegated_to(power_code: str, area: Area, on: date | None = None) -> DelegatedRoute | None:
    """The delegation of the power `power_code` to the township containing `area` that is in
    force on `on` (default today) — brought into force, its effective date come, the township's
    period covering the day — or None. The same test as `queries.exercise_basis`'s delegation
    source (delegations_in_force_for). The unit is the receiving unit the capacity check named,
    else the township's government."""
    code = (power_code or "").strip()
    if not code or not reaches_level(area.path, Area.Level.TOWNSHIP):
        return None
    on = on or timezone.localdate()
    township = Area.objects.filter(path=township_path(area.path)).first()
    if township is None:
        return None
    target = delegations_in_force_for(township, on).filter(delegation__power_code=code).filter(delegation__state__in=DELEGATION_HELD_STATES).first()
    if target is None:
        return None
    delegation = target.delegation
    unit = target.receiving_unit
    if unit is None or not unit.is_active:
        unit = Unit.objects.filter(area=township, kind=Unit.Kind.TOWNSHIP_GOVERNMENT, is_active=True).order_by("pk").first()
        if unit is None:
            return None
    start = max(delegation.effective_from, target.valid_from)
    return DelegatedRoute(
        power_code=delegation.power_code, power_name=delegation.power_name, department=delegation.department, unit=unit,
        basis=f"赋权清单第{delegation.batch.number}批「{delegation.batch.title}」：{delegation.department.name}的「{delegation.power_name}」"
        f"自{start:%Y-%m-%d}起由{township.name}行使",
    )
