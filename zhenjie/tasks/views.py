from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import reach_of, visible_areas
from zhenjie.kernel.workflow import available_for
from zhenjie.units.models import Unit
from zhenjie.units.queries import units_for
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, queries
from .forms import ReasonForm, ResultForm, TaskForm
from .workflow import ISSUERS, TASK_WORKFLOW


ASSIGNABLE_KINDS = [Unit.Kind.TOWNSHIP_GOVERNMENT, Unit.Kind.OFFICE, Unit.Kind.CENTRE, Unit.Kind.STATIONED, Unit.Kind.VILLAGE_COMMITTEE]


def _assignable_units(user):
    """Units the user may hand work to: township units and villages inside their jurisdiction."""
    return units_for(user).filter(kind__in=ASSIGNABLE_KINDS, area__in=visible_areas(user))


@staff_required
def task_list(request):
    rows = queries.tasks_for(request.user)
    phase = request.GET.get("phase", "")
    if phase in TASK_WORKFLOW.phases:
        rows = rows.filter(case__state__in=TASK_WORKFLOW.phases[phase].states)
    search = request.GET.get("q", "").strip()[:50]
    if search:
        rows = rows.filter(case__title__icontains=search)
    if request.GET.get("format") == "xlsx":
        book = excel.workbook(
            "交办件",
            ["编号", "标题", "交办单位", "承办单位", "状态", "交办时间", "办理期限", "办结时间"],
            (
                [t.case.number, t.case.title, t.issued_by_unit.name, t.assignee_unit.name, TASK_WORKFLOW.state_label(t.case.state), t.case.opened_at, t.case.due_at, t.case.closed_at]
                for t in rows[: excel.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
            ),
            widths=[24, 36, 18, 18, 10, 18, 18, 18],
        )
        return excel.xlsx_response("交办件", book)
    page = paginate(request, rows)
    context = {
        "page": page,
        "phases": TASK_WORKFLOW.phases,
        "phase": phase,
        "search": search,
        "query": query_without_page(request),
        "workflow": TASK_WORKFLOW,
        "can_issue": bool(reach_of(request.user).roles & ISSUERS),
    }
    return render(request, "tasks/task_list.html", context)


@staff_required
def task_new(request):
    form = TaskForm(request.POST or None, units=_assignable_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            task = actions.assign_task(
                request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                assignee_unit=form.cleaned_data["assignee_unit"],
                working_days=form.cleaned_data["working_days"],
            )
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已交办：{task.case.number}")
            return redirect("tasks:detail", task.case_id)
    return render(request, "tasks/task_form.html", {"form": form})


def _detail_context(request, task, **forms):
    case = task.case
    return {
        "task": task,
        "case": case,
        "state_label": TASK_WORKFLOW.state_label(case.state),
        "transitions": available_for(request.user, case),
        "entries": journal.entries_for_case(case),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "result_form": forms.get("result_form") or ResultForm(),
        "error": forms.get("error"),
    }


@staff_required
def task_detail(request, case_id: int):
    task = queries.get_task_for(request.user, case_id)
    return render(request, "tasks/task_detail.html", _detail_context(request, task))


@require_POST
@staff_required
def task_act(request, case_id: int, action: str):
    """One endpoint for the task's transitions; the action decides whether it is allowed."""
    task = queries.get_task_for(request.user, case_id)
    forms = {}
    try:
        if action == "acknowledge":
            actions.acknowledge_task(request.user, task)
        elif action == "report_back":
            form = forms["result_form"] = ResultForm(request.POST)
            if form.is_valid():
                actions.report_task(request.user, task, form.cleaned_data["result"])
        elif action == "close":
            actions.close_task(request.user, task)
        elif action in ("return", "cancel"):
            form = forms["reason_form"] = ReasonForm(request.POST)
            if form.is_valid():
                (actions.return_task if action == "return" else actions.cancel_task)(request.user, task, form.cleaned_data["reason"])
        else:
            raise Http404("不支持的操作")
    except ActionError as error:
        forms["error"] = error.message
    failed = forms.get("error") or any(getattr(form, "errors", None) for form in forms.values())
    if not failed:
        messages.success(request, "操作成功")
        if request.htmx:
            # The whole page changes (state, timeline, buttons): ask HTMX to load it afresh.
            # Not a 302: the browser would follow it inside the XHR and swap a whole page in.
            return HttpResponse(status=204, headers={"HX-Redirect": reverse("tasks:detail", args=[case_id])})
        return redirect("tasks:detail", case_id)
    task = queries.get_task_for(request.user, case_id)
    # HTMX swaps only 2xx answers, so a form with errors comes back as 200 with the panel.
    template = "tasks/_task_panel.html" if request.htmx else "tasks/task_detail.html"
    return render(request, template, _detail_context(request, task, **forms))
