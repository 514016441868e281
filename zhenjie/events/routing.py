"""From an event's category and place to the unit that must handle it, read from the lists
(seed 003 二: the 属地管理 list names the department with 主体责任 and what the township only
supports) — never hard-coded. The dispatcher may override, with a reason (actions.dispatch_event)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.lists.routing import route_for
from zhenjie.units.models import Unit

from .models import Category


@dataclass(frozen=True)
class Route:
    unit: Unit | None  # who the lists say handles it here (the department's stationed unit, or the department)
    lead_department: Unit | None
    duty_item_code: str
    explanation: str  # one line a dispatcher can read


def route(category: Category, area: Area, on: date | None = None) -> Route:
    on = on or timezone.localdate()
    found = route_for(category.code, area, on)
    if found is None and category.parent_id is not None:
        # A second-level category the list does not name is its first-level category's matter.
        found = route_for(category.parent.code, area, on)
    if found is None:
        return Route(None, None, "", f"属地管理事项清单未载明「{category.name}」的责任部门，请调度员指定处置单位")
    unit = found.lead_in_township or found.lead_department
    where = f"派驻{area.name[:3]}的{unit.name}" if found.lead_in_township else unit.name
    return Route(
        unit, found.lead_department, found.item_code,
        f"属地管理事项「{found.matter}」({found.item_code})：{found.lead_department.name}负主体责任，由{where}处置；乡镇配合：{found.township_duty}",
    )
