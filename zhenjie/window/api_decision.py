"""The decision part over the API: read an application's decision and hand-over, decide, hand over.
The same actions as the pages; out of reach is 404, not allowed 403, out of turn 409, bad input
400 with a Chinese message (api/schemas.ERRORS)."""

from datetime import datetime

from ninja import Field, Router, Schema

from zhenjie.api.schemas import ERRORS, MAX_ID, RecordId
from zhenjie.kernel.models import Assignment
from zhenjie.kernel.workflow import REASON_MAX

from .actions.decision import approve_application, refuse_application
from .actions.delivery import COLLECTION_NOTE_MAX, POST_ADDRESS_MAX, change_collection, collection_of, deliver_application
from .actions.joint import give_opinion
from .models import DeliveryMethod, Handover, Opinion
from .queries import get_application_for
from .workflow import APPLICATION_WORKFLOW

router = Router(tags=["便民服务：审批与出件"])


class HandoverOut(Schema):
    method: str
    received_by: str
    tracking_number: str
    handed_over_at: datetime
    slip_number: str = Field(alias="slip.number")


class OpinionOut(Schema):
    unit_id: int
    unit: str = Field(alias="unit.name")
    lead: bool
    decision: str
    reason: str
    legal_basis: str
    overruling: str
    decided_at: datetime


class DecisionOut(Schema):
    id: int = Field(description="事项ID")
    number: str
    state: str
    state_label: str
    decision: str
    decision_reason: str
    legal_basis: str
    decided_at: datetime | None
    decided_late: bool
    handover_due_at: datetime | None = Field(description="出件期限(许可证件：决定之日起10个工作日)")
    handover: HandoverOut | None
    opinions: list[OpinionOut] = Field(description="联合办理：各审批单位意见(牵头单位在前)")


def decision_out(application) -> dict:
    case = application.case
    due = Assignment.objects.filter(case=case, todo="deliver").order_by("-pk").values_list("due_at", flat=True).first()
    return {
        "id": case.pk, "number": case.number, "state": case.state, "state_label": APPLICATION_WORKFLOW.state_label(case.state),
        "decision": application.decision, "decision_reason": application.decision_reason, "legal_basis": application.legal_basis,
        "decided_at": application.decided_at, "decided_late": application.decided_late, "handover_due_at": due,
        "handover": Handover.objects.filter(application=application).select_related("slip").first(),
        "opinions": list(Opinion.objects.filter(application=application).select_related("unit")),
    }  # fmt: skip


class ApproveIn(Schema):
    opinion: str = Field("", max_length=REASON_MAX)
    overruling: str = Field("", max_length=REASON_MAX, description="联合办理：有单位不同意而仍准予的，不采纳其意见的理由")


class OpinionIn(Schema):
    decision: str = Field(max_length=16, description="approved 同意 / refused 不同意")
    reason: str = Field("", max_length=REASON_MAX, description="不同意的须说明理由")


class RefuseIn(Schema):
    reason: str = Field(max_length=REASON_MAX)


class DeliverIn(Schema):
    method: str = Field("", max_length=16, description="window 窗口领取 / post 邮寄送达 / agent_point 代办点领取；空为默认")
    tracking_number: str = Field("", max_length=64)
    received_by: str = Field("", max_length=50)


@router.get("/window/applications/{case_id}/decision", response={200: DecisionOut, **ERRORS}, summary="审批决定与出件情况")
def get_decision(request, case_id: RecordId):
    return decision_out(get_application_for(request.auth, case_id))


@router.post("/window/applications/{case_id}/approve", response={200: DecisionOut, **ERRORS}, summary="准予")
def approve(request, case_id: RecordId, payload: ApproveIn):
    application = approve_application(request.auth, get_application_for(request.auth, case_id), opinion=payload.opinion,
                                      overruling=payload.overruling)
    return decision_out(application)


@router.post("/window/applications/{case_id}/opinion", response={200: DecisionOut, **ERRORS}, summary="联合办理：本单位提出意见")
def opinion(request, case_id: RecordId, payload: OpinionIn):
    application = get_application_for(request.auth, case_id)
    give_opinion(request.auth, application, decision=payload.decision, reason=payload.reason)
    return decision_out(application)


@router.post("/window/applications/{case_id}/refuse", response={200: DecisionOut, **ERRORS}, summary="不予(须说明理由)")
def refuse(request, case_id: RecordId, payload: RefuseIn):
    return decision_out(refuse_application(request.auth, get_application_for(request.auth, case_id), payload.reason))


@router.post("/window/applications/{case_id}/deliver", response={200: DecisionOut, **ERRORS}, summary="出件(出具送达回证)")
def deliver(request, case_id: RecordId, payload: DeliverIn):
    application = get_application_for(request.auth, case_id)
    return decision_out(deliver_application(request.auth, application, method=payload.method, tracking_number=payload.tracking_number,
                                            received_by=payload.received_by))  # fmt: skip


class CollectionIn(Schema):
    method: str = Field(max_length=16, description="window 窗口领取 / post 邮寄送达 / agent_point 代办点领取")
    point_id: int | None = Field(None, ge=1, le=MAX_ID, description="代办点领取的，代办点所在单位ID(本乡镇在用的村级代办点)")
    address: str = Field("", max_length=POST_ADDRESS_MAX, description="邮寄送达的邮寄地址")
    note: str = Field("", max_length=COLLECTION_NOTE_MAX, description="说明，如申请人来电要求改为邮寄")


class CollectionOut(Schema):
    id: int = Field(description="事项ID")
    method: str
    method_label: str
    unit_id: int = Field(description="出件单位ID")
    unit: str = Field(description="出件单位")
    post_address: str


@router.post("/window/applications/{case_id}/collection", response={200: CollectionOut, **ERRORS}, summary="更改领取方式(出件前，申请人要求)")
def collection(request, case_id: RecordId, payload: CollectionIn):
    application = change_collection(request.auth, get_application_for(request.auth, case_id), method=payload.method,
                                    point=payload.point_id, address=payload.address, note=payload.note)  # fmt: skip
    method, unit = collection_of(application), application.handover_unit
    return {"id": application.case_id, "method": method, "method_label": DeliveryMethod(method).label, "unit_id": unit.pk,
            "unit": unit.name, "post_address": application.post_address}  # fmt: skip
