"""What every grid page shares: the section's tab bar, 404 for records out of reach, the grid
filter, and whether the rows as filtered are wanted as an Excel file."""

from datetime import date, datetime, time

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.scoping import reach_of
from zhenjie.kernel.ids import parse_id

from .. import queries
from ..jurisdiction import EDITORS, MANAGERS, READERS

TABS = [
    # (url name, label, icon, roles that see it)
    ("grid:home", "概览", "grid-3x3", READERS),
    ("grid:coverage", "网格员分工", "people", MANAGERS),
    ("grid:ledger", "重点人群台账", "journal-bookmark", READERS),
    ("grid:overdue", "超期未走访", "alarm", READERS),
    ("grid:visits", "走访记录", "house-heart", READERS),
    ("grid:patrol", "巡查", "signpost-split", frozenset({R.GRID_WORKER})),
    ("grid:patrols", "巡查记录", "map", READERS),
    ("grid:residents", "实有人口", "person-lines-fill", READERS),
    ("grid:buildings", "房屋", "house", READERS),
    ("grid:organisations", "单位组织", "shop", READERS),
    ("grid:settings", "走访设置", "sliders", frozenset({R.COUNTY_ADMIN})),
]


def tabs_for(request, active: str) -> list[dict]:
    roles = reach_of(request.user).roles
    return [
        {"url": reverse(name), "label": label, "icon": icon, "active": name == active}
        for name, label, icon, allowed in TABS
        if roles & allowed
    ]


def page(request, template: str, context: dict, active: str):
    reach = reach_of(request.user)
    context.setdefault("can_edit", bool(reach.roles & EDITORS))
    context.setdefault("can_manage", bool(reach.roles & MANAGERS))
    return render(request, template, {**context, "grid_tabs": tabs_for(request, active)})


def grid_filter(request):
    """The grid chosen in ?grid=, if any; one out of reach is a 404 like any other record."""
    raw = request.GET.get("grid", "")
    if not raw:
        return None
    if (grid_id := parse_id(raw)) is None:
        raise Http404("网格不存在或不在您的辖区内")
    return queries.get_grid_for(request.user, grid_id)


def date_range(rows, field: str, start: str, end: str):
    """Rows whose `field` falls on or between the two dates of a filter (either may be blank)."""
    for value, lookup, moment in ((start, "gte", time.min), (end, "lte", time.max)):
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue  # the date inputs send ISO dates; anything else is a hand-made URL, not a filter
        rows = rows.filter(**{f"{field}__{lookup}": timezone.make_aware(datetime.combine(day, moment))})
    return rows


def wants_excel(request) -> bool:
    return request.GET.get("format") == "xlsx"

