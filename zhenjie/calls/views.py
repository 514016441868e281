"""乡呼县应 pages: the list (a department sees the calls it received, a township those it made),
with the department figures and an export, and the call sheet with the steps open to the viewer —
which post to the kit's one act view (calls/urls.py, kernel/PAGES.md). Calls are made from the
parent case's own page (events: the event sheet)."""

from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import render

from zhenjie.kernel import attachments, journal
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.workbench.kit import step_forms
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


def _event_of(parent):
    """The event a call is made on, for its details; None for a parent of another kind."""
    try:
        return parent.event
    except ObjectDoesNotExist:
        return None


def render_detail(request, call, forms=None, error=None, action=""):
    """The call sheet; after a refused step (kit.act), with the error, and under HTMX only its panel
    (HTMX swaps only 2xx answers, so a form with errors comes back as 200 with the panel). The
    steps are the transitions the viewer may take and the rating once the rule allows it."""
    case, parent = call.case, call.case.parent
    permitted = permitted_actions(request.user, case)
    context = {
        "call": call, "case": case, "parent": parent, "event": _event_of(parent), "state_label": CALL_WORKFLOW.state_label(case.state),
        "entries": journal.timeline(case), "error": error,
        "photos": attachments.photos_of(parent),
        "steps": step_forms(CALLS, [*permitted.transitions.values(), *permitted.actions.values()], forms),
    }
    template = "calls/_call_panel.html" if request.htmx and request.method == "POST" else "calls/call_detail.html"
    return render(request, template, context)


@staff_required
def call_detail(request, case_id: int):
    return render_detail(request, queries.get_call_for(request.user, case_id))
