"""Transfers' pages under /enforcement/transfers/ (namespace `enforcement_transfers`): the list
(the team's both ways; a department's those it sent or was sent; Excel), and a department's
transfer to a township's team. The steps on a case are the kit's act view on the case page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import queries_transfers
from .actions.transfers import IncomingTransfer, receive_transfer, sending_department
from .forms_transfers import IncomingForm
from .models import Answer, Direction


def _department(user):
    try:
        return sending_department(user)
    except ActionError:
        return None


@staff_required
def transfer_list(request):
    direction, answer = request.GET.get("direction", ""), request.GET.get("answer", "")
    rows = queries_transfers.filtered(queries_transfers.transfers_for(request.user), direction, answer)
    if request.GET.get("format") == "xlsx":
        return excel.export("案件移送", queries_transfers.COLUMNS, rows)
    return render(request, "enforcement/transfers/transfer_list.html", {
        "page": paginate(request, rows), "direction": direction, "answer": answer, "directions": Direction.choices,
        "answers": Answer.choices, "query": query_without_page(request), "can_send": _department(request.user) is not None,
        "now": timezone.now(),
    })  # fmt: skip


@staff_required
def transfer_new(request):
    """部门移送: a department's liaison sends a case to a township's team."""
    department = _department(request.user)
    if department is None:
        raise PermissionDenied("只有县直部门的联络员可以向乡镇(街道)移送案件")
    county = Area.objects.get(path=county_path(department.area.path))
    form = IncomingForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enforcement = receive_transfer(request.user, IncomingTransfer(**data))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已移送：{enforcement.case.number}")
            return redirect("enforcement:detail", enforcement.case_id)
    return render(request, "enforcement/transfers/transfer_form.html", {"form": form, "department": department})
