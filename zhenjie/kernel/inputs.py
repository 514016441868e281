"""What people type or send — a form, a JSON body, a phone's queued report — read in one place:
text within bounds, a choice, a whole number in a range, a moment that has passed, a date that has
happened. Ids are read by `ids.py`.

Each refuses with `Rejected` naming the field as the form shows it. Codes are stable (API clients
read them): `{code}.{field}_invalid | _required | _too_long | _future | _too_early`, where `code` is
the calling app's prefix (`grid`, `hall`, `topic` …); a moment's `code` is its whole prefix, since a
moment is often named apart from its field (a position's `at` is `grid.position_at`)."""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .errors import Rejected

CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead of the server's


def text(value, *, field: str, label: str, max_length: int | None, code: str, required: bool = False,
         required_message: str = "") -> str:  # fmt: skip
    """Stripped text ("" for None), or Rejected: not text (a number or a list sent over the API),
    missing when required, or longer than `max_length` characters."""
    if value is not None and not isinstance(value, str):
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为文本", field=field)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise Rejected(f"{code}.{field}_required", required_message or f"请填写{label}", field=field)
    if max_length is not None and len(cleaned) > max_length:
        raise Rejected(f"{code}.{field}_too_long", f"{label}不能超过{max_length}字(现有{len(cleaned)}字)", field=field)
    return cleaned


def choice(value, *, field: str, label: str, choices, code: str) -> str:
    """One of `choices` (values, or (value, label) pairs as Django's choices give them)."""
    allowed = {c[0] if isinstance(c, tuple) else c for c in choices}
    if isinstance(value, (list, dict)) or value not in allowed:  # a list or dict is no choice, and unhashable
        raise Rejected(f"{code}.{field}_invalid", f"请选择有效的{label}", field=field)
    return value


def integer(value, *, field: str, label: str, low: int, high: int, code: str, required: bool = True) -> int | None:
    """An int between low and high; digits in a string are read (forms and imports send text)."""
    if value in (None, ""):
        if required:
            raise Rejected(f"{code}.{field}_required", f"请填写{label}", field=field)
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()[:20])  # more digits than any bound: refused below, not parsed at length
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为{low}至{high}之间的整数", field=field)
    return value


def moment(value, *, field: str, label: str, code: str, earliest: datetime | None = None, early_code: str = "",
           early_message: str = "") -> datetime:  # fmt: skip
    """A moment that has passed (None means now; a phone's clock a little ahead is allowed), and
    not before `earliest` when given. A naive moment is read in the server's time zone."""
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


def past_date(value, *, field: str, label: str, code: str, earliest_years: int = 120) -> date:
    """A date that has happened (today allowed), and not absurdly long ago; a moment counts as its
    local day."""
    today = timezone.localdate()
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为日期", field=field)
    if value > today:
        raise Rejected(f"{code}.{field}_future", f"{label}不能晚于今天", field=field)
    if value < today - timedelta(days=366 * earliest_years):
        raise Rejected(f"{code}.{field}_too_early", f"{label}过早，请核对", field=field)
    return value


MONEY_MAX = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def money(value, *, field: str, label: str, code: str, minimum: Decimal = Decimal("0.01"), high: Decimal = MONEY_MAX,
          required: bool = True) -> Decimal | None:  # fmt: skip
    """An amount of yuan with at most two decimals, from a number or its text ("1200", "1200.50");
    a float is read through its text, never its binary value. Refuses the rest, and amounts below
    `minimum` or above `high` (at most what the column holds). Blank is None where not required."""
    if value in (None, "") and not required:
        return None
    if isinstance(value, bool) or value in (None, ""):
        raise Rejected(f"{code}.{field}_required", f"请填写{label}", field=field)
    if isinstance(value, (int, float, Decimal)):
        value = str(value)
    if not isinstance(value, str) or len(value.strip()) > 20:
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为金额(元，最多两位小数)", field=field)
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为金额(元，最多两位小数)", field=field) from None
    if not amount.is_finite():
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为金额(元，最多两位小数)", field=field)
    high = min(high, MONEY_MAX)
    if amount < minimum:
        least = "须为大于0的金额" if minimum == Decimal("0.01") else f"不能少于{minimum}元"
        raise Rejected(f"{code}.{field}_invalid", f"{label}{least}", field=field)
    if amount > high:
        raise Rejected(f"{code}.{field}_invalid", f"{label}不能超过{high}元", field=field)
    if amount != amount.quantize(Decimal("0.01")):  # checked after the bound: quantize fails on a huge exponent
        raise Rejected(f"{code}.{field}_invalid", f"{label}须为金额(元，最多两位小数)", field=field)
    return amount.quantize(Decimal("0.01"))
