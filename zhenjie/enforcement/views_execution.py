"""The case page's panel of service, execution and publicity (its forms post to the kit's act
view, kit_execution.py), and the county's 执法设置 page. Thin: reads through execution_status and
the publication row; what a person may do is the workflow's rules (permitted_actions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from zhenjie.kernel.county_settings import NOT_COUNTY_ADMIN
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import administered_county
from zhenjie.kernel.workflow import Permitted, permitted_actions
from zhenjie.workbench.views import staff_required

from . import forms_execution as f
from . import policy
from .execution_status import status_of
from .forms_execution import CourtResultForm, ReminderStatementForm
from .models import Publication, Reminder, ServiceConsent
from .publicity import publication_overdue
from .workflow import State

PANEL_FORMS = {  # step → (the rule that shows it, its form)
    "record_service_consent": ("record_service_consent", f.ConsentForm),
    "record_payment": ("execute", f.PaymentForm),
    "approve_payment_plan": ("approve_payment_plan", f.PlanForm),
    "remind": ("remind", f.ReminderForm),
    "apply_to_court": ("execute", f.CourtForm),
    "mark_social_impact": ("publish", f.ImpactForm),
    "publish": ("publish", f.PublishForm),
    "withdraw_publication": ("withdraw_publication", f.WithdrawForm),
}
SHOWN_FROM = frozenset({State.DECIDED, State.EXECUTING, State.CLOSED, State.TERMINATED})


def execution_panel(user, enforcement, bound: dict | None = None, permitted: Permitted | None = None) -> dict:
    """What the case page's 送达执行 and 执法公示 cards show; nothing before the decision.
    `permitted`: what the user may do, when the page has already weighed it."""
    case = enforcement.case
    if case.state not in SHOWN_FROM:
        return {"execution": None}
    bound = bound or {}
    if permitted is None:
        permitted = permitted_actions(user, case)
    status = status_of(enforcement)
    publication = Publication.objects.filter(enforcement=enforcement).first()
    forms = {}
    for step, (rule, form_class) in PANEL_FORMS.items():
        if rule in permitted:
            forms[step] = bound.get(step) or form_class()
    if publication is None or publication.published_at is not None or not publication.social_impact:
        forms.pop("publish", None)
    if publication is None or publication.published_at is not None:
        forms.pop("mark_social_impact", None)
    if publication is None or publication.published_at is None or publication.withdrawn_at is not None:
        forms.pop("withdraw_publication", None)
    if not enforcement.fine_amount:
        for step in ("record_payment", "approve_payment_plan", "remind", "apply_to_court"):
            forms.pop(step, None)
    pending = [a for a in status.court_applications if a.result == "pending"]
    result_form = None
    if pending and "execute" in permitted:
        result_form = bound.get("record_court_result") or CourtResultForm(initial={"application": pending[-1].pk})
    reminders = list(Reminder.objects.filter(enforcement=enforcement).select_related("document").order_by("served_on", "pk"))
    unanswered = [r for r in reminders if r.statement_recorded_at is None]
    statement_form = None
    if unanswered and "remind" in permitted:  # Art. 36: what the party says after the 催告, recorded and answered
        statement_form = bound.get("record_reminder_statement") or ReminderStatementForm(initial={"reminder": unanswered[-1].pk})
    return {
        "execution": status, "publication": publication, "execution_forms": forms, "court_result_form": result_form,
        "reminders": reminders, "reminder_statement_form": statement_form,
        "publication_overdue": publication_overdue(publication),
        "consent": ServiceConsent.objects.filter(enforcement=enforcement).first(),
    }  # fmt: skip


@staff_required
def enforcement_settings(request):
    county = administered_county(request.user)
    if county is None:
        raise PermissionDenied(NOT_COUNTY_ADMIN[1])
    current = policy.policy_for(county)
    form = f.PolicyForm(
        request.POST or None, initial={"version": current.version or 1, **{k: getattr(current, k) for k in policy.LIMITS}}
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            policy.update_enforcement_policy(request.user, version=version if current.pk else None, **values)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "执法设置已保存")
            return redirect("enforcement:settings")
    return render(request, "enforcement/settings.html", {"form": form, "county": county}, status=400 if form.errors else 200)
