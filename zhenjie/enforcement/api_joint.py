"""Joint enforcement operations over the API (part 8): the list and one operation (scoped), plan,
record a unit's part, finish, cancel — each the action of the same name in actions/joint.py."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, AreaBrief, PageOut, PageQuery, RecordId, UnitBrief, page_of

from . import queries_joint
from .actions import joint

router = Router(tags=["综合执法"])


class ParticipantOut(Schema):
    id: int
    unit: UnitBrief
    task: str
    headcount: int
    people: int | None
    work_done: str
    findings: str
    recorded_at: datetime | None


class LinkedCaseOut(Schema):
    id: int = Field(alias="case_id")
    number: str = Field(alias="case.number")
    title: str = Field(alias="case.title")


class OperationOut(Schema):
    id: int
    township: AreaBrief
    title: str
    planned_at: datetime
    place: str
    lead_unit: UnitBrief
    status: str = Field(description="planned 已计划、done 已完成、cancelled 已取消")
    summary: str
    participants: list[ParticipantOut]
    cases: list[LinkedCaseOut]

    @staticmethod
    def resolve_participants(operation):
        return list(operation.participants.all())

    @staticmethod
    def resolve_cases(operation):
        return list(operation.cases.all())


class OperationPageOut(PageOut):
    items: list[OperationOut]


class PartIn(Schema):
    unit_id: int = Field(ge=1, le=MAX_ID)
    task: str = Field(min_length=1, max_length=joint.TASK_MAX, description="职责分工")
    headcount: int = Field(ge=1, le=joint.HEADCOUNT_MAX, description="计划人数")


class PlanIn(Schema):
    title: str = Field(min_length=1, max_length=joint.TITLE_MAX)
    planned_at: datetime
    place: str = Field(min_length=1, max_length=joint.PLACE_MAX)
    participants: list[PartIn] = Field(min_length=1, max_length=joint.MAX_PARTICIPANTS)
    case_ids: list[int] = Field([], max_length=joint.MAX_CASES, description="关联的本乡镇执法案件ID")


class RecordIn(Schema):
    people: int = Field(ge=0, le=joint.HEADCOUNT_MAX, description="实到人数")
    work_done: str = Field(min_length=1, max_length=joint.TEXT_MAX, description="开展情况")
    findings: str = Field("", max_length=joint.TEXT_MAX, description="发现问题")


class CloseIn(Schema):
    text: str = Field(min_length=1, max_length=joint.TEXT_MAX, description="完成时为行动总结，取消时为取消理由")


@router.get("/enforcement/joint", response={200: OperationPageOut, **ERRORS}, summary="联合执法行动列表(辖区内，及本单位参与的)")
def list_operations(request, query: Query[PageQuery]):
    return page_of(queries_joint.operations_for(request.auth), query)


@router.post("/enforcement/joint", response={201: OperationOut, **ERRORS}, summary="计划联合执法行动")
def plan(request, payload: PlanIn):
    parts = [joint.Part(unit=p.unit_id, task=p.task, headcount=p.headcount) for p in payload.participants]
    operation = joint.plan_operation(request.auth, joint.Plan(title=payload.title, planned_at=payload.planned_at, place=payload.place,
                                                             participants=parts, cases=payload.case_ids))  # fmt: skip
    return Status(201, queries_joint.get_operation_for(request.auth, operation.pk))


@router.get("/enforcement/joint/{operation_id}", response={200: OperationOut, **ERRORS}, summary="一次联合执法行动")
def get_operation(request, operation_id: RecordId):
    return queries_joint.get_operation_for(request.auth, operation_id)


@router.post("/enforcement/joint/{operation_id}/participants/{participant_id}", response={200: OperationOut, **ERRORS},
             summary="记录参与单位的开展情况(该单位或牵头执法队)")  # fmt: skip
def record(request, operation_id: RecordId, participant_id: RecordId, payload: RecordIn):
    participant = queries_joint.get_participant_for(request.auth, operation_id, participant_id)
    joint.record_part(request.auth, participant, payload.people, payload.work_done, payload.findings)
    return queries_joint.get_operation_for(request.auth, operation_id)


@router.post(
    "/enforcement/joint/{operation_id}/finish", response={200: OperationOut, **ERRORS}, summary="完成联合执法行动(附总结)"
)
def finish(request, operation_id: RecordId, payload: CloseIn):
    joint.finish_operation(request.auth, queries_joint.get_operation_for(request.auth, operation_id), payload.text)
    return queries_joint.get_operation_for(request.auth, operation_id)


@router.post(
    "/enforcement/joint/{operation_id}/cancel", response={200: OperationOut, **ERRORS}, summary="取消联合执法行动(附理由)"
)
def cancel(request, operation_id: RecordId, payload: CloseIn):
    joint.cancel_operation(request.auth, queries_joint.get_operation_for(request.auth, operation_id), payload.text)
    return queries_joint.get_operation_for(request.auth, operation_id)
