"""Which days are working days.

Statutory holidays and make-up working days (调休) come from the maintained package
`chinese-calendar` (State Council notices 2004–2026; shared/reference/holidays.md). The county
can enter days for a year the package does not know yet (CalendarDay) and confirm the year once
the whole notice is in (CalendarYear). A year that is neither is *unknown*: weekends are rest
days there, and every deadline that reaches into it is flagged as uncertain, never silently
treated as a year without holidays (holidays.md, "2027").
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _package_days

PACKAGE_FIRST_YEAR = min(_package_days.holidays).year
PACKAGE_LAST_YEAR = max(_package_days.holidays).year

_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)  # date → is a working day
    names: dict[date, str] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def is_known_year(self, year: int) -> bool:
        return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR or year in self.confirmed_years

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if PACKAGE_FIRST_YEAR <= day.year <= PACKAGE_LAST_YEAR:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def day_name(self, day: date) -> str:
        if day in self.names:
            return self.names[day]
        if PACKAGE_FIRST_YEAR <= day.year <= PACKAGE_LAST_YEAR:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if name:
                return _HOLIDAY_NAMES.get(name, name) + ("" if on_holiday else "调休上班")
        return ""

    def add_working_days(self, start: date, count: int) -> tuple[date, bool]:
        """The day on which `count` working days after `start` end, the start day not counted
        (民法典 Art. 201), and whether any day crossed lies in an unknown year."""
        day, left, uncertain = start, count, not self.is_known_year(start.year)
        while left > 0:
            day += timedelta(days=1)
            if not self.is_known_year(day.year):
                uncertain = True
            if self.is_workday(day):
                left -= 1
        return day, uncertain

    def next_workday_on_or_after(self, day: date) -> tuple[date, bool]:
        uncertain = not self.is_known_year(day.year)
        while not self.is_workday(day):
            day += timedelta(days=1)
            uncertain = uncertain or not self.is_known_year(day.year)
        return day, uncertain

    def working_days_after_until(self, first: date, last: date) -> int:
        """Working days d with first < d ≤ last."""
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


_cache_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None
_CACHE_SECONDS = 60


def current_calendar() -> WorkCalendar:
    """The calendar with the county's own entries, cached for a minute per process."""
    global _cached
    with _cache_lock:
        if _cached and time.monotonic() - _cached[0] < _CACHE_SECONDS:
            return _cached[1]
    from .models import CalendarDay, CalendarYear

    rows = list(CalendarDay.objects.values_list("date", "kind", "name"))
    calendar = WorkCalendar(
        overrides={d: kind == CalendarDay.Kind.WORKDAY for d, kind, _ in rows},
        names={d: name for d, _, name in rows if name},
        confirmed_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
    with _cache_lock:
        _cached = (time.monotonic(), calendar)
    return calendar


def forget_calendar() -> None:
    global _cached
    with _cache_lock:
        _cached = None
