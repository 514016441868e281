"""Event pages: the dispatcher's queue and list, reporting from a phone, the event sheet with
its timeline and the actions open to the person looking at it (calling departments among them:
the calls themselves are zhenjie/calls)."""

from collections import Counter

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhenjie.kernel import attachments, followups, journal, parties, submits, supervision
from zhenjie.kernel.extensions import pending_extension
from zhenjie.kernel.documents import documents_on
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import FollowUp
from zhenjie.kernel.scoping import administered_county, counting_parts, reach_of, report_areas
from zhenjie.kernel.workflow import DONE, permitted_actions
from zhenjie.workbench import offline
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from zhenjie.calls import queries as call_queries

from . import actions, quality, queries, receipts, routing
from .forms import (
    CallForm, DecisionForm, DispatchForm, ExtensionForm, FollowUpForm, MergeForm, NoticeForm, RatingForm, ReasonForm, ReportForm, ResultForm,
    VerifierForm, VerifyForm,
)
from .intake import Photo, Report, report_event
from .kit import EVENTS, departments, dispatch_units
from .models import Channel
from .workflow import EVENT, EVENT_WORKFLOW, THROUGH_FOLLOW_UP

# The dispatcher's queue, as tabs over the list: the workflow's phases, then everything.
PHASES = EVENT_WORKFLOW.phases
ALL_TAB = "all"


def _filtered(request, rows):
    """The list's rows as the query string narrows them, and the tab. The report dates, the
    handling unit, the category and the quality behind a figure (办理质量) are read once, with
    bounds, by events.quality.choose_from — a bad value is Rejected, in Chinese."""
    params = request.GET
    tab = params.get("tab") if params.get("tab") in PHASES else ALL_TAB
    if tab != ALL_TAB:
        rows = queries.in_states(rows, PHASES[tab].states)
    chosen = quality.choose_from(request.user, params)
    rows = quality.narrowed(request.user, rows, chosen)
    if (channel := params.get("channel", "")) in Channel.values:
        rows = rows.filter(channel=channel)
    if (alert := params.get("alert", "")) in ("yellow", "red"):
        rows = rows.filter(case__alert=alert, case__closed_at__isnull=True)
    if search := params.get("q", "").strip()[:50]:
        rows = rows.filter(Q(case__number__icontains=search) | Q(description__icontains=search) | Q(address__icontains=search))
    return rows, tab, chosen


# A badge counts the closed history no further: "999+" tells a dispatcher "a lot" as well as
# "10000+" does, and the count stops after a tenth of the rows (issue 11: no count over the
# user's whole reach on every request). The list's own total still counts to COUNT_CAP.
BADGE_CAP = 999
# The list's filters besides the tab: with none of them given, the list is the tab's badge.
FILTERS = ("category", "channel", "alert", "q", "from", "to", "unit", "quality")


def _tab_counts(parts: list) -> dict[str, tuple[int, bool]]:
    """(count, capped) of each tab over `parts` (_counting_parts): exact for the open tabs (one
    query a part), no further than BADGE_CAP for 已关闭 and so for 全部."""
    open_tabs = {key: phase.states for key, phase in PHASES.items() if phase.group != DONE}
    counts = Counter()
    for part in parts:
        # A case has closed_at exactly when it is in a done phase (kernel.workflow checks every
        # kind so), so "not closed" is the WHERE an index answers; each tab's states in its FILTER.
        counts.update(part.filter(closed_at__isnull=True).order_by().aggregate(
            **{key: Count("id", filter=Q(state__in=states)) for key, states in open_tabs.items()}
        ))
    tabs = {key: (counts[key], False) for key in open_tabs}
    for key, phase in PHASES.items():
        if phase.group == DONE:
            tabs[key] = queries.counted_in(parts, phase.states, BADGE_CAP)
    tabs[ALL_TAB] = (sum(count for count, _ in tabs.values()), any(capped for _, capped in tabs.values()))
    return tabs


def _counting_parts(user) -> tuple[list, bool]:
    """The user's event cases as parts to count, and whether they are exact enough to stand for
    the list's rows: kernel.scoping.counting_parts where it gives them (a township's dispatchers
    and leaders, the county: the jurisdiction's cases from the (area, kind, closed_at) index plus
    the few sent in from outside it, milliseconds at a million events instead of a test of every
    open case of the county, docs/PERFORMANCE.md); else event_cases_for(user) whole."""
    parts = counting_parts(user, EVENT)
    return (parts, True) if parts is not None else ([queries.event_cases_for(user)], False)


