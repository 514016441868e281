"""The citizen's side of the window (网上申请, /public/window/): a citizen account applies for the
items its township's guide marks online, uploads the papers, and follows the same case as the
window's — its own applications by account, anyone's by number and tracking code."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhenjie.areas.models import Area
from zhenjie.events import portal as events_portal
from zhenjie.events.forms import TrackForm
from zhenjie.kernel import throttle, tracking
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.models import Party
from zhenjie.kernel.scoping import get_visible_or_404
from zhenjie.kernel.workflow import Standing
from zhenjie.lists.models import ServiceMaterial
from zhenjie.lists.search import clean_query
from zhenjie.accounts.login import client_address

from . import queries
from .actions.delivery import collection_form, collection_text
from .actions.intake import Filing, delivery_points, file_application, guide_items
from .forms import IntakeForm
from .models import Channel
from .workflow import APPLICATION_WORKFLOW, KIND

TEN_MINUTES = 600
ITEMS_SHOWN = 30


def citizen_required(view):
    """Online applications are a citizen account's; staff file at the window (window:new)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.kind != request.user.Kind.CITIZEN:
            return redirect("window:home")
        return view(request, *args, **kwargs)

    return wrapped


def _private(response):
    response["Cache-Control"] = "no-store"  # a citizen's own application
    return response


def _township(code: str | None) -> Area | None:
    return Area.objects.filter(level=Area.Level.TOWNSHIP, code=str(code or "")[:15]).first() if code else None


@citizen_required
def home(request):
    township = _township(request.GET.get("township"))
    search = clean_query(request.GET.get("q"))
    items = list(guide_items(township, timezone.localdate(), channel=Channel.ONLINE, search=search)[:ITEMS_SHOWN]) if township else []
    return _private(render(request, "window/public/home.html", {
        "mine": queries.citizen_applications(request.user)[:50], "township": township, "items": items, "search": search,
        "townships": Area.objects.filter(level=Area.Level.TOWNSHIP).order_by("path"),
    }))  # fmt: skip


class OnlineForm(IntakeForm):
    """The intake form without what only staff fill in (the channel, someone acting for the applicant)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, agent_point=True, **kwargs)
        for name in ("agent_name", "agent_phone"):
            del self.fields[name]
        self.fields["applicant_kind"].initial = Party.Kind.PERSON

    def applicant_fields(self):
        return [self[name] for name in ("applicant_kind", "applicant_name", "id_number", "phone")]

    def filing_values(self) -> dict:
        self.cleaned_data |= {"agent_name": "", "agent_phone": ""}
        return super().filing_values()


@citizen_required
def apply(request, township_code: str, item_id: int):
    township = _township(township_code)
    item = guide_items(township, timezone.localdate(), channel=Channel.ONLINE).filter(pk=item_id).first() if township else None
    if item is None:
        raise NotFound("application.item_not_online", "该事项不存在或不能网上申请")
    form = OnlineForm(request.POST or None, request.FILES or None, item=item, materials=ServiceMaterial.objects.filter(item=item).order_by("position", "pk"),
                      points=delivery_points(township))  # collect at the window or a village agent point near home
    if request.method == "POST" and form.is_valid():
        try:
            filed = file_application(request.user, Filing(channel=Channel.ONLINE, township=township, **form.filing_values()))
        except ActionError as error:
            form.add_action_error(error)
        else:
            if filed.code:
                messages.success(request, f"申请已提交：{filed.application.case.number}，查询码 {filed.code}(仅显示一次，请记下)")
            return redirect("window_public:mine", filed.application.case_id)
    return _private(render(request, "window/public/apply.html", {"form": form, "item": item, "township": township}))


def _timeline(case):
    return tracking.public_timeline(case, opened="已收件")


@citizen_required
def mine(request, case_id: int):
    application = get_visible_or_404(queries.citizen_applications(request.user), "application.not_found", "申请不存在", case_id=case_id)
    return mine_page(request, application)


def mine_page(request, application, collection=None, status=200):
    """The citizen's own application: its state and timeline, how the result will be collected,
    and — until it is handed over — the form to change that (views_collection)."""
    case = application.case
    may_change = APPLICATION_WORKFLOW.why_not(Standing(request.user, case), "change_collection") is None
    return _private(render(request, "window/public/mine.html", {
        "application": application, "state_label": APPLICATION_WORKFLOW.state_label(case.state), "steps": _timeline(case),
        "collection": collection_text(application),
        "collection_form": (collection or collection_form(application, online=True)) if may_change else None,
    }, status=status))  # fmt: skip


@require_http_methods(["GET", "POST"])
def track(request):
    """By number and tracking code (POST only, out of addresses and logs), limited per address."""
    if request.method == "GET":
        return _private(render(request, "window/public/track.html", {"form": TrackForm()}))
    form = TrackForm(request.POST)
    context = {"form": form}
    if not form.is_valid():
        return _private(render(request, "window/public/track.html", context, status=400))
    if not throttle.allow("window_lookup", client_address(request) or "unknown", events_portal.LOOKUPS_PER_10_MINUTES, TEN_MINUTES):
        return _private(render(request, "window/public/track.html", context | {"error": "查询过于频繁，请10分钟后再试"}, status=429))
    try:
        case = tracking.find_by_code(form.cleaned_data["number"], form.cleaned_data["code"], kinds=[KIND])
    except ActionError as error:
        return _private(render(request, "window/public/track.html", context | {"error": error.message}, status=error.status))
    context |= {"case": case, "state_label": APPLICATION_WORKFLOW.state_label(case.state), "steps": _timeline(case)}
    return _private(render(request, "window/public/track.html", context))
