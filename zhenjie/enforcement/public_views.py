"""执法公示, open without an account (行政处罚法 Arts. 39, 48): the penalty decisions published
and not withdrawn, newest first, by township; one decision; and each township's Art. 39 page —
the enforcing body, its officers, its powers from the power list in force, the procedures and the
remedies. Reads are publicity.py's; the party's name was masked when the text was published."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhenjie.lists.queries import get_public_township, public_townships
from zhenjie.workbench.paging import paginate, query_without_page

from . import publicity

CODE_MAX = 15


@require_GET
def decision_list(request):
    townships = list(public_townships())
    chosen = next((t for t in townships if t.code == request.GET.get("township", "")[:CODE_MAX]), None)
    page = paginate(request, publicity.public_decisions(chosen))
    return render(request, "enforcement/public/list.html", {"page": page, "townships": townships, "chosen": chosen,
                                                            "query": query_without_page(request)})  # fmt: skip


@require_GET
def decision(request, pk: int):
    return render(request, "enforcement/public/decision.html", {"publication": publicity.get_public_decision(pk)})


@require_GET
def body(request, code: str):
    township = get_public_township(code[:CODE_MAX])
    today = timezone.localdate()
    context = {
        "township": township,
        "powers": publicity.township_powers(township, today),
        "officers": publicity.township_officers(township, today),
        "today": today,
    }
    return render(request, "enforcement/public/body.html", context)
