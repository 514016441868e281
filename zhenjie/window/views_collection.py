"""Changing how the applicant collects the result after filing (actions.delivery.change_collection):
the form on the application's sheet for the front desk, and on the citizen's own application page
for an online applicant. Thin: read for the user → action → back to the page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import get_visible_or_404
from zhenjie.workbench.views import staff_required

from . import queries
from .actions.delivery import change_collection, collection_form
from .portal_views import citizen_required, mine_page
from .views_decision import panel_context

DONE = "领取方式已更改"


def _change(request, application, *, online: bool):
    form = collection_form(application, request.POST, online=online)
    if form.is_valid():
        try:
            change_collection(request.user, application, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, DONE)
            return None
    return form


@staff_required
@require_POST
def change(request, case_id: int):
    application = queries.get_application_for(request.user, case_id)
    form = _change(request, application, online=False)
    if form is None:
        return redirect("window:detail", case_id)
    return render(request, "window/decision_sheet.html", panel_context(request.user, application, collection=form), status=400)


@citizen_required
@require_POST
def change_mine(request, case_id: int):
    application = get_visible_or_404(queries.citizen_applications(request.user), "application.not_found", "申请不存在", case_id=case_id)
    form = _change(request, application, online=True)
    if form is None:
        return redirect("window_public:mine", case_id)
    return mine_page(request, application, form, status=400)
