import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils.functional import cached_property

from zhenjie.kernel.ids import parse_id

PER_PAGE_CHOICES = (20, 50, 100)

# Lists count no further than this. An exact count must check every visible row against the
# scoping rule: 2–3 s for a township dispatcher at a million events, on every page of every
# tab (docs/PERFORMANCE.md, "Events at 1,000,000"). Past it a list says "10000+" and offers the
# first 500 pages; nobody pages further, they filter (and the Excel export takes 100,000 rows).
COUNT_CAP = 10_000


def capped_count(rows, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): how many rows, counting no further than `cap` (COUNT_CAP). One query."""
    cap = cap or COUNT_CAP
    # A queryset counts at most cap + 1 rows; anything else (the Inbox) knows its own count.
    count = rows.order_by()[: cap + 1].count() if isinstance(rows, QuerySet) else rows.count()
    return min(count, cap), count > cap


def capped_count_of_parts(parts, cap: int | None = None) -> tuple[int, bool]:
    """capped_count over disjoint querysets (kernel.scoping.counting_parts), one after another,
    counting no further than `cap` (COUNT_CAP) in all: one query a part, fewer when the first
    parts fill it."""
    cap = cap or COUNT_CAP
    total = 0
    for part in parts:
        if total >= cap:
            return cap, part.exists()  # full: one more row anywhere means "+"
        found, capped = capped_count(part, cap - total)
        total += found
        if capped:
            return total, True
    return total, False


class CappedPaginator(Paginator):
    """Django's Paginator, whose count stops at `cap` rows; `capped` says whether it did."""

    def __init__(self, object_list, per_page, cap: int | None = None, known: tuple[int, bool] | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        if known is not None:  # (count, capped) the page has counted already, e.g. its tab's badge
            self.__dict__["_capped_count"] = known

    @cached_property
    def _capped_count(self) -> tuple[int, bool]:
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._capped_count[0]

    @property
    def capped(self) -> bool:
        return self._capped_count[1]


def paginate(request, rows, per_page: int = 20, known: tuple[int, bool] | None = None):
    """One page of rows (two queries: the capped count and the page; one when the count is
    `known`), page number from ?page=."""
    try:
        size = int(request.GET.get("size", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return CappedPaginator(rows, size, known=known).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---- keyset cursors: deeper pages without OFFSET --------------------------------------------
# A page after the first starts where the last one ended, by the list's own order: the index walk
# of the first page goes on from there instead of counting past every earlier row (OFFSET 10,000
# reads 10,000 rows). Lists ordered by columns that are never NULL — the case lists' report or
# opening time and id — take a cursor; the others page by number only.

CURSOR_MAX = 200  # characters: two values, base64
TIME_FIELDS = ("DateTimeField",)
ID_FIELDS = ("BigAutoField", "AutoField", "IntegerField", "BigIntegerField", "ForeignKey", "OneToOneField")


class CursorError(ValueError):
    """A cursor that this list did not give out (or that no longer fits its order)."""


@dataclass(frozen=True)
class _Term:
    lookup: str
    descending: bool
    is_time: bool  # else an id (or another whole number), bounded as ids are


def _order_terms(rows: QuerySet) -> list[_Term] | None:
    """Each ordering term of `rows`, when each names a non-null time or id column; else None
    (also for a list read otherwise than by one queryset, such as a queue merged from several
    index walks: it pages by number)."""
    if not isinstance(rows, QuerySet):
        return None
    terms = []
    for term in rows.query.order_by:
        if not isinstance(term, str):
            return None
        lookup = term.removeprefix("-")
        model, field = rows.model, None
        for part in lookup.split(LOOKUP_SEP):
            try:
                # A foreign key by its column ("case_id") is the key itself: compared as its id.
                field = model._meta.pk if part == "pk" else model._meta.get_field(part.removesuffix("_id"))
            except FieldDoesNotExist:
                return None
            if field.null:
                return None
            model = field.related_model or model
        kind = field.get_internal_type()
        if kind not in TIME_FIELDS + ID_FIELDS:
            return None
        terms.append(_Term(lookup, term.startswith("-"), kind in TIME_FIELDS))
    return terms or None


def _value_of(obj, lookup: str):
    for part in lookup.split(LOOKUP_SEP):
        obj = getattr(obj, part)
    return getattr(obj, "pk", obj)


def cursor_after(rows: QuerySet, obj) -> str | None:
    """The cursor that gives the rows after `obj` in `rows`' order; None for a list without one."""
    terms = _order_terms(rows)
    if terms is None:
        return None
    values = [_value_of(obj, term.lookup) for term in terms]
    encoded = [value.isoformat() if term.is_time else value for term, value in zip(terms, values, strict=True)]
    return base64.urlsafe_b64encode(json.dumps(encoded, separators=(",", ":")).encode()).decode().rstrip("=")


def _parsed(term: _Term, value):
    """The cursor's value for `term` as its column holds it, or CursorError."""
    if not term.is_time:
        number = parse_id(value) if isinstance(value, int) else None
        if number is None:
            raise CursorError(value)
        return number
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CursorError(value)
    return moment


def rows_after(rows: QuerySet, cursor: str) -> QuerySet:
    """`rows` after the row the cursor names, in their order: (a < x) or (a = x and b < y) …,
    each comparison the way its term orders. Raises CursorError for any cursor it did not give."""
    terms = _order_terms(rows)
    if terms is None or len(cursor) > CURSOR_MAX:
        raise CursorError(cursor)
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise CursorError(cursor) from None
    if not isinstance(values, list) or len(values) != len(terms):
        raise CursorError(cursor)
    condition, equal = Q(pk__in=[]), Q()
    for term, value in zip(terms, values, strict=True):
        value = _parsed(term, value)
        condition |= equal & Q(**{f"{term.lookup}__{'lt' if term.descending else 'gt'}": value})
        equal &= Q(**{term.lookup: value})
    return rows.filter(condition)
