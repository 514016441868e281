"""When a service centre's hall is open on a day: the centre's own calendar read against the
national one (kernel.calendar: statutory holidays and make-up working days).

Seed 002 §三(三) 错时服务、节假日轮班: the centre keeps its weekday hours, with staggered ones
(lunch-time, Saturday morning) as rows of their own; on a national holiday it opens only for the
holiday rota (HolidayDuty). A make-up working day (调休上班) is a working day: it keeps Monday's
regular hours, since the State Council's notice makes it a full working day."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.errors import Rejected

from .models import HolidayDuty, OpeningHours

MONDAY = 0


@dataclass(frozen=True)
class Stretch:
    opens: time
    closes: time
    note: str = ""  # 错时服务 / 节假日值班

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}" + (f"({self.note})" if self.note else "")


@dataclass(frozen=True)
class DayHours:
    day: date
    stretches: tuple[Stretch, ...]
    holiday: str = ""  # the national calendar's name for the day, if any

    def is_open_at(self, moment: time) -> bool:
        return any(s.opens <= moment < s.closes for s in self.stretches)

    def covers(self, starts: time, ends: time) -> bool:
        return any(s.opens <= starts and ends <= s.closes for s in self.stretches)

    def describe(self) -> str:
        label = f"{self.day:%m月%d日}" + (f"({self.holiday})" if self.holiday else "")
        if not self.stretches:
            return f"{label}不办公"
        return f"{label}办公时间：" + "、".join(str(s) for s in self.stretches)


def hours_on(centre_id: int, day: date) -> DayHours:
    """The stretches the hall is open on `day`: two queries at most."""
    calendar = current_calendar()
    name = calendar.day_name(day)
    if not calendar.is_workday(day) and name:
        # A statutory holiday: only the rota opens the hall (节假日轮班).
        duties = HolidayDuty.objects.filter(centre_id=centre_id, day=day).order_by("opens")
        stretches = sorted({Stretch(d.opens, d.closes, "节假日值班") for d in duties}, key=lambda s: s.opens)
        return DayHours(day, tuple(stretches), name)
    weekday = MONDAY if calendar.is_workday(day) and day.weekday() >= 5 else day.weekday()
    rows = OpeningHours.objects.filter(centre_id=centre_id, weekday=weekday).order_by("opens")
    if weekday != day.weekday():
        rows = rows.filter(staggered=False)
    return DayHours(day, tuple(Stretch(r.opens, r.closes, "错时服务" if r.staggered else "") for r in rows), name)


def require_open(centre_id: int, at: datetime) -> DayHours:
    """Refuse, with the day's hours in the message, a number or a check-in outside them."""
    local = timezone.localtime(at)
    hours = hours_on(centre_id, local.date())
    if not hours.is_open_at(local.time()):
        raise Rejected("hall.closed", f"当前不在办公时间。{hours.describe()}")
    return hours


class WeekdayConverter:
    """`<weekday:weekday>` in a URL: Monday 0 … Sunday 6, as `date.weekday()`; anything else is no
    match (404) — the bounded form every number in a path takes (kernel/ids.py)."""

    regex = "[0-6]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
