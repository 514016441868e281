"""Every change to a task (交办件). Each is one transaction through the kernel's workflow engine."""

from django.db import transaction

from zhenjie.kernel import workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.scoping import reach_of
from zhenjie.kernel.workflow import clean_inputs

from .models import Task
from .workflow import ASSIGN_INPUTS, ISSUERS, KIND, TASK_WORKFLOW



def _issuing_unit(actor, area):
    """The unit of the actor's post that may hand work to units in `area`."""
    reach = reach_of(actor)
    for post in reach.posts:
        if post.path and area.path.startswith(post.path) and post.roles & ISSUERS:
            return post.unit_id
    return None


@transaction.atomic
def assign_task(actor, *, title: str, description: str, assignee_unit, working_days: int, opened_at=None) -> Task:
    """Hand work to a unit. `opened_at` is for importers carrying over the original time."""
    if assignee_unit is None:
        raise Rejected("task.assignee_required", "请选择承办单位", field="assignee_unit")
    issuing_unit_id = _issuing_unit(actor, assignee_unit.area)
    if issuing_unit_id is None:
        if reach_of(actor).covers(assignee_unit.area):
            raise Forbidden("task.not_allowed", "只有乡镇(街道)领导、指挥中心调度员或县级管理员可以交办工作")
        raise Rejected("task.assignee_outside", "所选承办单位不在您的辖区内", field="assignee_unit")
    values = clean_inputs(ASSIGN_INPUTS, {"title": title, "description": description, "working_days": working_days}, "交办工作", "task")
    title, description, working_days = values["title"], values["description"], values["working_days"]

    from zhenjie.units.models import Unit

    issuing_unit = Unit.objects.get(pk=issuing_unit_id)
    case = workflow.open_case(
        actor,
        kind=KIND,
        title=title,
        area=assignee_unit.area,
        owner_unit=assignee_unit,
        channel="task",
        limit=Limit(working_days),
        number_unit=issuing_unit,
        opened_at=opened_at,
        assign=[Assign(assignee_unit, "acknowledge")],
        data={"assignee_unit": assignee_unit.pk, "working_days": working_days},
    )
    return Task.objects.create(case=case, description=description, issued_by_unit=issuing_unit, assignee_unit=assignee_unit)


def _to_assignee(task: Task, todo: str) -> Assign:
    return Assign(task.assignee_unit, todo)


def acknowledge_task(actor, task: Task) -> Task:
    workflow.perform(actor, task.case, "acknowledge", assign=[_to_assignee(task, "report_back")])
    return task


@transaction.atomic
def report_task(actor, task: Task, result: str) -> Task:
    result = TASK_WORKFLOW.transitions["report_back"].clean({"result": result})["result"]
    review = Assign(task.issued_by_unit, "review")
    workflow.perform(actor, task.case, "report_back", assign=[review], data={"result": result})
    Task.objects.filter(pk=task.pk).update(result=result)
    task.result = result
    return task


def close_task(actor, task: Task) -> Task:
    workflow.perform(actor, task.case, "close")
    return task


def return_task(actor, task: Task, reason: str) -> Task:
    workflow.perform(actor, task.case, "return", reason=reason, assign=[_to_assignee(task, "report_back")])
    return task


def cancel_task(actor, task: Task, reason: str) -> Task:
    workflow.perform(actor, task.case, "cancel", reason=reason)
    return task
