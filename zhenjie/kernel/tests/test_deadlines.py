"""Working-day deadlines across the 2026 holidays (shared/reference/holidays.md) and the counting
rules of statutory-deadlines.md §0."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel import deadlines
from zhenjie.kernel.calendar import WorkCalendar, current_calendar, forget_calendar
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.models import CalendarDay, CalendarYear, Case, DeadlineUnit

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day).replace(hour=hour))


def due_day(start: str, amount: int, unit: str = DeadlineUnit.WORKING_DAYS) -> tuple[date, bool]:
    due, uncertain = due_after(at(start), Limit(amount, unit))
    return timezone.localtime(due).date(), uncertain


@pytest.mark.parametrize(
    "start, amount, expected",
    [
        ("2026-09-21", 20, "2026-10-26"),  # worked example: crosses 中秋 and 国庆, make-up day 10-10 counts
        ("2026-01-30", 20, "2026-03-05"),  # worked example: crosses 春节 2026-02-15…23, make-up 02-14 and 02-28
        ("2026-09-21", 5, "2026-09-29"),  # make-up day 09-20 is before the start and does not count
    ],
)
def test_worked_examples_from_the_reference(start, amount, expected):
    assert due_day(start, amount) == (date.fromisoformat(expected), False)


def test_spring_festival_days_off_are_skipped_and_make_up_saturdays_count():
    # Friday 2026-02-13 + 1 working day: Saturday 02-14 is a make-up working day.
    assert due_day("2026-02-13", 1)[0] == date(2026, 2, 14)
    # From 02-14 + 1: 02-15 … 02-23 are days off, so the next working day is Tuesday 02-24.
    assert due_day("2026-02-14", 1)[0] == date(2026, 2, 24)
    # Saturday 2026-02-28 is a make-up working day.
    assert due_day("2026-02-27", 1)[0] == date(2026, 2, 28)


def test_national_day_week_is_skipped_and_its_make_up_days_count():
    # Sunday 2026-09-20 is a working day (调休).
    assert due_day("2026-09-19", 1)[0] == date(2026, 9, 20)
    # 09-25…27 中秋 and 10-01…07 国庆 are days off; 10-10 (Saturday) is a working day.
    assert due_day("2026-09-30", 1)[0] == date(2026, 10, 8)
    assert due_day("2026-10-09", 1)[0] == date(2026, 10, 10)


def test_the_deadline_ends_at_the_end_of_its_last_day():
    due, _ = due_after(at("2026-09-21", 16), Limit(5))
    local = timezone.localtime(due)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_a_deadline_reaching_into_a_year_the_calendar_does_not_know_is_flagged():
    day, uncertain = due_day("2026-12-28", 10)
    assert uncertain is True
    # Weekends still rest in an unknown year: 2026-12-29 … counting 10 weekdays.
    assert day == date(2027, 1, 11)
    assert due_day("2026-12-01", 5)[1] is False


def test_county_entries_for_an_unknown_year_count_and_confirming_the_year_clears_the_flag():
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    forget_calendar()
    day, uncertain = due_day("2026-12-31", 1)
    assert day == date(2027, 1, 4) and uncertain is True
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    forget_calendar()
    assert due_day("2026-12-31", 1) == (date(2027, 1, 4), False)


def test_natural_days_ending_on_a_rest_day_move_to_the_next_working_day():
    # 2026-09-21 + 10 natural days = 10-01, a holiday: ends on the next working day, 10-08.
    assert due_day("2026-09-21", 10, DeadlineUnit.NATURAL_DAYS)[0] == date(2026, 10, 8)
    assert due_day("2026-09-21", 3, DeadlineUnit.NATURAL_DAYS)[0] == date(2026, 9, 24)


def test_hours_run_around_the_clock():
    due, uncertain = due_after(at("2026-10-01", 9), Limit(36, DeadlineUnit.HOURS))
    assert due == at("2026-10-02", 21) and uncertain is False


def test_pausing_and_resuming_adds_the_working_days_lost(world):
    case = Case(kind="task", title="t", state="x", area=world.a)
    deadlines.start(case, Limit(5), at("2026-09-21"))
    assert timezone.localtime(case.due_at).date() == date(2026, 9, 29)
    deadlines.pause(case, at("2026-09-22"))
    # Resumed on Thursday 09-24: Wednesday 09-23 and Thursday 09-24 are lost (the resume day is a new start day).
    deadlines.resume(case, at("2026-09-24"))
    assert timezone.localtime(case.due_at).date() == date(2026, 10, 8)
    assert case.paused_at is None


def test_pausing_a_natural_day_deadline_adds_the_time_paused(world):
    case = Case(kind="task", title="t", state="x", area=world.a)
    deadlines.start(case, Limit(48, DeadlineUnit.HOURS), at("2026-11-02", 9))
    deadlines.pause(case, at("2026-11-02", 12))
    deadlines.resume(case, at("2026-11-03", 12))
    assert case.due_at == at("2026-11-05", 9)


def test_extension_adds_units_of_the_same_kind_after_the_present_deadline(world):
    case = Case(kind="task", title="t", state="x", area=world.a)
    deadlines.start(case, Limit(20), at("2026-09-21"))
    deadlines.extend(case, 10)  # 行政许可法 Art. 42: +10 days with approval
    assert timezone.localtime(case.due_at).date() == date(2026, 11, 9)
    assert case.extended_amount == 10


def test_the_calendar_package_matches_the_2026_notice_day_by_day():
    calendar = WorkCalendar()
    days_off = {date(2026, 1, 1) + timedelta(days=i) for i in range(365)} - {
        d for d in (date(2026, 1, 1) + timedelta(days=i) for i in range(365)) if calendar.is_workday(d)
    }
    # shared/reference/holidays.md: 248 working days in 2026.
    assert 365 - len(days_off) == 248
    for make_up in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]:
        assert calendar.is_workday(date.fromisoformat(make_up))


def test_current_calendar_is_cached_and_forgotten_on_request():
    first = current_calendar()
    assert current_calendar() is first
    forget_calendar()
    assert current_calendar() is not first
