"""办理质量: how well the handling units work, per unit and per category (issue 14 item 2) —
the figures the assessment of the command centre's loop reads (seed 004 §三 督查考核; the
数字城管 and 12345 assessments count 返工率, 按期办结率 and 一次办结率):

- 返工率 (rework rate): events with at least one rework (kernel.rework: a failed verification or
  a reopening) among the events reported back;
- 按期办结率 (on-time rate): events closed (办结, not 不予受理 or 合并) by their deadline among
  those closed — an event without a running deadline is not late;
- 一次办结率 (first-time-right rate): events closed with no rework among those closed.

Which events: those reported in the period (the case's opened_at, as every figure of
events.analysis reads it: the (area, kind, opened_at) index answers it), in the user's
jurisdiction (kernel.scoping.jurisdiction_cases), that were reported back at least once (every
closed event was). Each figure is a count of `cases_behind(user, choice)` for one `quality`, and
the events list filtered by the same choice (events.views, events.api) shows exactly those
events: one definition serves the figure and its list. Counting is aggregate queries only
(GROUP BY unit, GROUP BY category, the total), whatever the number of units or events."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from zhenjie.kernel import periods
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case, JournalEntry, Rework
from zhenjie.kernel.scoping import jurisdiction_cases
from zhenjie.units.models import Unit
from zhenjie.units.queries import chosen_unit
from zhenjie.workbench.excel import Column

from . import daily
from .models import Category
from .workflow import EVENT, EventState

# What a figure's link asks the list for: the cases behind each count.
QUALITIES = {
    "reported_back": "已反馈", "rework": "返工", "closed": "办结", "on_time": "按期办结", "late": "超期办结", "first_time": "一次办结",
}


def _reported_back(case_ref: str):
    # The journal holds each report-back (verb "report_back"); its (case, seq) index answers per case.
    return Exists(JournalEntry.objects.filter(case_id=OuterRef(case_ref), verb="report_back"))


def _reworked(case_ref: str):
    return Exists(Rework.objects.filter(case_id=OuterRef(case_ref)))


CLOSED = Q(state=EventState.CLOSED)
LATE = Q(state=EventState.CLOSED, due_at__isnull=False, closed_at__gt=F("due_at"))


def condition(quality: str) -> Q:
    """The condition on a case (a row of kernel_case) of the events behind one figure."""
    back = Q(_reported_back("pk"))
    return {
        "reported_back": back,
        "rework": back & Q(_reworked("pk")),
        "closed": back & CLOSED,
        "on_time": back & CLOSED & ~LATE,
        "late": back & LATE,
        "first_time": back & CLOSED & ~Q(_reworked("pk")),
    }[quality]


@dataclass(frozen=True)
class Choice:
    """What the figures (or the list) are asked for: the report dates from `start` to `end`
    (inclusive, local days) or open at either end, a handling unit, a category, a quality."""

    start: date | None = None
    end: date | None = None
    unit: Unit | None = None
    category: Category | None = None
    quality: str = ""

    @property
    def bounds(self):
        """[start, end) as times, either None when open."""
        return (daily.midnight(self.start) if self.start else None, daily.midnight(self.end + timedelta(days=1)) if self.end else None)

    def params(self, **changes) -> dict[str, str]:
        """The query string of the list behind a figure (events.views and events.api read it)."""
        chosen = replace(self, **changes)
        found = {"from": chosen.start.isoformat() if chosen.start else "", "to": chosen.end.isoformat() if chosen.end else "",
                 "unit": str(chosen.unit.pk) if chosen.unit else "", "category": chosen.category.code if chosen.category else "",
                 "quality": chosen.quality}
        return {key: value for key, value in found.items() if value}


def choose(user, *, start=None, end=None, unit=None, category=None, quality="", default_period: bool = False) -> Choice:
    """The choice checked, or Rejected in Chinese naming the field: dates as `date` or text
    (YYYY-MM-DD), `from` not after `to`, at most periods.MAX_DAYS; a unit the user may see (by
    id); an active or former category (by code); a known quality. With `default_period` (the
    figures, and a list asked for the cases behind one) a missing end is today and a missing
    start periods.DEFAULT_DAYS before the end."""
    quality = (quality or "").strip()
    if quality and quality not in QUALITIES:
        raise Rejected("quality.quality_invalid", "办理质量筛选须为：" + "、".join(f"{k}({v})" for k, v in QUALITIES.items()), field="quality")
    chosen = periods.period(start, end, prefix="quality", default_days=periods.DEFAULT_DAYS if default_period or quality else None)
    found_unit = chosen_unit(user, unit, "quality.unit_unknown")
    found_category = None
    if category not in (None, ""):
        found_category = Category.objects.filter(code=str(category).strip()[:40]).first()
        if found_category is None:
            raise Rejected("quality.category_unknown", "所选事件类别不存在", field="category")
    return Choice(chosen.start, chosen.end, found_unit, found_category, quality)


def choose_from(user, params, *, default_period: bool = False) -> Choice:
    """choose() from a query string (the pages' ?from=&to=&unit=&category=&quality=)."""
    return choose(user, start=params.get("from", ""), end=params.get("to", ""), unit=params.get("unit", ""),
                  category=params.get("category", ""), quality=params.get("quality", ""), default_period=default_period)


def cases_behind(user, choice: Choice) -> QuerySet[Case]:
    """The event cases the figure of `choice` counts: in the user's jurisdiction, reported in the
    period, of the unit and category, meeting the quality (all reported back when none)."""
    rows = jurisdiction_cases(user).filter(kind=EVENT)
    start, end = choice.bounds
    if start is not None:
        rows = rows.filter(opened_at__gte=start)
    if end is not None:
        rows = rows.filter(opened_at__lt=end)
    if choice.unit is not None:
        rows = rows.filter(event__handling_unit=choice.unit)
    if choice.category is not None:
        rows = rows.filter(event__category=choice.category)
    return rows.filter(condition(choice.quality or "reported_back"))


def narrowed(user, rows: QuerySet, choice: Choice) -> QuerySet:
    """Events (events_for's rows) narrowed by a list's choice: the unit and category as plain
    filters, the period on the report time; with a quality, exactly the events behind that figure."""
    if choice.quality:
        return rows.filter(case_id__in=cases_behind(user, choice).values("pk"))
    start, end = choice.bounds
    if start is not None:
        rows = rows.filter(case__opened_at__gte=start)
    if end is not None:
        rows = rows.filter(case__opened_at__lt=end)
    if choice.unit is not None:
        rows = rows.filter(handling_unit=choice.unit)
    if choice.category is not None:
        rows = rows.filter(category=choice.category)
    return rows


# ---- the figures --------------------------------------------------------------------------------


@dataclass
class Row:
    """One unit's or category's figures (or the total: key None), with the counts behind them."""

    key: object
    name: str
    reported_back: int
    rework: int
    closed: int
    late: int
    first_time: int
    dimension: str = ""  # 处置单位, 事件类别 or 合计 (the export's first column)
    links: dict = field(default_factory=dict)  # quality → the events list's query string of the cases behind it
    api_links: dict = field(default_factory=dict)  # the same for GET /api/events

    @property
    def on_time(self) -> int:
        return self.closed - self.late

    @property
    def rework_rate(self) -> float | None:
        return _rate(self.rework, self.reported_back)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.closed)

    @property
    def first_time_rate(self) -> float | None:
        return _rate(self.first_time, self.closed)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _counts() -> dict:
    reworked = Q(_reworked("pk"))
    return {
        "n_back": Count("pk"),
        "n_rework": Count("pk", filter=reworked),
        "n_closed": Count("pk", filter=CLOSED),
        "n_late": Count("pk", filter=LATE),
        "n_first": Count("pk", filter=CLOSED & ~reworked),
    }


