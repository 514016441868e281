from django.core.paginator import Paginator

PER_PAGE_CHOICES = (20, 50, 100)


def paginate(request, rows, per_page: int = 20):
    """One page of rows (two queries: the count and the page), page number from ?page=."""
    try:
        size = int(request.GET.get("size", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return Paginator(rows, size).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
