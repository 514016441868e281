from django.contrib import messages
from django.shortcuts import redirect, render

from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import reach_of, visible_areas
from zhenjie.kernel.workflow import available_for
from zhenjie.units.models import Unit
from zhenjie.units.queries import units_for
from zhenjie.workbench.kit import step_forms
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, queries
from .forms import TaskForm
from .kit import TASKS
from .workflow import ISSUERS, TASK_WORKFLOW

ASSIGNABLE_KINDS = [Unit.Kind.TOWNSHIP_GOVERNMENT, Unit.Kind.OFFICE, Unit.Kind.SERVICE_CENTRE, Unit.Kind.CENTRE, Unit.Kind.STATIONED, Unit.Kind.VILLAGE_COMMITTEE]


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
        return TASKS.export(request.user, rows)
    context = {
        "page": paginate(request, rows), "phases": TASK_WORKFLOW.phases, "phase": phase, "search": search,
        "query": query_without_page(request), "workflow": TASK_WORKFLOW, "can_issue": bool(reach_of(request.user).roles & ISSUERS),
    }
    return render(request, "tasks/task_list.html", context)


@staff_required
def task_new(request):
    form = TaskForm(request.POST or None, units=_assignable_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            task = actions.assign_task(request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已交办：{task.case.number}")
            return redirect("tasks:detail", task.case_id)
    return render(request, "tasks/task_form.html", {"form": form})


def render_detail(request, task, forms=None, error=None, action=""):
    """The task sheet; after a refused step (kit.act), with the error, and under HTMX only its panel
    (HTMX swaps only 2xx answers, so a form with errors comes back as 200 with the panel)."""
    case = task.case
    context = {
        "task": task, "case": case, "state_label": TASK_WORKFLOW.state_label(case.state), "entries": journal.entries_for_case(case),
        "steps": step_forms(TASKS, available_for(request.user, case), forms), "error": error,
    }
    template = "tasks/_task_panel.html" if request.htmx and request.method == "POST" else "tasks/task_detail.html"
    return render(request, template, context)


@staff_required
def task_detail(request, case_id: int):
    return render_detail(request, queries.get_task_for(request.user, case_id))
