"""The window's staff pages: the applications list (tabs by phase), the front desk's queue, the
intake form (choose the item, then the guide's checklist), and the detail page. Thin: reads
through window.queries, changes through window.actions and the kit's act view."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.documents import documents_of_case_for
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.models import Attachment
from zhenjie.kernel.parties import parties_for_case
from zhenjie.kernel.scoping import get_visible_or_404, reach_of
from zhenjie.kernel.serving import attachment_response
from zhenjie.kernel.workflow import available_for
from zhenjie.lists.models import ServiceMaterial
from zhenjie.lists.search import clean_query
from zhenjie.workbench.kit import step_forms
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import points, queries, queries_backoffice
from .actions.intake import FILERS, Filing, delivery_points, desk_of, file_application, guide_items
from .figures import applications_matching
from .forms import IntakeForm, NoticeForm, SupplementForm
from .intake_receipt import KIND as INTAKE_RECEIPT
from .kit import APPLICATIONS
from .models import Channel, ExclusionKind
from .views_decision import panel_context as decision_panel_context
from .workflow import APPLICATION_WORKFLOW, FRONT_DESK

ITEMS_SHOWN = 30  # the item picker shows the first matches; typing narrows it
FILED_CODE = "window_filed_code"  # session key: [case id, tracking code] until the sheet shows it once


def _filter(request, rows):
    phase = request.GET.get("phase", "")
    if phase in APPLICATION_WORKFLOW.phases:
        rows = rows.filter(case__state__in=APPLICATION_WORKFLOW.phases[phase].states)
    search = clean_query(request.GET.get("q"))
    if search:
        rows = rows.filter(Q(item_name__icontains=search) | Q(case__number=search))
    return rows, phase, search


def _known_total(request, phase: str, search: str) -> tuple[int, bool] | None:
    """The list's (count, capped) from the indexes when only a phase narrows it (queries.counted_for)."""
    if search or FIGURE_FILTERS & request.GET.keys():
        return None
    return queries.counted_for(request.user, APPLICATION_WORKFLOW.phases[phase].states if phase in APPLICATION_WORKFLOW.phases else None)


FIGURE_FILTERS = {"from", "to", "unit", "item", "measure"}


@staff_required
def application_list(request):
    rows, phase, search = _filter(request, queries.applications_for(request.user))
    if FIGURE_FILTERS & request.GET.keys():
        # A count on the figures page links here with its own filters: exactly the applications behind it.
        try:
            rows = rows.filter(pk__in=applications_matching(request.user, request.GET).values("pk"))
        except ActionError as error:
            messages.error(request, error.message)
            rows = rows.none()
    if request.GET.get("format") == "xlsx":
        return APPLICATIONS.export(request.user, rows)
    return render(request, "window/list.html", {
        "page": paginate(request, rows, known=_known_total(request, phase, search)), "phases": APPLICATION_WORKFLOW.phases, "phase": phase, "search": search,
        "query": query_without_page(request), "can_file": _may_file(request.user), "now": timezone.now(),
    })  # fmt: skip


@staff_required
def queue(request):
    """待受理: what the user's front desk has to check, the notice due soonest first."""
    return render(request, "window/queue.html", {"page": paginate(request, queries.queue_for(request.user)), "now": timezone.now(),
                                                 "can_file": _may_file(request.user)})  # fmt: skip


def _may_file(user) -> bool:
    return bool(reach_of(user).roles & FRONT_DESK)


def _staff_channel(user) -> str:
    """A village agent files at their point; a window clerk at the window (or on a home visit)."""
    roles = reach_of(user).roles
    return Channel.WINDOW if FILERS[Channel.WINDOW] in roles else Channel.AGENT_POINT


def _chosen_point(request):
    """The agent point asked for (?point= on the item list, the form's `point`), as an id; the
    action refuses one the agent does not serve."""
    raw = request.POST.get("point") or request.GET.get("point") or ""
    return int(raw) if raw.isdecimal() and len(raw) <= 19 else (raw or None)


def _desk(request):
    """The user's channel and where they take applications in; no desk (and a message) when they take none.
    An agent serving several points files at the one chosen, else at the first (the page offers the others)."""
    channel = _staff_channel(request.user)
    point = _chosen_point(request) if channel == Channel.AGENT_POINT else None
    if channel == Channel.AGENT_POINT and point is None:
        point = points.points_of(request.user).values_list("pk", flat=True).first()
    try:
        return channel, desk_of(request.user, channel, point=point)
    except ActionError as refused:
        messages.error(request, refused.message)
        return channel, None


