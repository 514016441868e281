"""Input checks every grid action shares: text lengths, dates, and the journal line each change
writes. Messages name the field as the form shows it."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Rejected


def text(value, *, field: str, label: str, max_length: int, required: bool = False, code: str = "grid") -> str:
    """Stripped text, or Rejected naming the field: missing when required, or too long."""
    if value is not None and not isinstance(value, str):
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为文本", field=field)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise Rejected(f"{code}.{field}_required", f"请填写{label}", field=field)
    if len(cleaned) > max_length:
        raise Rejected(f"{code}.{field}_too_long", f"{label}不能超过{max_length}字(现有{len(cleaned)}字)", field=field)
    return cleaned


def choice(value, *, field: str, label: str, choices, code: str = "grid") -> str:
    allowed = {c[0] if isinstance(c, tuple) else c for c in choices}
    if value not in allowed:
        raise Rejected(f"{code}.{field}_invalid", f"请选择有效的{label}", field=field)
    return value


CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead of the server's


def moment(value, *, field: str, label: str, code: str, earliest: datetime | None = None, early_code: str = "", early_message: str = "") -> datetime:
    """A moment that has passed (None means now), and not before `earliest` when given."""
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, datetime):
        raise Rejected(f"{code}_invalid", f"{label}格式不正确", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise Rejected(f"{code}_future", f"{label}不能晚于现在", field=field)
    if earliest is not None and value < earliest:
        raise Rejected(early_code or f"{code}_too_early", early_message or f"{label}过早", field=field)
    return value


def integer(value, *, field: str, label: str, low: int, high: int, required: bool = True) -> int | None:
    """An int between low and high; digits in a string are read (forms and imports send text)."""
    if value in (None, ""):
        if required:
            raise Rejected(f"grid.{field}_required", f"请填写{label}", field=field)
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected(f"grid.{field}_invalid", f"{label}须为{low}至{high}之间的整数", field=field)
    return value


def past_date(value, *, field: str, label: str, earliest_years: int = 120) -> date:
    """A date that has happened (today allowed), and not absurdly long ago."""
    today = timezone.localdate()
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        raise Rejected(f"grid.{field}_invalid", f"{label}须为日期", field=field)
    if value > today:
        raise Rejected(f"grid.{field}_future", f"{label}不能晚于今天", field=field)
    if value < today - timedelta(days=366 * earliest_years):
        raise Rejected(f"grid.{field}_too_early", f"{label}过早，请核对", field=field)
    return value


def record(actor, grid: Area, verb: str, subject: str, summary: str, data: dict | None = None):
    """One journal line in the grid's township chain. Never put personal data in `data`: the
    journal is append-only and cannot be corrected or erased later."""
    return journal.record(actor=actor, verb=verb, subject=subject, chain=township_path(grid.path), summary=summary, data=data)
