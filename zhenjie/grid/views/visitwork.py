"""Visit tasks and referrals (issue 14 item 5): the inbox row's way to the visit form, and the
referral's page (its case, the visit it came from, the key person — as far as the viewer may see)."""

from django.shortcuts import redirect, render

from zhenjie.kernel import journal
from zhenjie.kernel.scoping import reach_of
from zhenjie.kernel.workflow import available_for
from zhenjie.workbench.kit import step_forms
from zhenjie.workbench.views import staff_required

from .. import queries
from ..jurisdiction import READERS, roles_in_grid
from ..kit import REFERRALS
from ..workflow import REFERRAL_WORKFLOW


@staff_required
def visit_task(request, case_id: int):
    """The inbox links here: an open task opens the person's visit form, a closed one their page."""
    task = queries.get_visit_task_for(request.user, case_id)
    if task.is_open:
        return redirect("grid:visit_new", task.key_person_id)
    return redirect("grid:key_person", task.key_person_id)


def render_referral(request, referral, forms=None, error=None, action=""):
    """The referral sheet. Everyone who sees the case reads the need; the unit it was referred to
    also whom to help (name, address); the visit's findings and the link to the ledger only those
    who read the grid's registers (grid/jurisdiction.py)."""
    case = referral.case
    reads_grid = bool(roles_in_grid(request.user, referral.key_person.grid) & READERS)
    context = {
        "referral": referral, "case": case, "state_label": REFERRAL_WORKFLOW.state_label(case.state),
        "entries": journal.entries_for_case(case), "steps": step_forms(REFERRALS, available_for(request.user, case), forms),
        "error": error, "reads_grid": reads_grid,
        # Whom to help (name, address): the grid's people and the unit it was referred to, no one else who sees the case.
        "sees_person": reads_grid or referral.unit_id in reach_of(request.user).unit_ids,
    }
    template = "grid/_referral_panel.html" if request.htmx and request.method == "POST" else "grid/referral_detail.html"
    return render(request, template, context)


@staff_required
def referral_detail(request, case_id: int):
    return render_referral(request, queries.get_referral_for(request.user, case_id))