def _tab_states(tab: str):
    return None if tab == ALL_TAB else PHASES[tab].states


def _list_total(request, tab: str, tabs: dict, parts: list) -> tuple[int, bool] | None:
    """The list's (count, capped), when its tab's count gives it: no filter but the tab, and
    parts that stand for the rows. A capped badge is counted on to COUNT_CAP, as lists count."""
    if any(request.GET.get(name, "").strip() for name in FILTERS):
        return None
    count, capped = tabs[tab]
    return (count, capped) if not capped else queries.counted_in(parts, _tab_states(tab))


def _shown(count: int, capped: bool) -> str:
    return f"{count}+" if capped else str(count)


@staff_required
def event_list(request):
    try:
        rows, tab, chosen = _filtered(request, queries.events_for(request.user))
    except ActionError as error:
        # A bad filter value: the list empty, the reason in Chinese, the filters kept to correct.
        context = {"page": None, "tab": ALL_TAB, "tabs": {}, "counts": {}, "filter_error": error.message,
                   "categories": queries.active_categories(), "channels": Channel.choices, "params": request.GET, "query": "",
                   "workflow": EVENT_WORKFLOW, "can_report": False}
        return render(request, "events/event_list.html", context, status=error.status)
    if request.GET.get("format") == "xlsx":
        return EVENTS.export(request.user, rows)
    parts, exact = _counting_parts(request.user)
    tabs = _tab_counts(parts)
    page = paginate(request, rows, known=_list_total(request, tab, tabs, parts) if exact else None)
    reach = reach_of(request.user)
    context = {
        "page": page, "tab": tab, "tabs": {key: phase.label for key, phase in PHASES.items()} | {ALL_TAB: "全部"},
        "counts": {key: _shown(*counted) for key, counted in tabs.items()},
        "categories": queries.active_categories(), "channels": Channel.choices, "params": request.GET, "query": query_without_page(request),
        "workflow": EVENT_WORKFLOW, "can_report": bool(reach.paths), "chosen": chosen,
        "quality_label": quality.QUALITIES.get(chosen.quality, ""),
    }
    template = "events/_event_table.html" if request.htmx else "events/event_list.html"
    return render(request, template, context)


def _finding_for(request, finding_id):
    """A patrol finding in the user's grids, still to be reported, or 404."""
    from zhenjie.grid.queries import findings_for

    try:
        return findings_for(request.user).get(pk=int(finding_id), case__isnull=True)
    except (ValueError, TypeError, OverflowError, findings_for(request.user).model.DoesNotExist):
        raise Http404("巡查发现不存在、已上报或不在您的辖区内") from None


