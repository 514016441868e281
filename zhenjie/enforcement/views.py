"""The enforcement team's pages: the case list (tabs by phase), the officer's queue, the lead form,
the registration page (the power picked from the township's list in force) and the case page.
Thin: reads through enforcement.queries, changes through the actions and the kit's act view."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.parties import parties_for_case
from zhenjie.kernel.scoping import reach_of
from zhenjie.kernel.workflow import available_for, permitted_actions, workflow_for
from zhenjie.lists.search import clean_query
from zhenjie.workbench.kit import step_forms
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import queries
from .actions.lifecycle import Lead, open_lead, register_case
from .forms import LeadForm, RegistrationForm
from .forms_hearing import NoticeForm
from .forms_transfers import county_departments, transfer_holder
from .kit import CASES
from .views_evidence import evidence_context
from .panel_hearing import hearing_panel
from .views_decision import decision_context, decision_forms
from .views_execution import execution_panel
from .workflow import CODE_MAX, ENFORCEMENT_WORKFLOW, OFFICERS, State

OWN_PAGES = {"register"}  # steps with a page of their own: the case page links to it


def _may_open(user) -> bool:
    return bool(reach_of(user).roles & OFFICERS)


@staff_required
def case_list(request):
    rows = queries.cases_for(request.user)
    phase = request.GET.get("phase", "")
    if phase in ENFORCEMENT_WORKFLOW.phases:
        rows = rows.filter(case__state__in=ENFORCEMENT_WORKFLOW.phases[phase].states)
    search = clean_query(request.GET.get("q"))
    if search:
        rows = rows.filter(Q(case__title__icontains=search) | Q(case__number=search) | Q(power_code__iexact=search))
    if request.GET.get("format") == "xlsx":
        return CASES.export(request.user, rows)
    return render(request, "enforcement/case_list.html", {
        "page": paginate(request, rows), "phases": ENFORCEMENT_WORKFLOW.phases, "phase": phase, "search": search,
        "query": query_without_page(request), "workflow": ENFORCEMENT_WORKFLOW, "can_open": _may_open(request.user),
    })  # fmt: skip


@staff_required
def queue(request):
    """我的执法待办: the team's open work, the soonest due first."""
    return render(request, "enforcement/queue.html", {"page": paginate(request, queries.queue_for(request.user)),
                                                      "workflow": ENFORCEMENT_WORKFLOW, "can_open": _may_open(request.user)})  # fmt: skip


@staff_required
def new_lead(request):
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enforcement = open_lead(request.user, Lead(**{**data, "event": data["event"] or None}))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记线索：{enforcement.case.number}")
            return redirect("enforcement:detail", enforcement.case_id)
    return render(request, "enforcement/lead_form.html", {"form": form})


@staff_required
def registration(request, case_id: int):
    """立案: the power picked from those the township may exercise today (searchable), the
    limitation mark; a refusal names the unit holding the power and offers the transfer."""
    enforcement = queries.get_case_for(request.user, case_id)
    form = RegistrationForm(request.POST or None, initial={"endangers_safety": enforcement.endangers_safety})
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            register_case(request.user, enforcement, form.cleaned_data["power_code"], form.cleaned_data["endangers_safety"])
        except ActionError as error:
            form.add_action_error(error)
            refused = error
            enforcement = queries.get_case_for(request.user, case_id)
        else:
            messages.success(request, "已立案")
            return redirect("enforcement:detail", case_id)
    search = clean_query(request.GET.get("q"))
    available = {t.name for t in available_for(request.user, enforcement.case)}
    return render(request, "enforcement/registration.html", {
        "enforcement": enforcement, "case": enforcement.case, "form": form, "search": search,
        "powers": queries.registrable_powers(enforcement.team.area, timezone.localdate(), search),
        "may_register": "register" in available, "refused": refused,
        # Offered after a refusal for want of the power (行政处罚法 Art. 54 needs the power to register).
        "offer_transfer": bool(refused) and refused.code == "enforcement.power_not_held" and "transfer_out" in available,
        # Part 8: the receiving department, the holder of the power preselected.
        "departments": county_departments(enforcement.team.area) if refused else (),
        "holder": transfer_holder(enforcement, str(request.POST.get("power_code", ""))[:CODE_MAX]) if refused else None,
    })  # fmt: skip


def render_detail(request, enforcement, forms=None, error=None, action=""):
    """The case page: facts, the power and its basis, the party masked, the timeline and the steps
    the user may take; after a refused step (kit.act) with the error, under HTMX only its panel."""
    case = enforcement.case
    # Once for the page: each panel would otherwise weigh the same rules again.
    permitted = permitted_actions(request.user, case)
    transitions = list(permitted.transitions.values())
    # The notice starts from the case's facts (NoticeForm reads them from the record it is made for).
    forms = {"notify": NoticeForm(record=enforcement)} | decision_forms(enforcement, forms)
    context = {
        "enforcement": enforcement, "case": case, "state_label": ENFORCEMENT_WORKFLOW.state_label(case.state),
        "entries": journal.entries_for_case(case), "parties": parties_for_case(request.user, case),
        "steps": step_forms(CASES, [t for t in transitions if t.name not in OWN_PAGES], forms), "error": error,
        "may_register": any(t.name == "register" for t in transitions), "suspended": case.state == State.SUSPENDED,
        "parent_url": workflow_for(case.parent.kind).detail_url(case.parent_id) if case.parent_id else "",
        **execution_panel(request.user, enforcement, forms, permitted),  # 送达执行 and 执法公示 (views_execution.py)
    }  # fmt: skip
    context |= evidence_context(request.user, enforcement, permitted)  # the evidence panel and the documents
    context |= hearing_panel(request, enforcement, forms, permitted)
    context |= decision_context(request.user, enforcement, forms, permitted)
    template = "enforcement/_case_panel.html" if request.htmx and request.method == "POST" else "enforcement/case_detail.html"
    return render(request, template, context)


@staff_required
def detail(request, case_id: int):
    return render_detail(request, queries.get_case_for(request.user, case_id))
