"""Pages of the decision and the hand-over (the panel of the application's sheet), the county's
window settings and the applicant's rating on the portal. Thin: parse → read for the user →
action → render; every rule is the action's."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhenjie.kernel.throttle import allow
from zhenjie.accounts.login import client_address
from zhenjie.kernel.county_settings import NOT_COUNTY_ADMIN
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import Assignment, Document
from zhenjie.kernel.scoping import administered_county
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.workbench.views import staff_required

from . import joint, policy, rating
from .actions import joint as joint_actions
from .queries import get_application_for
from .actions.decision import approve_application, refuse_application
from .actions.delivery import collection_form, collection_text, default_method, deliver_application
from .decision_papers import APPROVAL, HANDOVER_SLIP, REFUSAL
from .forms_decision import DecideForm, DecideJointForm, HandOverForm, OpinionForm, RateByCodeForm, WindowPolicyForm
from .models import Application, Handover, Opinion
from .workflow import APPLICATION_WORKFLOW

PAPERS = (APPROVAL, REFUSAL, HANDOVER_SLIP)


def panel_context(user, application: Application, decide_form=None, hand_over_form=None, opinion_form=None, *, papers=True,
                  collection=None) -> dict:
    """What the decision panel shows: the decision, its papers, the hand-over and its due date,
    a joint item's units and opinions, how the applicant collects the result, and the forms the
    user may use now (a fixed number of
    queries). `papers=False` on the application's sheet, whose documents card lists them already."""
    case = application.case
    permitted = permitted_actions(user, case)
    deliver_work = Assignment.objects.filter(case=case, todo="deliver").order_by("-pk").first()
    routes = joint.routes_of(application)
    is_joint = joint.is_joint(routes)
    decide_form_class = DecideJointForm if is_joint else DecideForm
    return {
        "joint_rows": _joint_rows(application, routes) if is_joint else [],
        "opinion_form": (opinion_form or OpinionForm()) if "co_decide" in permitted else None,
        "application": application, "case": case, "state_label": APPLICATION_WORKFLOW.state_label(case.state),
        "papers": list(Document.objects.filter(case=case, kind__in=PAPERS).order_by("pk")) if papers else [],
        "handover": Handover.objects.filter(application=application).select_related("handed_over_by").first(),
        "deliver_work": deliver_work,
        "decide_form": (decide_form or decide_form_class()) if ("approve" in permitted or "refuse" in permitted) else None,
        "hand_over_form": (hand_over_form or HandOverForm(initial={"method": default_method(application)})) if "deliver" in permitted else None,
        "collection": collection_text(application),
        "collection_form": (collection or collection_form(application)) if "change_collection" in permitted else None,
    }  # fmt: skip


def _joint_rows(application: Application, routes) -> list[dict]:
    opinions = {o.unit_id: o for o in Opinion.objects.filter(application=application)}
    return [{"route": route, "opinion": opinions.get(route.unit_id)} for route in routes]


@staff_required
def decision_sheet(request, case_id: int):
    application = get_application_for(request.user, case_id)
    return render(request, "window/decision_sheet.html", panel_context(request.user, application))


@staff_required
@require_POST
def decide(request, case_id: int):
    application = get_application_for(request.user, case_id)
    form = (DecideJointForm if joint.is_joint(joint.routes_of(application)) else DecideForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                approve_application(request.user, application, opinion=data["text"], overruling=data.get("overruling", ""))
            else:
                refuse_application(request.user, application, data["text"])
        except ActionError as error:
            form.add_action_error(_on_text(error), request)
        else:
            messages.success(request, "已作出决定，决定书已出具")
            return redirect("window:detail", case_id)  # the sheet shows the next step (hand-over, rating)
    return render(request, "window/decision_sheet.html", panel_context(request.user, application, decide_form=form), status=400)


@staff_required
@require_POST
def give_opinion(request, case_id: int):
    """A co-deciding unit's opinion on a joint item (actions/joint.py)."""
    application = get_application_for(request.user, case_id)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            joint_actions.give_opinion(request.user, application, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_action_error(error, request)
        else:
            messages.success(request, "本单位意见已提出，待牵头单位作出决定")
            return redirect("window:decision", case_id)
    return render(request, "window/decision_sheet.html", panel_context(request.user, application, opinion_form=form), status=400)


def _on_text(error: ActionError) -> ActionError:
    # The action names its text `opinion` or `reason`; the form has one field for both.
    if error.fields.keys() & {"opinion", "reason"}:
        error.fields = {"text": error.message}
    return error


@staff_required
@require_POST
def hand_over(request, case_id: int):
    application = get_application_for(request.user, case_id)
    form = HandOverForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        scan = data.get("signed_scan")
        try:
            deliver_application(request.user, application, method=data["method"], tracking_number=data["tracking_number"],
                                received_by=data["received_by"], signed_scan=(scan.read(), scan.name) if scan else None)  # fmt: skip
        except ActionError as error:
            form.add_action_error(error, request)
        else:
            messages.success(request, "已出件，送达回证已出具")
            return redirect("window:detail", case_id)  # the sheet shows the next step (hand-over, rating)
    return render(request, "window/decision_sheet.html", panel_context(request.user, application, hand_over_form=form), status=400)


@staff_required
def window_settings(request):
    county = administered_county(request.user)
    if county is None:
        raise PermissionDenied(NOT_COUNTY_ADMIN[1])
    current = policy.policy_for(county)
    form = WindowPolicyForm(request.POST or None, initial={"version": current.version or 1, **{f: getattr(current, f) for f in policy.LIMITS}})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            policy.update_window_policy(request.user, version=version if current.pk else None, **values)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "窗口设置已保存")
            return redirect("window:settings")
    return render(request, "window/settings.html", {"form": form, "county": county}, status=400 if form.errors else 200)


# The portal's rating: POST only, number and code never in a URL, answers never cached, a limit
# per client address (as events' portal pages: kernel/CASE_SERVICES.md).
RATE_LIMIT, RATE_WINDOW_SECONDS = 10, 600


@never_cache
def rate_by_code(request):
    form = RateByCodeForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        if not allow("window_rate", client_address(request) or "unknown", RATE_LIMIT, RATE_WINDOW_SECONDS):
            form.add_error(None, "尝试次数过多，请稍后再试")
        else:
            data = form.cleaned_data
            try:
                rating.rate_as_citizen(rating.find_for_citizen(data["number"], data["code"]), data["rating"], data["comment"])
            except ActionError as error:
                form.add_action_error(error)
            else:
                done = True
    response = render(request, "window/public_rate.html", {"form": form, "done": done}, status=400 if form.errors else 200)
    return response
