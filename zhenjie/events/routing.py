"""From an event's category and place to the unit that must handle it, read from the lists —
never hard-coded. The dispatcher may override, with a reason (actions.dispatch_event).

Two lists answer, in this order:
1. **A delegation (赋权) in force.** When the category names a power (Category.power_code, or its
   first-level category's) and that power was delegated to the event's township and is in force
   on the day asked, the event goes to the township's unit that exercises it (the delegation's
   承接机构). The delegation comes first: it is the later, specific act by which the county moved
   that power to this township (seed 001 (四)10 "依法明确乡镇执法主体地位", 权随事转), while the
   local-duty list says who leads where the power is still the department's.
2. **The local-duty list (属地管理, seed 003 二)**: the department with 主体责任 (its stationed unit
   in the township, if any), the township only supporting.

The day is the report's (`event.reported_at`, local date), not the dispatch's: an event reported
the day before a delegation takes effect is still the department's, however late it is dispatched."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.lists.routing import delegated_to, route_for
from zhenjie.units.models import Unit

from .models import Category


@dataclass(frozen=True)
class Route:
    unit: Unit | None  # who the lists say handles it here (the township's unit, the stationed unit, or the department)
    lead_department: Unit | None
    duty_item_code: str
    explanation: str  # one line a dispatcher can read
    power_code: str = ""  # the power the handling exercises (Category.power_code), when the category names one
    delegated: bool = False  # routed by a delegation to the township


def power_code_of(category: Category) -> str:
    """The power a category's events exercise: its own, else its first-level category's."""
    if category.power_code:
        return category.power_code
    return category.parent.power_code if category.parent_id is not None else ""


def report_day(event) -> date:
    """The day an event's routing is read for: the local date it was reported."""
    return timezone.localdate(event.reported_at)


def route(category: Category, area: Area, on: date | None = None) -> Route:
    on = on or timezone.localdate()
    power = power_code_of(category)
    delegated = delegated_to(power, area, on) if power else None
    if delegated is not None:
        return Route(
            delegated.unit, delegated.department, "", f"{delegated.basis}，由{delegated.unit.name}处置", power_code=power, delegated=True,
        )
    found = route_for(category.code, area, on)
    if found is None and category.parent_id is not None:
        # A second-level category the list does not name is its first-level category's matter.
        found = route_for(category.parent.code, area, on)
    if found is None:
        return Route(None, None, "", f"属地管理事项清单未载明「{category.name}」的责任部门，请调度员指定处置单位", power_code=power)
    unit = found.lead_in_township or found.lead_department
    where = f"派驻{area.name[:3]}的{unit.name}" if found.lead_in_township else unit.name
    return Route(
        unit, found.lead_department, found.item_code,
        f"属地管理事项「{found.matter}」({found.item_code})：{found.lead_department.name}负主体责任，由{where}处置；乡镇配合：{found.township_duty}",
        power_code=power,
    )
