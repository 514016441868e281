"""执法统计: the figures page (figures.py) and its Excel export. A bad period or township
answers 400 with the reason in Chinese, the form kept."""

from django.shortcuts import render

from zhenjie.kernel import periods
from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import query_without_page
from zhenjie.workbench.views import staff_required

from . import figures as figures_of

TITLE = "综合执法统计"


def _workbook(found: figures_of.Figures):
    book = excel.columns_workbook("按权责事项", figures_of.COLUMNS, [*found.powers, found.total])
    sheet = excel.add_sheet(book, "审核听证移送罚没", ["统计项", "数值"], widths=[28, 16])
    for label, value in figures_of.summary_lines(found):
        excel.append(sheet, [label, value])
    return book


@staff_required
def figures(request):
    townships = figures_of.townships_for(request.user)
    context = {"townships": townships, "params": request.GET, "max_days": periods.MAX_DAYS,
               "result_labels": figures_of.RESULT_LABELS}
    try:
        chosen = figures_of.choose_from(request.user, request.GET)
    except ActionError as error:
        return render(request, "enforcement/figures.html", {**context, "error": error.message, "found": None}, status=error.status)
    found = figures_of.figures_for(request.user, chosen)
    if request.GET.get("format") == "xlsx":
        return excel.xlsx_response(TITLE, _workbook(found))
    context |= {"found": found, "choice": chosen, "query": query_without_page(request), "summary": figures_of.summary_lines(found)}
    return render(request, "enforcement/figures.html", context)
