"""A figures page's period (统计期间): the from/to dates a user types, checked once for every
analysis page and its API — a day as YYYY-MM-DD between 2000 and 2099, from not after to, at most
`max_days` long, a missing end today and a missing start `default_days` before it. Refusals are
`Rejected` in Chinese naming the field, with the caller's code prefix (`quality.…`, `window_figures.…`).
See PAGES.md beside this file ("A period")."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .errors import Rejected

# Every figures page's bounds (PAGES.md "A period"): at most a year and a day — a leap year's
# whole year — so a figure never reads more than a year of a county's cases; the last 30 days
# when the page is opened without dates.
MAX_DAYS = 366
DEFAULT_DAYS = 30


def midnight(day: date) -> datetime:
    """The local start of `day`, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_from(raw, field: str, label: str, prefix: str) -> date | None:
    """`raw` as a date (a date passes through; empty text is None), else Rejected."""
    if raw is None or isinstance(raw, date):
        return raw
    raw = str(raw).strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        value = None
    if value is None or not 2000 <= value.year <= 2099:
        raise Rejected(f"{prefix}.{field}_invalid", f"{label}「{raw[:20]}」无效，请按YYYY-MM-DD填写2000至2099年的日期", field=field)
    return value


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None

    @property
    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as times, either None when open."""
        return (midnight(self.start) if self.start else None, midnight(self.end + timedelta(days=1)) if self.end else None)


def period(start, end, *, prefix: str, max_days: int = MAX_DAYS, default_days: int | None = None) -> Period:
    """The period checked: dates as `date` or text (the `from` and `to` fields). With
    `default_days`, a missing end is today and a missing start that many days before the end
    (inclusive); without, either end may stay open."""
    start = day_from(start, "from", "起始日期", prefix)
    end = day_from(end, "to", "截止日期", prefix)
    if default_days is not None:
        end = end or timezone.localdate()
        start = start or end - timedelta(days=default_days - 1)
    if start and end:
        if start > end:
            raise Rejected(f"{prefix}.period_reversed", "起始日期不能晚于截止日期", field="from")
        if (end - start).days + 1 > max_days:
            raise Rejected(f"{prefix}.period_too_long", f"统计期间不能超过{max_days}天", field="to")
    return Period(start, end)
