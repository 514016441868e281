"""The review and decision over the API: the county's discretion benchmarks (list, add, change),
a case's reviews, meetings and decision, and the steps that take amounts, lists and dates —
decide, decide on the spot, record the collective meeting. The review, extension and
ready steps go through the kit's step endpoint (POST /api/enforcement/{id}/{step}). Amounts are
read by the actions (kernel.inputs.money), so text or a negative number is refused in Chinese
naming the field, as on the page."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, PageOut, PageQuery, RecordId, page_of

from . import benchmarks
from .actions import decision
from .queries import get_case_for
from .queries_decision import decision_of, meetings_of, reviews_of

router = Router(tags=["综合执法：审核与决定"])

Amount = int | float | str | None  # read by the action, which names what is wrong


class BenchmarkOut(Schema):
    id: int
    county_id: int
    power_code: str
    circumstance: str
    fine_min: Decimal
    fine_max: Decimal
    other_penalties: str
    source_document: str
    updated_at: datetime


class BenchmarkPageOut(PageOut):
    items: list[BenchmarkOut]


class BenchmarkQuery(PageQuery):
    power_code: str = Field("", max_length=64, description="权责事项编码")


class BenchmarkIn(Schema):
    power_code: str = Field(max_length=benchmarks.CODE_MAX)
    circumstance: str = Field(max_length=benchmarks.CIRCUMSTANCE_MAX, description="情节：从轻、一般、从重或具体情形")
    fine_min: Amount = Field(description="罚款下限(元)")
    fine_max: Amount = Field(description="罚款上限(元)")
    other_penalties: str = Field("", max_length=benchmarks.OTHER_MAX)
    source_document: str = Field(max_length=benchmarks.SOURCE_MAX, description="制定依据(文件名称及文号)")


@router.get("/enforcement/benchmarks", response={200: BenchmarkPageOut, **ERRORS}, summary="本县行政处罚裁量基准")
def list_benchmarks(request, query: Query[BenchmarkQuery]):
    rows = benchmarks.benchmarks_for(request.auth)
    if query.power_code.strip():
        rows = rows.filter(power_code__iexact=query.power_code.strip())
    return page_of(rows, query)


@router.post("/enforcement/benchmarks", response={201: BenchmarkOut, **ERRORS}, summary="添加裁量基准(县级管理员)")
def add_benchmark(request, payload: BenchmarkIn):
    return Status(201, benchmarks.add_benchmark(request.auth, None, benchmarks.BenchmarkValues(**payload.dict())))


@router.put("/enforcement/benchmarks/{benchmark_id}", response={200: BenchmarkOut, **ERRORS}, summary="修改裁量基准(县级管理员)")
def change_benchmark(request, benchmark_id: RecordId, payload: BenchmarkIn):
    benchmark = benchmarks.get_benchmark_for(request.auth, benchmark_id)
    return benchmarks.change_benchmark(request.auth, benchmark, benchmarks.BenchmarkValues(**payload.dict()))


class PersonOut(Schema):
    id: int
    name: str = Field(alias="display_name")


class ReviewOut(Schema):
    id: int
    reviewer: PersonOut
    passed: bool
    facts_clear: bool
    evidence_sufficient: bool
    procedure_lawful: bool
    basis_correct: bool
    penalty_appropriate: bool
    opinion: str
    return_reason: str
    document_id: int | None = Field(description="法制审核意见书")
    reviewed_at: datetime


class MeetingOut(Schema):
    id: int
    held_on: date
    attendees: list[PersonOut]
    minutes: str
    conclusion: str
    departure_reason: str

    @staticmethod
    def resolve_attendees(meeting):
        return list(meeting.attendees.all())


class DecisionOut(Schema):
    id: int
    summary: bool = Field(description="简易程序(当场处罚)")
    kinds: list[str]
    fine_amount: Decimal | None
    confiscation: str
    benchmark_id: int | None
    benchmark_text: str = Field(description="决定时适用的裁量基准(当时的幅度)")
    reasons: str
    meeting_id: int | None
    document_id: int | None = Field(description="行政处罚决定书")
    decided_at: datetime


class CaseDecisionOut(Schema):
    reviews: list[ReviewOut]
    meetings: list[MeetingOut]
    decision: DecisionOut | None


def _of_case(user, enforcement) -> dict:
    return {
        "reviews": list(reviews_of(user, enforcement)),
        "meetings": list(meetings_of(user, enforcement)),
        "decision": decision_of(user, enforcement),
    }


@router.get("/enforcement/{case_id}/decision", response={200: CaseDecisionOut, **ERRORS}, summary="法制审核、集体讨论与处罚决定")
def case_decision(request, case_id: RecordId):
    return _of_case(request.auth, get_case_for(request.auth, case_id))


class PenaltyIn(Schema):
    kinds: list[str] = Field(max_length=12, description="处罚种类：warning 警告、fine 罚款、confiscate_gains 没收违法所得……")
    fine_amount: Amount = Field(None, description="罚款金额(元)，选择罚款时必填")
    confiscation: str = Field("", max_length=decision.TEXT_MAX)
    benchmark_id: int | None = Field(None, ge=1, le=MAX_ID, description="适用的裁量基准ID(须属本案权责事项)")
    reasons: str = Field(max_length=decision.TEXT_MAX)


class SummaryIn(PenaltyIn):
    power_code: str = Field(max_length=64)


def _penalty(payload: PenaltyIn) -> decision.Penalty:
    return decision.Penalty(kinds=payload.kinds, fine_amount=payload.fine_amount, confiscation=payload.confiscation,
                            benchmark_id=payload.benchmark_id, reasons=payload.reasons)  # fmt: skip


@router.post("/enforcement/{case_id}/decide", response={200: CaseDecisionOut, **ERRORS}, summary="作出处罚决定(乡镇领导)")
def decide(request, case_id: RecordId, payload: PenaltyIn):
    enforcement = get_case_for(request.auth, case_id)
    decision.decide_case(request.auth, enforcement, _penalty(payload))
    return _of_case(request.auth, enforcement)


@router.post("/enforcement/{case_id}/summary_decide", response={200: CaseDecisionOut, **ERRORS}, summary="当场处罚(简易程序)")
def summary_decide(request, case_id: RecordId, payload: SummaryIn):
    enforcement = get_case_for(request.auth, case_id)
    decision.summary_decide(request.auth, enforcement, payload.power_code, _penalty(payload))
    return _of_case(request.auth, enforcement)


class MeetingIn(Schema):
    held_on: date
    attendee_ids: list[int] = Field(max_length=decision.ATTENDEES_MAX)
    minutes: str = Field(max_length=decision.TEXT_MAX)
    conclusion: str = Field(max_length=decision.TEXT_MAX)
    departure_reason: str = Field("", max_length=decision.TEXT_MAX)


@router.post("/enforcement/{case_id}/meetings", response={201: CaseDecisionOut, **ERRORS}, summary="登记负责人集体讨论")
def record_meeting(request, case_id: RecordId, payload: MeetingIn):
    enforcement = get_case_for(request.auth, case_id)
    decision.record_meeting(request.auth, enforcement, decision.Meeting(**payload.dict()))
    return Status(201, _of_case(request.auth, enforcement))
