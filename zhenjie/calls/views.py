"""乡呼县应 pages: the list (a department sees the calls it received, a township those it made),
with the department figures and an export, and the call sheet with the actions open to the viewer.
Calls are made from the parent case's own page (events: the event sheet)."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.events.forms import RatingForm, ReasonForm, ResultForm
from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.models import Attachment
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, queries
from .kit import CALLS
from .workflow import CALL_WORKFLOW


@staff_required
def call_list(request):
    rows = queries.calls_for(request.user)
    state = request.GET.get("state", "")
    if state in CALL_WORKFLOW.states:
        rows = rows.filter(case__state=state)
    if request.GET.get("format") == "xlsx":
        return CALLS.export(request.user, rows)
    page = paginate(request, rows)
    figures = list(actions.department_figures(queries.calls_for(request.user).order_by()))
    context = {"page": page, "states": CALL_WORKFLOW.states, "state": state, "figures": figures, "workflow": CALL_WORKFLOW, "query": query_without_page(request)}
    return render(request, "calls/call_list.html", context)


def _get_call(request, case_id):
    try:
        return queries.get_call_for(request.user, case_id)
    except NotFound:
        raise Http404("呼叫不存在或不在您的辖区内") from None


def _event_of(parent):
    """The event a call is made on, for its details; None for a parent of another kind."""
    try:
        return parent.event
    except ObjectDoesNotExist:
        return None


def _call_context(request, call, **forms):
    permitted = permitted_actions(request.user, call.case)
    parent = call.case.parent
    return {
        "call": call, "case": call.case, "parent": parent, "event": _event_of(parent), "state_label": CALL_WORKFLOW.state_label(call.case.state),
        "transitions": permitted.transitions, "may": permitted.actions, "entries": journal.entries_for_case(call.case),
        "photos": Attachment.objects.filter(case=parent, purpose="photo").select_related("blob").order_by("uploaded_at"),
        "result_form": forms.get("result_form") or ResultForm(), "reason_form": forms.get("reason_form") or ReasonForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
        "error": forms.get("error"),
    }


@staff_required
def call_detail(request, case_id: int):
    call = _get_call(request, case_id)
    return render(request, "calls/call_detail.html", _call_context(request, call))


@require_POST
@staff_required
def call_act(request, case_id: int, action: str):
    call = _get_call(request, case_id)
    user, forms = request.user, {}
    try:
        match action:
            case "acknowledge":
                actions.acknowledge_call(user, call)
            case "confirm":
                actions.confirm_call(user, call)
            case "report_back":
                form = forms["result_form"] = ResultForm(request.POST, request.FILES)
                if form.is_valid():
                    actions.report_call(user, call, form.cleaned_data["result"])
            case "reject" | "withdraw":
                form = forms["reason_form"] = ReasonForm(request.POST)
                if form.is_valid():
                    (actions.reject_call if action == "reject" else actions.withdraw_call)(user, call, form.cleaned_data["reason"])
            case "rate":
                form = forms["rating_form"] = RatingForm(request.POST)
                if form.is_valid():
                    actions.rate_call(user, call, form.cleaned_data["rating"], form.cleaned_data["comment"])
            case _:
                raise Http404("不支持的操作")
    except ActionError as error:
        forms["error"] = error.message
    if not forms.get("error") and not any(getattr(f, "errors", None) for f in forms.values() if not isinstance(f, str)):
        messages.success(request, "操作成功")
        return redirect("calls:detail", case_id)
    return render(request, "calls/call_detail.html", _call_context(request, _get_call(request, case_id), **forms))