def _other_points(request, channel):
    """An agent's points when they serve more than one (the choice of where to file); else None."""
    rows = list(points.points_of(request.user)) if channel == Channel.AGENT_POINT else []
    return rows if len(rows) > 1 else None


@staff_required
def new(request):
    """收件, step one: the item, searched by name or pinyin initials in the township's guide in force."""
    channel, desk = _desk(request)
    if desk is None:
        return redirect("window:home")
    search = clean_query(request.GET.get("q"))
    items = list(guide_items(desk.township, timezone.localdate(), channel=channel, search=search, point=desk.point)[:ITEMS_SHOWN])
    return render(request, "window/new.html", {"items": items, "search": search, "desk": desk, "points": _other_points(request, channel)})


@staff_required
def new_for_item(request, item_id: int):
    """收件, step two: applicant and the guide's checklist for the chosen item."""
    channel, desk = _desk(request)
    if desk is None:
        return redirect("window:home")
    item = guide_items(desk.township, timezone.localdate(), channel=channel, point=desk.point).filter(pk=item_id).first()
    if item is None:
        raise NotFound("application.item_not_in_guide", "该事项不在现行办事指南中或不能在此受理")
    materials = ServiceMaterial.objects.filter(item=item).order_by("position", "pk")
    agent_point = channel == Channel.AGENT_POINT
    delivery = None if agent_point else delivery_points(desk.township)
    # An agent serving several points chooses among those that take the item.
    offered = [p for p in _other_points(request, channel) or () if points.items_for_point(p, timezone.localdate()).filter(pk=item.pk).exists()]
    form = IntakeForm(request.POST or None, request.FILES or None, item=item, materials=materials, agent_point=agent_point, points=delivery,
                      agent_points=offered or None, initial={"point": desk.point.pk if desk.point else None})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        chosen = Channel.AGENT_POINT if agent_point else form.cleaned_data["channel"]
        try:
            filed = file_application(request.user, Filing(channel=chosen, point=desk.point.pk if desk.point else None, **form.filing_values()))
        except ActionError as error:
            form.add_action_error(error)
        else:
            if filed.code:
                # Shown once, on the sheet the clerk lands on (detail pops it); printed on the 收件回执.
                request.session[FILED_CODE] = [filed.application.case_id, filed.code]
            messages.success(request, f"已收件：{filed.application.case.number}")
            return redirect("window:detail", filed.application.case_id)
    return render(request, "window/intake_form.html", {"form": form, "item": item, "desk": desk})


def render_detail(request, application, forms=None, error=None, action="", filed_code=None):
    """The application's sheet; after a refused step (kit.act), with the error; under HTMX only its panel."""
    case = application.case
    # The notice's and the supplement's forms are made for this application's materials.
    forms = {"notify": NoticeForm(record=application), "supplement": SupplementForm(record=application)} | (forms or {})
    documents = list(documents_of_case_for(request.user, case.pk).order_by("issued_at", "pk"))  # one read: the card and the receipt
    context = {
        "application": application, "case": case, "state_label": APPLICATION_WORKFLOW.state_label(case.state),
        "entries": journal.entries_for_case(case), "parties": parties_for_case(request.user, case),
        "documents": documents,
        "steps": step_forms(APPLICATIONS, available_for(request.user, case), forms), "error": error,
        "overdue_notice": queries.deemed_due(application), "filed_code": filed_code,
        "intake_receipt": next((d for d in documents if d.kind == INTAKE_RECEIPT), None) if filed_code else None,
        # The other parts' panels: the clock and who decides; the decision and the hand-over.
        "panel": queries_backoffice.panel_for(request.user, application), "exclusion_kinds": ExclusionKind.choices,
    } | decision_panel_context(request.user, application, papers=False) | points.panel_for(request.user, application)  # fmt: skip
    template = "window/_panel.html" if request.htmx and request.method == "POST" else "window/detail.html"
    return render(request, template, context)


@staff_required
def detail(request, case_id: int):
    application = queries.get_application_for(request.user, case_id)
    filed = request.session.get(FILED_CODE)
    code = filed[1] if filed and filed[0] == application.case_id else None
    if code:
        del request.session[FILED_CODE]
    return render_detail(request, application, filed_code=code)


@staff_required
def scan(request, case_id: int, attachment_id: int):
    """A scanned material, through the application the user can see."""
    application = queries.get_application_for(request.user, case_id)
    rows = Attachment.objects.filter(case=application.case, purpose="material").select_related("blob")
    return attachment_response(get_visible_or_404(rows, "attachment.not_found", "文件不存在", pk=attachment_id))
