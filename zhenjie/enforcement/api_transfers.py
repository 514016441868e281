"""Transfers over the API (part 8): the list (scoped: a department sees the transfers it sent or
was sent) and a department's transfer in; the county's acknowledgement deadline is on
GET|PUT /api/enforcement/settings. The steps on a case — transfer_out (with `department`), accept_transfer, refuse_transfer /
refuse_registered_transfer, acknowledge_transfer, return_transfer — are the kit's step endpoint
(POST /api/enforcement/{id}/{step})."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, PageOut, PageQuery, UnitBrief, page_of

from . import queries_transfers
from .actions.lifecycle import FACTS_MAX
from .actions.transfers import IncomingTransfer, receive_transfer
from .api import CaseOut

router = Router(tags=["综合执法"])


class TransferOut(Schema):
    id: int
    direction: str = Field(description="out 乡镇移送部门、in 部门移送乡镇")
    direction_label: str
    case: CaseOut = Field(alias="enforcement")
    department: UnitBrief
    team: UnitBrief
    reason: str
    letter_number: str = Field(description="移送函文号(移出为本队出具的案件移送函)")
    power_code: str
    facts: str
    evidence_list: list[dict] = Field(description="随案移送的证据清单(名称、种类、取证时间、SHA-256)")
    sent_at: datetime
    acknowledge_due: datetime = Field(description="签收时限")
    answer: str = Field(description="pending 待签收、accepted 已签收、refused 已退回")
    answer_reason: str
    answered_at: datetime | None
    overdue: bool = Field(description="超过签收时限仍未签收，或签收晚于时限")
    document_id: int | None = Field(description="案件移送函(GET /api/documents/{id}/pdf)")

    @staticmethod
    def resolve_direction_label(transfer):
        return transfer.get_direction_display()

    @staticmethod
    def resolve_overdue(transfer):
        return queries_transfers.is_overdue(transfer)


class TransferPageOut(PageOut):
    items: list[TransferOut]


class TransferFilter(PageQuery):
    direction: str = Field("", pattern="^(|out|in)$", description="out 移出、in 移入")
    answer: str = Field(
        "", pattern="^(|pending|accepted|refused)$", description="pending 待签收、accepted 已签收、refused 已退回"
    )


@router.get(
    "/enforcement/transfers", response={200: TransferPageOut, **ERRORS}, summary="案件移送列表(辖区内；部门看本部门移送或收到的)"
)
def list_transfers(request, filters: Query[TransferFilter]):
    rows = queries_transfers.filtered(queries_transfers.transfers_for(request.auth), filters.direction, filters.answer)
    return page_of(rows, filters)


class TransferIn(Schema):
    township_id: int = Field(ge=1, le=MAX_ID, description="接收的乡镇(街道)，须为本县")
    title: str = Field(min_length=1, max_length=200, description="案由")
    place: str = Field(min_length=1, max_length=200)
    facts: str = Field(min_length=1, max_length=FACTS_MAX)
    reason: str = Field(min_length=1, max_length=2000, description="移送理由")
    occurred_on: date = Field(description="违法行为发生(终了)日期，不晚于今天")
    letter_number: str = Field("", max_length=64, description="移送函文号")
    power_code: str = Field("", max_length=64, description="所涉权责事项编码；填写时须为该乡镇当日可行使的事项")


@router.post("/enforcement/transfers", response={201: TransferOut, **ERRORS}, summary="县直部门向乡镇(街道)移送案件")
def create_transfer(request, payload: TransferIn):
    values = payload.dict()
    enforcement = receive_transfer(request.auth, IncomingTransfer(township=values.pop("township_id"), **values))
    return Status(201, queries_transfers.transfers_for(request.auth).get(enforcement=enforcement))
