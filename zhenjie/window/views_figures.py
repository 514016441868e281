"""The window's figures page (办件统计, window/figures.py) and its Excel export. Bad filter values
answer 400 with the reason in Chinese, the form kept."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from zhenjie.kernel import periods
from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import query_without_page
from zhenjie.workbench.views import staff_required

from . import figures as figures_of

# The application list each count links to (it narrows its rows by figures.applications_matching);
# until the list is there, the counts are shown without links.
LIST_URL_NAME = "window:home"


def _list_url() -> str:
    try:
        return reverse(LIST_URL_NAME)
    except NoReverseMatch:
        return ""


@staff_required
def figures(request):
    try:
        chosen = figures_of.choose_from(request.user, request.GET)
    except ActionError as error:
        context = {"error": error.message, "params": request.GET, "found": None, "max_days": periods.MAX_DAYS}
        return render(request, "window/figures.html", context, status=error.status)
    found = figures_of.figures(request.user, chosen)
    if request.GET.get("format") == "xlsx":
        return excel.export("便民服务办件统计", figures_of.COLUMNS, [found.total, *found.items, *found.units])
    context = {"found": found, "choice": chosen, "params": request.GET, "query": query_without_page(request), "list_url": _list_url(),
               "max_days": periods.MAX_DAYS}
    return render(request, "window/figures.html", context)
