"""The review and decision on the pages: the case page's panel (reviews with their opinions, the
collective meetings, the decision with its papers; the meeting and extension forms the user may
use now), and the county's discretion benchmarks under /enforcement/benchmarks/ (list with Excel,
add, edit — the county administrator). Thin: reads through queries, changes through actions."""

from django.contrib import messages
from django.shortcuts import redirect, render

from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.workflow import Permitted, permitted_actions
from zhenjie.workbench import excel
from zhenjie.workbench.kit import step_forms
from zhenjie.workbench.paging import paginate
from zhenjie.workbench.views import staff_required

from . import benchmarks
from .forms_decision import BenchmarkForm, DecisionForm, MeetingForm
from .kit import CASES
from .queries_decision import decision_of, meetings_of, reviews_of

# The case's actions that are not transitions but steps of the kit, shown with the transitions.
ACTIONS = ("classify", "record_meeting", "request_extension", "decide_extension")


def decision_forms(enforcement, bound=None) -> dict:
    """The forms that list the case's own choices (its benchmarks, its township's people), made
    for this case; the one that just failed stays bound."""
    made = {"decide": DecisionForm(enforcement=enforcement), "record_meeting": MeetingForm(enforcement=enforcement)}
    return made | (bound or {})


def decision_context(user, enforcement, forms=None, permitted: Permitted | None = None) -> dict:
    """What the case page shows of the review and decision, and the forms of the actions the
    user may take now (their rules decide: rules_decision.py; `permitted` when the page has
    already weighed them)."""
    if permitted is None:
        permitted = permitted_actions(user, enforcement.case)
    actions = [permitted.actions[name] for name in ACTIONS if name in permitted.actions]
    return {
        "reviews": list(reviews_of(user, enforcement)), "meetings": list(meetings_of(user, enforcement)),
        "decision": decision_of(user, enforcement), "decision_steps": step_forms(CASES, actions, decision_forms(enforcement, forms)),
    }  # fmt: skip


@staff_required
def benchmark_list(request):
    rows = benchmarks.benchmarks_for(request.user)
    code = (request.GET.get("power_code") or "").strip()[:64]
    if code:
        rows = rows.filter(power_code__iexact=code)
    if request.GET.get("format") == "xlsx":
        return excel.export("裁量基准", benchmarks.COLUMNS, rows.iterator(chunk_size=2000))
    can_add = benchmarks.editable_counties(request.user).exists()
    context = {
        "page": paginate(request, rows),
        "can_add": can_add,
        "power_code": code,
        "extension_max": benchmarks.extension_max_for(request.user),
    }
    return render(request, "enforcement/benchmarks/benchmark_list.html", context)


def _values(data) -> benchmarks.BenchmarkValues:
    return benchmarks.BenchmarkValues(**data)


@staff_required
def benchmark_new(request):
    form = BenchmarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            benchmarks.add_benchmark(request.user, None, _values(form.cleaned_data))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已添加裁量基准")
            return redirect("enforcement_benchmarks:list")
    return render(request, "enforcement/benchmarks/benchmark_form.html", {"form": form, "title": "添加裁量基准"})


@staff_required
def benchmark_edit(request, pk: int):
    benchmark = benchmarks.get_benchmark_for(request.user, pk)
    initial = {name: getattr(benchmark, name) for name in BenchmarkForm.base_fields}
    form = BenchmarkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            benchmarks.change_benchmark(request.user, benchmark, _values(form.cleaned_data))
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已保存裁量基准")
            return redirect("enforcement_benchmarks:list")
    editable = benchmarks.can_edit(request.user, benchmark)
    return render(request, "enforcement/benchmarks/benchmark_form.html",
                  {"form": form, "title": f"裁量基准 {benchmark.power_code} {benchmark.circumstance}", "benchmark": benchmark, "editable": editable})  # fmt: skip
