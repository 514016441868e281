from datetime import datetime

from ninja import Field, Router, Schema, Status

from zhenjie.api.kit import list_alias, step_alias
from zhenjie.api.schemas import AreaBrief, ERRORS, MAX_ID, PageOut, RecordId, TimelineOut, UnitBrief
from zhenjie.kernel import journal
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.units.queries import get_unit_for

from . import actions, queries
from .kit import TASKS
from .workflow import MAX_WORKING_DAYS, TASK_WORKFLOW, TEXT_MAX, TITLE_MAX

router = Router(tags=["交办件"])


class TaskOut(Schema):
    id: int = Field(alias="case_id", description="事项ID")
    number: str = Field(alias="case.number")
    title: str = Field(alias="case.title")
    state: str = Field(alias="case.state")
    state_label: str
    area: AreaBrief = Field(alias="case.area")
    description: str
    result: str
    issued_by_unit: UnitBrief
    assignee_unit: UnitBrief
    opened_at: datetime = Field(alias="case.opened_at")
    due_at: datetime | None = Field(alias="case.due_at")
    due_uncertain: bool = Field(alias="case.due_uncertain")
    closed_at: datetime | None = Field(alias="case.closed_at")

    @staticmethod
    def resolve_state_label(task):
        return TASK_WORKFLOW.state_label(task.case.state)


class TaskPageOut(PageOut):
    items: list[TaskOut]


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(min_length=1, max_length=TEXT_MAX)
    assignee_unit_id: int = Field(ge=1, le=MAX_ID)
    working_days: int = Field(ge=1, le=MAX_WORKING_DAYS)


list_alias(router, TASKS, "交办件列表(辖区内)", TaskPageOut)


@router.post("/tasks", response={201: TaskOut, **ERRORS}, summary="交办工作")
def create_task(request, payload: TaskIn):
    try:
        unit = get_unit_for(request.auth, payload.assignee_unit_id)
    except NotFound:
        raise Rejected("task.assignee_outside", "所选承办单位不存在或不在您的辖区内", field="assignee_unit_id") from None
    task = actions.assign_task(
        request.auth, title=payload.title, description=payload.description, assignee_unit=unit, working_days=payload.working_days
    )
    return Status(201, queries.get_task_for(request.auth, task.case_id))


@router.get("/tasks/{case_id}", response={200: TaskOut, **ERRORS}, summary="一件交办件")
def get_task(request, case_id: RecordId):
    return queries.get_task_for(request.auth, case_id)


@router.get("/tasks/{case_id}/journal", response={200: list[TimelineOut], **ERRORS}, summary="办理过程")
def task_journal(request, case_id: RecordId):
    task = queries.get_task_for(request.auth, case_id)
    return list(journal.entries_for_case(task.case))


for name, summary in (("acknowledge", "签收"), ("report_back", "反馈办理结果"), ("close", "办结"), ("return", "退回重办"), ("cancel", "撤销")):
    step_alias(router, TASKS, name, summary, TaskOut)
