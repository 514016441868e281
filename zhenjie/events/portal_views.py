"""Public pages (no login) under /public/events/: a citizen reports a problem, follows it with
its number and code, and rates it once closed (events.portal)."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zhenjie.accounts.login import client_address
from zhenjie.areas.models import Area
from zhenjie.kernel import rating, throttle
from zhenjie.kernel.workflow import rule_of
from zhenjie.kernel.errors import ActionError

from . import portal
from .forms import CitizenReportForm, ConfirmForm, RatingForm, TrackForm
from .intake import Photo
from .workflow import EVENT_WORKFLOW

HOUR, TEN_MINUTES = 3600, 600


def _client(request) -> str:
    return client_address(request) or "unknown"


def _villages():
    return Area.objects.live().filter(level=Area.Level.VILLAGE).select_related("parent").order_by("path")


def _refuse(request, message: str):
    return render(request, "events/public/refused.html", {"message": message}, status=429)


def _private(response):
    """The page names a citizen's report (and holds its code in a form): not for caches."""
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def report(request):
    form = CitizenReportForm(request.POST or None, request.FILES or None, villages=_villages())
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return _refuse(request, "提交未成功，请稍后再试")
        if not throttle.allow("report", _client(request), portal.REPORTS_PER_HOUR, HOUR):
            return _refuse(request, f"同一网络每小时最多提交{portal.REPORTS_PER_HOUR}件，请稍后再试；紧急情况请拨打12345或110")
        data = form.cleaned_data
        try:
            event, code = portal.report_as_citizen(portal.CitizenReport(
                category=data["category"], description=data["description"], village=data["village"], phone=data["phone"],
                name=data["name"], address=data["address"], lng=data["lng"], lat=data["lat"],
                photos=[Photo(upload.name, upload.read()) for upload in data["photos"]],
            ))  # fmt: skip
        except ActionError as error:
            form.add_action_error(error)
        else:
            # Shown once, on this response only: the code is not kept in clear anywhere.
            return _private(render(request, "events/public/reported.html", {"event": event, "code": code}))
    return render(request, "events/public/report.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def track(request):
    """The number and code travel by POST only, so they stay out of addresses, logs and
    history; a POST with a rating rates, then shows the report."""
    if request.method == "GET":
        return _private(render(request, "events/public/track.html", {"form": TrackForm(initial={"number": request.GET.get("number", "")[:40]})}))
    form = TrackForm(request.POST)
    context = {"form": form, "rating_form": RatingForm()}
    if not form.is_valid():
        return _private(render(request, "events/public/track.html", context, status=400))
    if not throttle.allow("lookup", _client(request), portal.LOOKUPS_PER_10_MINUTES, TEN_MINUTES):
        return _refuse(request, "查询过于频繁，请10分钟后再试")
    number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    try:
        event = portal.find_for_citizen(number, code)
    except ActionError as error:
        context["error"] = error.message
        return _private(render(request, "events/public/track.html", context, status=error.status))
    status = 200
    if "rating" in request.POST:
        rating_form = context["rating_form"] = RatingForm(request.POST)
        if not rating_form.is_valid():
            status = 400
        else:
            try:
                portal.rate_as_citizen(event, rating_form.cleaned_data["rating"], rating_form.cleaned_data["comment"])
            except ActionError as error:
                context["error"], status = error.message, error.status
            else:
                event.case.refresh_from_db(fields=["rating", "rating_comment", "rated_at"])
    elif "resolved" in request.POST:
        confirm_form = ConfirmForm(request.POST)
        if not confirm_form.is_valid():
            context["error"], status = "请选择问题是否已解决", 400
        else:
            try:
                portal.confirm_as_citizen(event, confirm_form.cleaned_data["resolved"])
            except ActionError as error:
                context["error"], status = error.message, error.status
            else:
                context["confirmed"] = True
    citizen = portal.citizen_holding_code_of(event)
    context |= {
        "event": event, "state_label": EVENT_WORKFLOW.state_label(event.case.state), "steps": portal.public_timeline(event),
        "can_rate": rating.may_rate(citizen, event.case), "can_confirm": rule_of("confirm")(citizen, event.case) is None,
    }
    return _private(render(request, "events/public/track.html", context, status=status))