def _row(key, name, found, dimension: str) -> Row:
    return Row(key, name, found["n_back"], found["n_rework"], found["n_closed"], found["n_late"], found["n_first"], dimension)


@dataclass
class Figures:
    choice: Choice
    total: Row
    units: list[Row]
    categories: list[Row]


LINKED = ("reported_back", "rework", "closed", "on_time", "late", "first_time")


def _link(choice: Choice, row: Row) -> None:
    """Each count's list of cases, as the events list's query string (row.links[quality]); the
    API's list takes the same with its own names for the dates (row.api_links)."""
    base = {"from": choice.start.isoformat(), "to": choice.end.isoformat()}
    if choice.category is not None:
        base["category"] = choice.category.code
    if choice.unit is not None:
        base["unit"] = str(choice.unit.pk)
    if row.dimension == "处置单位":
        base["unit"] = str(row.key)
    elif row.dimension == "事件类别":
        base["category"] = row.key
    row.links = {quality: urlencode({**base, "quality": quality}) for quality in LINKED}
    api = {"reported_from": base.pop("from"), "reported_to": base.pop("to"), **base}
    row.api_links = {quality: urlencode({**api, "quality": quality}) for quality in LINKED}


def figures(user, choice: Choice) -> Figures:
    """The figures per handling unit and per category, and the total: three aggregate queries."""
    behind = cases_behind(user, replace(choice, quality=""))
    total = _row(None, "合计", behind.aggregate(**_counts()), "合计")
    units = [
        _row(r["event__handling_unit"], r["event__handling_unit__name"], r, "处置单位")
        for r in behind.filter(event__handling_unit__isnull=False)
        .values("event__handling_unit", "event__handling_unit__name").annotate(**_counts()).order_by("event__handling_unit__name", "event__handling_unit")
    ]
    categories = [
        _row(r["event__category__code"], r["event__category__name"], r, "事件类别")
        for r in behind.values("event__category", "event__category__code", "event__category__name").annotate(**_counts())
        .order_by("event__category__name", "event__category")
    ]
    for row in (total, *units, *categories):
        _link(choice, row)
    # Worst first: the highest rework rate, then the lowest on-time rate, then the most events.
    def order(row: Row):
        return (-(row.rework_rate or 0), row.on_time_rate if row.on_time_rate is not None else 101, -row.reported_back, row.name)

    units.sort(key=order)
    categories.sort(key=order)
    return Figures(choice, total, units, categories)


def percent(value: float | None):
    return value if value is not None else "—"


COLUMNS = (
    Column("维度", lambda r: r.dimension, 10), Column("名称", lambda r: r.name, 28), Column("反馈件数", lambda r: r.reported_back, 10), Column("返工件数", lambda r: r.rework, 10),
    Column("返工率(%)", lambda r: percent(r.rework_rate), 11), Column("办结件数", lambda r: r.closed, 10),
    Column("按期办结", lambda r: r.on_time, 10), Column("按期办结率(%)", lambda r: percent(r.on_time_rate), 14),
    Column("一次办结", lambda r: r.first_time, 10), Column("一次办结率(%)", lambda r: percent(r.first_time_rate), 14),
)  # the export's columns, as the page shows them
