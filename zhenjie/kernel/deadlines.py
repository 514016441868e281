"""Deadlines: when a limit of N working days, natural days or hours runs out, and how pausing
(中止), resuming and extending move it. Functions here compute and set fields on a Case; the
workflow engine saves them inside its transaction.

Counting rules (shared/reference/statutory-deadlines.md §0):
- the start day is not counted (民法典 Art. 201);
- a limit in days ends at 24:00 of its last day (民法典 Art. 203); we store 23:59:59 local time;
- a natural-day limit whose last day is a rest day ends on the next working day (民法典 Art. 203);
- working days leave out statutory holidays and count make-up days (行政许可法 Art. 82).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from .calendar import WorkCalendar, current_calendar
from .models import Case, DeadlineUnit

END_OF_DAY = time(23, 59, 59)
# Office hours of a working day, for limits counted in working hours (a county's 乡呼县应 response
# time, SupervisionPolicy.call_working_hours). No document we hold fixes the clock times; these
# are the ones county service halls post (上午8:30-12:00，下午14:00-17:30), seven hours a day.
OFFICE_HOURS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str = DeadlineUnit.WORKING_DAYS

    def __post_init__(self):
        if self.amount < 0:
            raise ValueError("a limit cannot be negative")
        if self.unit not in DeadlineUnit.values:
            raise ValueError(f"unknown deadline unit {self.unit!r}")

    def __str__(self) -> str:
        return f"{self.amount}{DeadlineUnit(self.unit).label}"


def _end_of(day, tz) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY), tz)


def due_after(start: datetime, limit: Limit, calendar: WorkCalendar | None = None) -> tuple[datetime, bool]:
    """When `limit` started at `start` runs out, and whether that rests on an unknown year."""
    calendar = calendar or current_calendar()
    if limit.unit == DeadlineUnit.HOURS:
        return start + timedelta(hours=limit.amount), False
    tz = timezone.get_current_timezone()
    local_start = timezone.localtime(start, tz).date()
    if limit.unit == DeadlineUnit.WORKING_DAYS:
        last_day, uncertain = calendar.add_working_days(local_start, limit.amount)
        return _end_of(last_day, tz), uncertain
    last_day = local_start + timedelta(days=limit.amount)
    last_day, uncertain = calendar.next_workday_on_or_after(last_day)
    return _end_of(last_day, tz), uncertain


def add_working_hours(start: datetime, hours: int, calendar: WorkCalendar | None = None) -> tuple[datetime, bool]:
    """When `hours` of office time (OFFICE_HOURS on the calendar's working days: no nights,
    weekends or statutory holidays, make-up working days counted) started at `start` run out,
    and whether that rests on a year the calendar does not know. A start outside office hours
    starts counting at the next opening."""
    if hours < 0:
        raise ValueError("a limit cannot be negative")
    calendar = calendar or current_calendar()
    tz = timezone.get_current_timezone()
    cursor = timezone.localtime(start, tz).replace(tzinfo=None)
    day, left = cursor.date(), timedelta(hours=hours)
    uncertain = not calendar.is_known_year(day.year)
    while True:
        if calendar.is_workday(day):
            for opens, closes in OFFICE_HOURS:
                begin, end = max(cursor, datetime.combine(day, opens)), datetime.combine(day, closes)
                if begin >= end:
                    continue
                if end - begin >= left:
                    return timezone.make_aware(begin + left, tz), uncertain
                left -= end - begin
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min)
        uncertain = uncertain or not calendar.is_known_year(day.year)


def start(case: Case, limit: Limit, at: datetime | None = None) -> None:
    at = at or timezone.now()
    case.deadline_unit, case.deadline_amount, case.deadline_started_at = limit.unit, limit.amount, at
    case.extended_amount = 0
    case.paused_at = None
    case.due_at, case.due_uncertain = due_after(at, limit)


def pause(case: Case, at: datetime | None = None) -> None:
    case.paused_at = at or timezone.now()


def resume(case: Case, at: datetime | None = None) -> None:
    """Push the deadline back by the time the case stood paused ("中止期间不计算在内").

    For working days, the days lost are the working days after the pause day up to and including
    the resume day: the resume day is a new start day, and a start day is not counted."""
    at = at or timezone.now()
    paused_at, case.paused_at = case.paused_at, None
    if paused_at is None or case.due_at is None:
        return
    if case.deadline_unit == DeadlineUnit.WORKING_DAYS:
        calendar = current_calendar()
        tz = timezone.get_current_timezone()
        lost = calendar.working_days_after_until(timezone.localtime(paused_at, tz).date(), timezone.localtime(at, tz).date())
        due_day, uncertain = calendar.add_working_days(timezone.localtime(case.due_at, tz).date(), lost)
        case.due_at, case.due_uncertain = _end_of(due_day, tz), case.due_uncertain or uncertain
        case.paused_working_days += lost
    else:
        case.due_at = case.due_at + (at - paused_at)
        case.paused_seconds += int((at - paused_at).total_seconds())


def extend(case: Case, amount: int) -> None:
    """Add `amount` more units of the case's own limit after its present deadline."""
    if case.due_at is None or not case.deadline_unit:
        raise ValueError("case has no running deadline")
    due, uncertain = due_after(case.due_at, Limit(amount, case.deadline_unit))
    case.due_at, case.due_uncertain = due, case.due_uncertain or uncertain
    case.extended_amount += amount


def recompute(case: Case) -> None:
    """The deadline worked out again from its start with today's calendar: the limit, extensions
    and time lost to pauses. Used when the county confirms a year the calendar did not know."""
    if case.deadline_started_at is None or not case.deadline_unit:
        return
    amount = case.deadline_amount + case.extended_amount
    if case.deadline_unit == DeadlineUnit.WORKING_DAYS:
        amount += case.paused_working_days
    due, uncertain = due_after(case.deadline_started_at, Limit(amount, case.deadline_unit))
    if case.deadline_unit != DeadlineUnit.WORKING_DAYS:
        due += timedelta(seconds=case.paused_seconds)
    case.due_at, case.due_uncertain = due, uncertain
