"""Enforcement cases over the API: the list (scoped), the officer's queue, one case with its
timeline, opening a lead, and the powers a case may be registered under. The steps (register,
decline, transfer_out, suspend, resume, terminate) go through the kit's step endpoint
(POST /api/enforcement/{id}/{step}); the export through GET /api/enforcement/export."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.kit import list_alias
from zhenjie.api.schemas import ERRORS, AreaBrief, PageOut, PageQuery, RecordId, TimelineOut, UnitBrief
from zhenjie.kernel import journal
from zhenjie.lists.search import SEARCH_MAX

from . import queries
from .actions.lifecycle import FACTS_MAX, Lead, open_lead
from .kit import CASES
from .workflow import ENFORCEMENT_WORKFLOW

router = Router(tags=["综合执法"])


class PartyBrief(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str = Field(description="身份证号或统一社会信用代码(脱敏)")
    phone_masked: str = Field(description="联系电话(脱敏)")


class CaseOut(Schema):
    id: int = Field(alias="case_id", description="案件ID")
    number: str = Field(alias="case.number")
    title: str = Field(alias="case.title", description="案由")
    state: str = Field(alias="case.state")
    state_label: str
    area: AreaBrief = Field(alias="case.area")
    team: UnitBrief
    source: str = Field(description="event 事件转来、patrol 巡查发现、complaint 投诉举报、transfer 部门移送、inspection 执法检查")
    event_id: int | None = Field(alias="case.parent_id", description="转来线索的事件ID")
    party: PartyBrief | None
    place: str
    facts: str
    occurred_on: date | None = Field(description="违法行为发生(终了)日期")
    endangers_safety: bool = Field(description="涉及生命健康安全、金融安全且有危害后果(追责时效5年)")
    discovered_at: datetime
    power_code: str = Field(description="立案所依权责事项编码(立案时自清单复制)")
    power_name: str
    legal_basis: str
    power_source: str = Field(description="power_list 本镇权责清单、delegation 赋权清单；未立案为空")
    delegation_id: int | None
    registered_at: datetime | None
    opened_at: datetime = Field(alias="case.opened_at")
    due_at: datetime | None = Field(alias="case.due_at", description="作出处罚决定的期限(立案起90日，中止期间不计)")
    paused: bool = Field(alias="case.is_paused", description="中止中，期限不计算")
    closed_at: datetime | None = Field(alias="case.closed_at")
    is_major: bool = Field(description="重大执法决定：决定前须法制审核(《行政处罚法》第五十八条)")
    is_serious: bool = Field(description="情节复杂或重大违法：须负责人集体讨论决定(第五十七条)")
    fine_amount: Decimal | None = Field(description="罚款金额(元)，决定后")
    decided_at: datetime | None

    @staticmethod
    def resolve_state_label(enforcement):
        return ENFORCEMENT_WORKFLOW.state_label(enforcement.case.state)


class CasePageOut(PageOut):
    items: list[CaseOut]


class LeadIn(Schema):
    source: str = Field(description="event 事件转来、patrol 巡查发现、complaint 投诉举报、inspection 执法检查")
    event: int | str | None = Field(None, description="事件编号(如 甲镇事〔2026〕第12号)或事件ID；来源为 event 时必填")
    title: str = Field(min_length=1, max_length=200, description="案由")
    place: str = Field(min_length=1, max_length=200)
    facts: str = Field(min_length=1, max_length=FACTS_MAX)
    occurred_on: date = Field(description="违法行为发生(终了)日期，不晚于今天")
    endangers_safety: bool = False
    party_kind: str = Field("", description="person 个人、organisation 单位；空为当事人尚不明确")
    party_name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


list_alias(router, CASES, "执法案件列表(辖区内)", CasePageOut)


@router.post("/enforcement", response={201: CaseOut, **ERRORS}, summary="登记案件线索")
def create_lead(request, payload: LeadIn):
    enforcement = open_lead(request.auth, Lead(**payload.dict()))
    return Status(201, queries.get_case_for(request.auth, enforcement.case_id))


class QueueItemOut(Schema):
    assignment_id: int
    todo: str
    todo_label: str
    due_at: datetime | None
    case: CaseOut


class QueuePageOut(PageOut):
    items: list[QueueItemOut]


@router.get("/enforcement/queue", response={200: QueuePageOut, **ERRORS}, summary="执法待办(本队未办结的工作，期限最近的在前)")
def queue(request, query: Query[PageQuery]):
    rows = queries.queue_for(request.auth)
    start = (query.page - 1) * query.page_size
    page = rows[start : start + query.page_size]
    items = [{"assignment_id": r.work.pk, "todo": r.work.todo, "todo_label": r.todo_label, "due_at": r.work.due_at, "case": r.enforcement} for r in page]
    return {"count": rows.count(), "count_capped": False, "page": query.page, "page_size": query.page_size, "items": items, "next_cursor": None}


class PowerOut(Schema):
    code: str
    name: str
    basis: str = Field(description="本镇权责清单或赋权清单(批次)")


class PowerQuery(Schema):
    q: str = Field("", max_length=SEARCH_MAX, description="事项名称、编码或拼音首字母")


@router.get("/enforcement/{case_id}/powers", response={200: list[PowerOut], **ERRORS}, summary="该案今日可立案的行政处罚事项")
def powers(request, case_id: RecordId, query: Query[PowerQuery]):
    enforcement = queries.get_case_for(request.auth, case_id)
    return queries.registrable_powers(enforcement.team.area, timezone.localdate(), query.q)


@router.get("/enforcement/{case_id}", response={200: CaseOut, **ERRORS}, summary="一件执法案件")
def get_case(request, case_id: RecordId):
    return queries.get_case_for(request.auth, case_id)


@router.get("/enforcement/{case_id}/journal", response={200: list[TimelineOut], **ERRORS}, summary="办理过程")
def case_journal(request, case_id: RecordId):
    return list(journal.entries_for_case(queries.get_case_for(request.auth, case_id).case))
