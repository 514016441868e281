"""每月一题 pages: the topics in reach, the month's proposals and adopting one (township leaders),
a topic's sheet (plan, milestones, monthly progress, the complaints behind it), and the public
pages. Thin: parse, read through queries/proposals, act through actions."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhenjie.areas.paths import county_path
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404
from zhenjie.units.models import Unit
from zhenjie.units.queries import units_for
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, proposals, queries
from .forms import AdoptForm, FinishForm, MilestoneDoneForm, ProgressForm
from .models import Topic

EVENTS_SHOWN = 50


def _month_choices(latest=None):
    latest = proposals.month_start(latest or proposals.last_month())
    return [proposals.add_months(latest, -n) for n in range(0, 12)]


def _chosen(request):
    """The township (one the user leads) and month the proposals page is for, and what was wrong."""
    townships = list(queries.townships_led_by(request.user))
    problem = ""
    township = None
    if townships:
        wanted = parse_id(request.GET.get("township", "")) if request.GET.get("township") else townships[0].pk
        township = next((place for place in townships if place.pk == wanted), None)
        if township is None:
            problem, township = "所选乡镇(街道)不在您的辖区内，已显示第一个", townships[0]
    month = proposals.last_month()
    if raw := request.GET.get("month", ""):
        month = proposals.parse_month(raw[:7]) or month
        if proposals.parse_month(raw[:7]) is None:
            problem = f"月份「{raw[:10]}」无效，已显示上月"
    return townships, township, month, problem


@staff_required
def home(request):
    rows = queries.topics_for(request.user)
    state = request.GET.get("state", "")
    if state in Topic.State.values:
        rows = rows.filter(state=state)
    context = {"page": paginate(request, rows), "state": state, "states": Topic.State.choices, "query": query_without_page(request),
               "can_adopt": queries.townships_led_by(request.user).exists()}
    return render(request, "topics/home.html", context)


@staff_required
def proposal_list(request):
    townships, township, month, problem = _chosen(request)
    found = proposals.propose(township, month) if township else []
    adopted = Topic.objects.filter(township=township, month=month).first() if township else None
    context = {"townships": townships, "township": township, "month": month, "months": _month_choices(), "proposals": found,
               "problem": problem, "adopted": adopted, "channels": proposals.COMPLAINT_CHANNELS}
    return render(request, "topics/proposals.html", context)


def _lead_units(user, township):
    return units_for(user).filter(
        Q(area__path__startswith=township.path) | Q(kind=Unit.Kind.DEPARTMENT, area__path=county_path(township.path))
    ).exclude(kind=Unit.Kind.COUNTY_LEADERSHIP)


@staff_required
def adopt(request):
    source = request.POST if request.method == "POST" else request.GET
    township = get_visible_or_404(queries.townships_led_by(request.user), "topic.township_not_found", "该乡镇(街道)不存在或您不是其领导",
                                  pk=source.get("township", ""))
    month = proposals.parse_month((source.get("month") or "")[:7])
    key = (source.get("key") or "")[:2000]
    proposal = proposals.proposal_by_key(township, month, key) if month else None
    if proposal is None:
        messages.error(request, "该建议题目已不在本月建议中，请重新选择")
        return redirect(f"{reverse('topics:proposals')}?township={township.pk}")
    form = AdoptForm(request.POST or None, initial={"title": proposal.title}, units=_lead_units(request.user, township))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = actions.adopt(request.user, township, month, key, title=data["title"], lead_unit=data["lead_unit"], plan=data["plan"],
                                  milestones=data["milestones"], is_public=data["is_public"])
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已确定{township.name}{month.month}月每月一题：{topic.title}")
            return redirect("topics:detail", topic.pk)
    context = {"form": form, "township": township, "month": month, "key": key, "proposal": proposal}
    return render(request, "topics/adopt.html", context)


def _render_detail(request, topic, *, progress_form=None, finish_form=None, status=200):
    # The complaints behind it, as far as the reader may see them: a county department leading a
    # township's topic reads the topic, not the township's events (their numbers and titles).
    events = topic.events.filter(case_is_visible(request.user)).select_related("case", "category").order_by("-reported_at", "-pk")
    context = {
        "topic": topic, "places": list(topic.places.order_by("path")), "milestones": list(topic.milestones.all()),
        "progress": list(topic.progress.select_related("reported_by")), "events": events[:EVENTS_SHOWN], "event_count": events.count(),
        "progress_form": progress_form or ProgressForm(), "finish_form": finish_form or FinishForm(),
        "may_report": actions.may_report(request.user, topic), "may_finish": actions.leads(request.user, topic.township),
        "milestone_form": MilestoneDoneForm(),
    }
    return render(request, "topics/detail.html", context, status=status)


@staff_required
def detail(request, pk: int):
    return _render_detail(request, queries.get_topic_for(request.user, pk))


def _post_to_topic(request, pk: int, form_class, form_name: str, act, done: str):
    """One form posted on a topic's sheet: acted on through `act(user, topic, value)`, then back
    to the sheet; a refusal re-renders the sheet (400) with the message on the form."""
    topic = queries.get_topic_for(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(request.user, topic, *form.cleaned_data.values())
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, done)
            return redirect("topics:detail", topic.pk)
    return _render_detail(request, topic, status=400, **{form_name: form})


@require_POST
@staff_required
def progress(request, pk: int):
    return _post_to_topic(request, pk, ProgressForm, "progress_form", actions.report_progress, "已报告本月进展")


@require_POST
@staff_required
def milestone_done(request, pk: int, milestone_pk: int):
    topic = queries.get_topic_for(request.user, pk)
    milestone = queries.get_milestone_for(request.user, topic, milestone_pk)
    form = MilestoneDoneForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, "完成说明不能超过500字")
        else:
            actions.complete_milestone(request.user, milestone, form.cleaned_data["note"])
            messages.success(request, f"工作节点已完成：{milestone.text}")
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("topics:detail", topic.pk)


@require_POST
@staff_required
def finish(request, pk: int):
    return _post_to_topic(request, pk, FinishForm, "finish_form", actions.finish, "已确认完成")


# ---- public (no login) ------------------------------------------------------------------------


def public_list(request):
    return render(request, "topics/public/list.html", {"page": paginate(request, queries.public_topics())})


def public_detail(request, pk: int):
    topic = queries.get_public_topic(pk)
    context = {"topic": topic, "places": list(topic.places.order_by("path")), "milestones": list(topic.milestones.all()),
               "progress": list(topic.progress.all())}
    return render(request, "topics/public/detail.html", context)
