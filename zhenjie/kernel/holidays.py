"""Changes to the working-day calendar, by the county administrator.

The package knows the years the State Council has announced; for a newer year the county enters
the notice's days off and make-up days, then confirms the year. Confirming re-dates the deadlines
that were flagged uncertain for that year (a job, after commit)."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone


from . import deadlines, journal
from .calendar import current_calendar, forget_calendar
from .errors import Conflict, Rejected
from .models import Assignment, CalendarDay, CalendarYear, Case
from .scoping import administered_county, unscoped

NAME_MAX = 32


def _require_county_admin(actor) -> None:
    # The calendar is the deployment's, not one county's: any county administrator keeps it.
    administered_county(actor, refuse=("calendar.not_allowed", "只有县级管理员可以维护节假日安排"))


def _check_day(day) -> date:
    if not isinstance(day, date):
        raise Rejected("calendar.date_invalid", "请填写正确的日期", field="date")
    if not 2000 <= day.year <= 2099:
        raise Rejected("calendar.date_out_of_range", "日期须在2000年至2099年之间", field="date")
    return day


@transaction.atomic
def set_calendar_day(actor, day: date, kind: str, name: str = "") -> CalendarDay:
    """Mark a day as a holiday or a make-up working day (replacing an earlier entry)."""
    _require_county_admin(actor)
    day = _check_day(day)
    if kind not in CalendarDay.Kind.values:
        raise Rejected("calendar.kind_invalid", "请选择休息日或调休上班日", field="kind")
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise Rejected("calendar.name_too_long", f"名称不能超过{NAME_MAX}字", field="name")
    is_weekend = day.weekday() >= 5
    if kind == CalendarDay.Kind.WORKDAY and not is_weekend and not current_calendar().day_name(day):
        raise Rejected("calendar.workday_on_weekday", "工作日本来就上班，只有周末才需要登记为调休上班日", field="date")
    entry, created = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name, "updated_by": actor})
    journal.record(
        actor=actor, verb="calendar.set", subject=f"calendar:{day.isoformat()}",
        summary=f"{day:%Y-%m-%d} 设为{entry.get_kind_display()}{('（' + name + '）') if name else ''}",
        data={"date": day.isoformat(), "kind": kind, "name": name, "created": created},
    )
    forget_calendar()
    transaction.on_commit(forget_calendar)
    return entry


@transaction.atomic
def remove_calendar_day(actor, day: date) -> None:
    _require_county_admin(actor)
    deleted, _ = CalendarDay.objects.filter(date=day).delete()
    if not deleted:
        raise Conflict("calendar.not_found", "该日期没有登记调整")
    journal.record(actor=actor, verb="calendar.remove", subject=f"calendar:{day.isoformat()}", summary=f"撤销 {day:%Y-%m-%d} 的调整")
    forget_calendar()
    transaction.on_commit(forget_calendar)


@transaction.atomic
def confirm_calendar_year(actor, year: int, source: str) -> CalendarYear:
    """The county has entered the whole notice for `year`: deadlines there are no longer uncertain."""
    _require_county_admin(actor)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise Rejected("calendar.year_invalid", "年度须在2000至2099之间", field="year")
    source = (source or "").strip()
    if not source or len(source) > 200:
        raise Rejected("calendar.source_required", "请填写依据(通知名称及文号)，不超过200字", field="source")
    if current_calendar().is_known_year(year):
        raise Conflict("calendar.year_known", f"{year}年的节假日安排已确认", field="year")
    holidays = CalendarDay.objects.filter(date__year=year, kind=CalendarDay.Kind.HOLIDAY).count()
    if holidays == 0:
        raise Rejected("calendar.year_empty", f"尚未登记{year}年的任何节假日，请先按通知逐日登记", field="year")
    confirmed = CalendarYear.objects.create(year=year, source=source, confirmed_by=actor)
    journal.record(actor=actor, verb="calendar.confirm_year", summary=f"确认{year}年节假日安排", data={"year": year, "source": source})
    forget_calendar()
    transaction.on_commit(forget_calendar)
    transaction.on_commit(lambda: _redate_later(year))
    return confirmed


def _redate_later(year: int) -> None:
    from .jobs import redate_uncertain_deadlines

    redate_uncertain_deadlines(year)


def redate_open_deadlines(year: int) -> int:
    """Recompute every open case (and its open assignments) whose uncertain deadline reaches `year`."""
    start = timezone.make_aware(datetime(year, 1, 1))
    cases = unscoped(Case, why="a new year's calendar moves every uncertain deadline, whoever's").filter(
        closed_at__isnull=True, due_uncertain=True, due_at__gte=start
    )
    changed = 0
    for case in cases.iterator(chunk_size=500):
        with transaction.atomic():
            old = case.due_at
            deadlines.recompute(case)
            if Case.objects.filter(pk=case.pk, due_at=old).update(due_at=case.due_at, due_uncertain=case.due_uncertain):
                Assignment.objects.filter(case=case, state=Assignment.State.OPEN, due_at=old).update(
                    due_at=case.due_at, due_uncertain=case.due_uncertain
                )
                changed += 1
    return changed
