"""The topics a month proposes (每月一题): last month's complaints counted by category and place, the
same category in neighbouring grids counted together, with the trend over the months before.

Complaints are what the public brought (12345, the portal, the window, outside platforms): what a
grid worker or a camera found is the township's own discovery, not a complaint. A place is a grid
when the report reached one, else the village or township it was placed in. Two grids neighbour
when their current boundaries touch; a grid without a boundary neighbours none.

Computed when asked, never stored: one GROUP BY over the township's month, one over the months of
the trend, and the grids' boundaries once."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count
from django.utils import timezone

from zhenjie.areas.boundaries import shape_of
from zhenjie.areas.models import Area
from zhenjie.events.models import Category, Channel, Event
from zhenjie.events.workflow import EventState
from zhenjie.kernel.scoping import unscoped

COMPLAINT_CHANNELS = (Channel.HOTLINE, Channel.CITIZEN, Channel.WALK_IN, Channel.OPEN311)
NOT_COUNTED = (EventState.REJECTED, EventState.MERGED)  # not a complaint, or one counted already
TREND_MONTHS = 3  # the months before shown beside the month's count
SHOWN = 10  # proposals offered, most complaints first
LEAST = 2  # one complaint is a case, not yet a topic
NEIGHBOUR_TOLERANCE = 0.00005  # degrees (about 5 m): boundaries drawn side by side rarely meet exactly
EARLIEST = date(2000, 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_month(today: date | None = None) -> date:
    return add_months(month_start(today or timezone.localdate()), -1)


def parse_month(value) -> date | None:
    """A month as the pages and the API write it, "2026-11", from 2000 to the current month;
    else None."""
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-" or not value.replace("-", "", 1).isdigit():
        return None
    year, number = int(value[:4]), int(value[5:])
    if not 1 <= number <= 12:
        return None
    month = date(year, number, 1)
    return month if EARLIEST <= month <= month_start(timezone.localdate()) else None


def _moment(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


@dataclass
class Proposal:
    category: Category
    places: list[Area]
    count: int
    trend: list[tuple[date, int]] = field(default_factory=list)  # the months before, oldest first

    @property
    def key(self) -> str:
        """What a leader's adoption names the proposal by: the category and the places' ids."""
        return f"{self.category.pk}:" + ",".join(str(place.pk) for place in self.places)

    @property
    def title(self) -> str:
        names = "、".join(place.name for place in self.places[:3]) + ("等" if len(self.places) > 3 else "")
        return f"{names}{self.category.name}问题"

    @property
    def change(self) -> int | None:
        """The month's count less the month before's; None without a month before."""
        return self.count - self.trend[-1][1] if self.trend else None

    @property
    def decrease(self) -> int:
        return -(self.change or 0)

    @property
    def chart(self) -> list[dict]:
        """The bars of the trend and the month, with their heights out of 40 (drawn as SVG)."""
        values = [*self.trend, (None, self.count)]
        top = max(count for _, count in values) or 1
        return [
            {"month": month, "count": count, "height": height, "y": 42 - height, "x": index * 14, "current": month is None}
            for index, (month, count) in enumerate(values)
            for height in [max(1, round(count * 40 / top))]
        ]


def complaints(township: Area, start: date, end: date):
    """The township's complaints reported from the first day of `start` to before `end`."""
    return unscoped(Event, why="a township's proposals count every complaint filed in it, the caller's reach checked").filter(
        case__area__path__startswith=township.path, channel__in=COMPLAINT_CHANNELS,
        reported_at__gte=_moment(start), reported_at__lt=_moment(end),
    ).exclude(case__state__in=NOT_COUNTED)


def _neighbours(grids: list[Area]) -> dict[int, set[int]]:
    shapes = {grid.pk: shape for grid in grids if (shape := shape_of(grid.boundary)) is not None}
    grown = {pk: shape.buffer(NEIGHBOUR_TOLERANCE) for pk, shape in shapes.items()}
    found: dict[int, set[int]] = defaultdict(set)
    ids = sorted(shapes)
    for index, first in enumerate(ids):
        for second in ids[index + 1 :]:
            if grown[first].intersects(shapes[second]):
                found[first].add(second)
                found[second].add(first)
    return found


def _clusters(counts: dict[int, int], neighbours: dict[int, set[int]]) -> list[set[int]]:
    """The places with complaints joined through neighbouring grids (connected parts)."""
    left, parts = set(counts), []
    while left:
        start = min(left)
        part, frontier = {start}, [start]
        while frontier:
            for other in neighbours.get(frontier.pop(), ()):
                if other in left and other not in part:
                    part.add(other)
                    frontier.append(other)
        left -= part
        parts.append(part)
    return parts


def propose(township: Area, month: date, *, shown: int = SHOWN) -> list[Proposal]:
    """The month's proposals for one township, most complaints first."""
    first = add_months(month, -TREND_MONTHS)
    rows = (
        complaints(township, first, add_months(month, 1))
        # Year and month in the local time zone (Django converts before extracting, USE_TZ).
        .values("category_id", "case__area_id", "reported_at__year", "reported_at__month")
        .annotate(count=Count("id"))
        .order_by()
    )
    per_month: dict[tuple[int, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        reported = date(row["reported_at__year"], row["reported_at__month"], 1)
        per_month[(row["category_id"], row["case__area_id"])][reported] += row["count"]
    this_month = defaultdict(dict)  # category → place → count
    for (category_id, area_id), months in per_month.items():
        if months.get(month):
            this_month[category_id][area_id] = months[month]
    if not this_month:
        return []
    places = Area.objects.in_bulk({area_id for counts in this_month.values() for area_id in counts})
    neighbours = _neighbours([place for place in places.values() if place.level == Area.Level.GRID])
    categories = Category.objects.in_bulk(this_month.keys())
    proposals = []
    for category_id, counts in this_month.items():
        for part in _clusters(counts, neighbours):
            total = sum(counts[pk] for pk in part)
            if total < LEAST:
                continue
            trend = [(past, sum(per_month[(category_id, pk)].get(past, 0) for pk in part)) for past in (add_months(month, -n) for n in range(TREND_MONTHS, 0, -1))]
            proposals.append(Proposal(categories[category_id], sorted((places[pk] for pk in part), key=lambda area: area.path), total, trend))
    proposals.sort(key=lambda proposal: (-proposal.count, proposal.category.code, proposal.places[0].path))
    return proposals[:shown]


def proposal_by_key(township: Area, month: date, key: str) -> Proposal | None:
    """The proposal a leader adopts, found again (the counts may have moved since the page)."""
    return next((proposal for proposal in propose(township, month, shown=10_000) if proposal.key == key), None)