@staff_required
def event_report(request):
    """The report form. The phone's script (static/zhenjie/offline.js) sends it by fetch and
    asks for JSON (workbench.offline), or keeps it on the phone while there is no signal."""
    areas = report_areas(request.user).order_by("path")
    finding_id = request.POST.get("finding") or request.GET.get("finding")
    finding = _finding_for(request, finding_id) if finding_id else None
    initial = {"description": finding.description, "lng": finding.lng, "lat": finding.lat, "area": finding.grid_id} if finding else {}
    form = ReportForm(request.POST or None, request.FILES or None, areas=areas, initial=initial)
    as_json = request.method == "POST" and offline.wants_json(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if finding is not None:
                from .findings import report_finding

                event = report_finding(request.user, finding, data["category"], data["description"])
            else:
                with transaction.atomic():
                    event = report_event(request.user, Report(
                        channel=data["channel"], category=data["category"], description=data["description"], address=data["address"],
                        lng=data["lng"], lat=data["lat"], area=data["area"],
                        photos=[Photo(f.name, f.read()) for f in data["photos"]],
                        reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
                        agent_name=data["agent_name"], agent_phone=data["agent_phone"],
                        client_key=submits.parse_key(data["client_key"]),
                    ))
                    if event.channel == Channel.WALK_IN:  # the visitor leaves with a receipt (回执)
                        receipts.first_receipt(request.user, event)
        except ActionError as error:
            if as_json:
                return offline.refused(error=error)
            form.add_action_error(error)
        else:
            if event.channel == Channel.WALK_IN and not as_json:
                messages.success(request, f"已登记：{event.case.number}。请在右侧「文书」中打开来访登记回执，打印后交来访人")
                return redirect("events:detail", event.case_id)
            messages.success(request, f"已上报：{event.case.number}")
            if as_json:
                return offline.filed(reverse("events:detail", args=[event.case_id]), f"已上报：{event.case.number}")
            return redirect("events:detail", event.case_id)
    elif as_json:
        return offline.refused(form=form)
    return render(request, "events/event_report.html", {"form": form, "finding": finding})


def _detail_context(request, event, **forms):
    user, case = request.user, event.case
    permitted = permitted_actions(user, case)  # what the buttons offer is what the actions allow
    # Reopening goes through a follow-up (its panel below), which keeps what the call found.
    transitions = {name: t for name, t in permitted.transitions.items() if name not in THROUGH_FOLLOW_UP}
    may = permitted.actions
    documents = documents_on(user, case)
    documents_exist = bool(documents)
    context = {
        "event": event, "case": case, "state_label": EVENT_WORKFLOW.state_label(case.state), "transitions": transitions,
        "may": may,
        "entries": journal.timeline(case),
        "photos": attachments.photos_of(case),
        "documents": documents,
        "calls": call_queries.calls_on(user, case),
        "route": routing.route(event.category, case.area, routing.report_day(event)) if "dispatch" in transitions else None,
        "duplicates": queries.suggested_duplicates(user, event) if "merge" in transitions else [],
        "pending_extension": pending_extension(permitted.standing),
        "notice_answers": supervision.answers_of(case) if documents_exist else [],
        "parties": parties.parties_for_case(user, case),
        "follow_ups": followups.follow_ups_of(case),
        "may_follow_up": followups.may_handle(user, case) is None,
        "error": forms.pop("error", None),
        "failed_action": forms.pop("action", ""),
        "reason_actions": [("reject", "不予受理"), ("return", "退回指挥中心"), ("pause", "中止(等待第三方)")],
    }
    open_follow_up = any(follow_up.state == FollowUp.State.OPEN for follow_up in context["follow_ups"])
    # A blank form only for a panel the page draws (the conditions of _event_actions.html and
    # _follow_ups.html): nine on every page were a tenth of its time (issue 11).
    defaults = {
        "reason_form": ReasonForm() if any(name in transitions for name, _ in context["reason_actions"]) else None,
        "result_form": ResultForm() if "report_back" in transitions else None,
        "verify_form": VerifyForm() if "verify_pass" in transitions else None,
        "merge_form": MergeForm() if "merge" in transitions else None,
        "extension_form": ExtensionForm() if "request_extension" in may else None,
        "decision_form": DecisionForm() if "decide_extension" in may else None,
        "rating_form": RatingForm() if "rate" in may else None,
        "notice_form": NoticeForm() if "notice" in may else None,
        "follow_up_form": FollowUpForm() if context["may_follow_up"] and open_follow_up else None,
        "may_reissue_receipt": event.channel == Channel.WALK_IN and receipts.RECEIPT.may_issue(user, case),
        "answer_notice": EVENTS.form("answer_notice") if "answer_notice" in may else None,
        "dispatch_form": DispatchForm(units=dispatch_units(user, event)) if "dispatch" in transitions or "reassign" in transitions else None,
        "call_form": CallForm(departments=departments(user, event)) if "call" in may else None,
        "verifier_form": VerifierForm(people=actions.verifier_candidates(event)) if "assign_verifier" in may else None,
    }
    context.update({name: forms.get(name) or form for name, form in defaults.items()})
    return context


@staff_required
def event_detail(request, case_id: int):
    event = queries.get_event_for(request.user, case_id)
    return render(request, "events/event_detail.html", _detail_context(request, event))


@staff_required
def event_print(request, case_id: int):
    event = queries.get_event_for(request.user, case_id)
    return render(request, "events/event_print.html", _detail_context(request, event))


def render_detail(request, event, forms, error, action):
    """The event sheet again after a refused step (kit.act): the error, and the failed form open."""
    return render(request, "events/event_detail.html", _detail_context(request, event, **forms, error=error, action=action))


@require_POST
@staff_required
def event_reveal_phone(request, case_id: int):
    """The reporter's full mobile on the event page, once per press (each reveal is journaled)."""
    event = queries.get_event_for(request.user, case_id)
    try:
        phone = actions.reveal_reporter_phone(request.user, event)
    except ActionError as error:
        return render(request, "events/event_detail.html", _detail_context(request, event, error=error.message), status=error.status)
    response = render(request, "events/event_detail.html", _detail_context(request, event) | {"revealed_phone": phone})
    response["Cache-Control"] = "no-store"  # a citizen's full number: not for the browser's cache
    return response


@require_POST
@staff_required
def event_receipt(request, case_id: int):
    """A new receipt for a walk-in visitor who lost theirs: a new code, the old one retired."""
    event = queries.get_event_for(request.user, case_id)
    try:
        receipts.issue_receipt(request.user, event)
    except ActionError as error:
        return render(request, "events/event_detail.html", _detail_context(request, event, error=error.message), status=error.status)
    messages.success(request, "已出具新的回执，原查询码作废")
    return redirect("events:detail", event.case_id)


FOLLOW_UP_DECISIONS = {"close": followups.close, "reopen": followups.reopen}


@require_POST
@staff_required
def follow_up_decide(request, case_id: int, follow_up_id: int, decision: str):
    """The dispatcher records a follow-up call (回访) and closes it or reopens the event."""
    event = queries.get_event_for(request.user, case_id)
    follow_up = followups.FollowUp.objects.filter(case=event.case, pk=follow_up_id).first()
    if follow_up is None or decision not in FOLLOW_UP_DECISIONS:
        raise Http404("回访不存在")
    follow_up.case = event.case
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return render(request, "events/event_detail.html", _detail_context(request, event, follow_up_form=form, action="follow_up"), status=400)
    data = form.cleaned_data
    extra = {"resolved": data["resolved"]} if decision == "close" else {}
    try:
        FOLLOW_UP_DECISIONS[decision](request.user, follow_up, called=data["called"], reached=data["reached"], words=data["words"], note=data["note"], **extra)
    except ActionError as error:
        form.add_action_error(error)
        context = _detail_context(request, event, follow_up_form=form, error=error.message, action="follow_up")
        return render(request, "events/event_detail.html", context, status=error.status)
    messages.success(request, "已重新办理，事件退回处置单位" if decision == "reopen" else "回访已结束")
    return redirect("events:detail", event.case_id)


# ---- 县级设置 (county administrator) -----------------------------------------------------


@staff_required
def county_settings(request):
    from . import policy as county_settings_actions
    from .policy_forms import CategoryForm, EventPolicyForm
    from .policy import policy_for as event_policy_for

    county = administered_county(request.user)
    if county is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(county_settings_actions.NOT_COUNTY_ADMIN[1])
    every = list(queries.Category.objects.select_related("parent").order_by("sort_order", "code"))
    categories = [c for top in every if top.parent_id is None for c in (top, *(k for k in every if k.parent_id == top.pk))]  # as a tree
    editing = next((c for c in categories if c.code == request.GET.get("edit")), None)
    policy = event_policy_for(county)
    policy_form = EventPolicyForm(prefix="policy", initial={f: getattr(policy, f) for f in EventPolicyForm.base_fields})
    status = 200
    category_initial = {f: getattr(editing, f) for f in CategoryForm.base_fields if hasattr(editing, f)} if editing else {}
    category_form = CategoryForm(prefix="category", initial=category_initial)
    if request.method == "POST":
        which = request.POST.get("which")
        try:
            if which == "policy":
                policy_form = EventPolicyForm(request.POST, prefix="policy")
                if policy_form.is_valid():
                    values = dict(policy_form.cleaned_data)
                    version = values.pop("version")
                    county_settings_actions.update_event_policy(request.user, version=version if policy.pk else None, **values)
                    messages.success(request, "指挥中心设置已保存")
                    return redirect(request.path)
            elif which == "category":
                category_form = CategoryForm(request.POST, prefix="category")
                if category_form.is_valid():
                    saved = county_settings_actions.save_category(request.user, editing, **category_form.cleaned_data)
                    messages.success(request, f"事件类别「{saved.name}」已保存")
                    return redirect(request.path)
        except ActionError as error:
            status = error.status
            form = {"policy": policy_form, "category": category_form}.get(which)
            if form is not None and error.field in form.fields:
                form.add_action_error(error)
            else:
                messages.error(request, error.message)
    context = {
        "county": county, "categories": categories, "editing": editing, "category_form": category_form,
        "policy_form": policy_form,
    }
    return render(request, "events/county_settings.html", context, status=status)
