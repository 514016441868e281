"""Joint operations' pages under /enforcement/joint/ (namespace `enforcement_joint`): the list,
the plan form, the operation with each unit's part and the forms to record it, finish or cancel.
Thin: reads through queries_joint, changes through actions/joint.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.workbench.paging import paginate
from zhenjie.workbench.views import staff_required

from . import queries_joint
from .actions import joint
from .actions.transfers import team_of_township
from .forms_joint import CloseForm, PartForm, PlanForm, units_for_township


def _planner_township(user):
    try:
        return joint.township_of_planner(user)
    except ActionError:
        return None


@staff_required
def operation_list(request):
    return render(request, "enforcement/joint/operation_list.html", {
        "page": paginate(request, queries_joint.operations_for(request.user)), "can_plan": _planner_township(request.user) is not None,
    })  # fmt: skip


@staff_required
def operation_new(request):
    township = _planner_township(request.user)
    if township is None:
        raise PermissionDenied("只有乡镇(街道)综合执法队的执法人员或乡镇领导可以组织联合执法")
    try:
        units = units_for_township(township, team_of_township(township))
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("enforcement_joint:list")
    form = PlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = joint.plan_operation(request.user, joint.Plan(title=data["title"], planned_at=data["planned_at"], place=data["place"],
                                                                      participants=form.parts(), cases=data["cases"]))  # fmt: skip
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已计划联合执法行动")
            return redirect("enforcement_joint:detail", operation.pk)
    return render(request, "enforcement/joint/operation_form.html", {"form": form, "township": township})


def _detail(request, operation, part_forms=None, close_form=None, status=200):
    may_plan = joint.may_plan(request.user, operation.township)
    parts = [(p, (part_forms or {}).get(p.pk) or PartForm(initial={"people": p.people, "work_done": p.work_done, "findings": p.findings}),
              joint.may_record(request.user, p)) for p in operation.participants.all()]  # fmt: skip
    return render(request, "enforcement/joint/operation_detail.html", {
        "operation": operation, "parts": parts, "may_plan": may_plan, "close_form": close_form or CloseForm(),
        "planned": operation.status == "planned", "cases": list(operation.cases.all()),
    }, status=status)  # fmt: skip


@staff_required
def operation_detail(request, pk: int):
    return _detail(request, queries_joint.get_operation_for(request.user, pk))


@require_POST
@staff_required
def record(request, pk: int, participant_id: int):
    participant = queries_joint.get_participant_for(request.user, pk, participant_id)
    form = PartForm(request.POST)
    if form.is_valid():
        try:
            joint.record_part(
                request.user,
                participant,
                form.cleaned_data["people"],
                form.cleaned_data["work_done"],
                form.cleaned_data["findings"],
            )
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已记录{participant.unit.name}的参与情况")
            return redirect("enforcement_joint:detail", pk)
    return _detail(request, queries_joint.get_operation_for(request.user, pk), part_forms={participant.pk: form})


@require_POST
@staff_required
def close(request, pk: int, how: str):
    operation = queries_joint.get_operation_for(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            (joint.finish_operation if how == "finish" else joint.cancel_operation)(
                request.user, operation, form.cleaned_data["text"]
            )
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "已完成" if how == "finish" else "已取消")
            return redirect("enforcement_joint:detail", pk)
    return _detail(request, queries_joint.get_operation_for(request.user, pk), close_form=form)
