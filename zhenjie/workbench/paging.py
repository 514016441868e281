from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

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


def capped_count_of_parts(parts, cap: int) -> tuple[int, bool]:
    """capped_count over disjoint querysets (kernel.scoping.counting_parts), one after another,
    counting no further than `cap` in all: one query a part, fewer when the first parts fill it."""
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
