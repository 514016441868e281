"""Part 3 over the API: a case's notice, statements and hearing; telling the party (事先告知),
recording what they said and the answer, their written waiver, their request for a hearing, its
schedule and outcome. Thin: the case read through queries.get_case_for (404 out of reach), the
rules in actions/hearing.py. `ready` and `submit_review` (and `request_hearing`, with `channel`)
also go through the kit's step endpoint POST /api/enforcement/{id}/{step}."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, RecordId
from zhenjie.kernel.scoping import administered_county

from .actions import hearing as actions
from .actions.hearing import CONTENT_MAX, DETAILS_MAX, FACTS_MAX, PLACE_MAX, THRESHOLD_REFUSED, IntendedPenalty
from .models import HearingThreshold, PenaltyKind
from .queries import get_case_for
from .queries_hearing import hearings_of
from .rules_hearing import DEFAULT_THRESHOLDS

router = Router(tags=["综合执法"])


class PersonOut(Schema):
    id: int
    name: str = Field(alias="display_name")


class PaperOut(Schema):
    id: int
    number: str
    pdf_url: str

    @staticmethod
    def resolve_pdf_url(document):
        return f"/api/documents/{document.pk}/pdf"  # the kernel's one way a PDF leaves (DOCUMENTS.md)


class NoticeOut(Schema):
    id: int
    penalty_kinds: list[str] = Field(
        description="拟处罚种类(《行政处罚法》第九条)：" + "、".join(f"{v} {label}" for v, label in PenaltyKind.choices)
    )
    fine_amount: Decimal | None
    confiscation_value: Decimal | None
    penalty_text: str = Field(description="拟作出的行政处罚(告知书所载)")
    facts: str
    legal_basis: str
    hearing_right: bool = Field(description="当事人享有要求听证的权利(第六十三条)")
    notified_at: datetime
    reply_until: str = Field(description="陈述申辩、要求听证的最后一日(告知之日起5个工作日，第六十四条)")
    document: PaperOut | None = Field(description="行政处罚事先告知书")
    waived_at: datetime | None = Field(description="当事人书面放弃的时间")

    @staticmethod
    def resolve_reply_until(notice):
        return notice.reply_until.isoformat()


class StatementOut(Schema):
    id: int
    made_at: datetime
    channel: str = Field(description="oral 口头、written 书面、other 其他")
    content: str
    recorded_by: PersonOut
    adopted: bool | None = Field(description="复核是否采纳；未复核为空")
    answer: str
    answered_by: PersonOut | None
    answered_at: datetime | None


class HearingOut(Schema):
    id: int
    requested_at: datetime
    request_channel: str
    scheduled_at: datetime | None
    place: str
    presiding: PersonOut | None
    document: PaperOut | None = Field(alias="scheduled_document", description="听证通知书")
    outcome: str = Field(description="held 已举行、absent 拒不出席、withdrew 中途退出或撤回；未结束为空")
    attendees: str
    summary: str


class HearingsOut(Schema):
    notice: NoticeOut | None
    statements: list[StatementOut]
    hearing: HearingOut | None


class NoticeIn(Schema):
    penalty_kinds: list[PenaltyKind] = Field(max_length=len(PenaltyKind.values), description="拟处罚种类")
    fine_amount: Decimal | None = Field(None, description="罚款金额(元)，拟罚款时必填")
    confiscation_value: Decimal | None = Field(None, description="没收违法所得或非法财物的金额或价值(元)")
    details: str = Field("", max_length=DETAILS_MAX)
    facts: str = Field(max_length=FACTS_MAX, description="违法事实")
    heavier: bool = Field(False, description="其他较重的行政处罚，告知听证权利(第六十三条第一款第五项)")


class StatementIn(Schema):
    channel: str = Field(description="oral 口头、written 书面、other 其他")
    content: str = Field(max_length=CONTENT_MAX)
    made_at: datetime | None = Field(None, description="陈述申辩时间，不填为现在")


class AnswerIn(Schema):
    adopted: bool
    answer: str = Field(max_length=CONTENT_MAX, description="采纳或不采纳的理由")


class WaiverIn(Schema):
    waiver: str = Field(max_length=DETAILS_MAX, description="书面放弃声明(内容摘要)")


class HearingRequestIn(Schema):
    channel: str = Field(description="oral 口头、written 书面、other 其他")


class ScheduleIn(Schema):
    scheduled_at: datetime = Field(description="听证时间，须在今日起7个工作日之后")
    place: str = Field(max_length=PLACE_MAX)
    presiding_id: int = Field(ge=1, le=MAX_ID, description="听证主持人(非本案调查人员)")


class HearingRecordIn(Schema):
    outcome: str = Field(description="held 已举行、absent 拒不出席、withdrew 中途退出或撤回")
    attendees: str = Field("", max_length=DETAILS_MAX)
    summary: str = Field(max_length=CONTENT_MAX)


def _shown(request, case_id: int) -> HearingsOut:
    return hearings_of(request.auth, get_case_for(request.auth, case_id))


@router.get("/enforcement/{case_id}/hearing", response={200: HearingsOut, **ERRORS}, summary="事先告知、陈述申辩与听证")
def show(request, case_id: RecordId):
    return _shown(request, case_id)


@router.post("/enforcement/{case_id}/notice", response={201: NoticeOut, **ERRORS}, summary="事先告知(出具行政处罚事先告知书)")
def notify(request, case_id: RecordId, payload: NoticeIn):
    enforcement = get_case_for(request.auth, case_id)
    penalty = IntendedPenalty(
        kinds=[str(k) for k in payload.penalty_kinds], fine_amount=payload.fine_amount, confiscation_value=payload.confiscation_value,
        details=payload.details, facts=payload.facts, heavier=payload.heavier,
    )  # fmt: skip
    actions.notify_party(request.auth, enforcement, penalty)
    return Status(201, hearings_of(request.auth, enforcement).notice)


@router.post("/enforcement/{case_id}/statements", response={201: StatementOut, **ERRORS}, summary="登记陈述申辩")
def add_statement(request, case_id: RecordId, payload: StatementIn):
    statement = actions.record_statement(request.auth, get_case_for(request.auth, case_id), **payload.dict())
    return Status(201, statement)


@router.post(
    "/enforcement/{case_id}/statements/{statement_id}/answer", response={200: StatementOut, **ERRORS}, summary="陈述申辩复核答复"
)
def answer_statement(request, case_id: RecordId, statement_id: RecordId, payload: AnswerIn):
    return actions.answer_statement(request.auth, get_case_for(request.auth, case_id), statement_id, **payload.dict())


@router.post("/enforcement/{case_id}/waiver", response={200: HearingsOut, **ERRORS}, summary="登记当事人书面放弃陈述申辩和听证")
def waive(request, case_id: RecordId, payload: WaiverIn):
    actions.record_waiver(request.auth, get_case_for(request.auth, case_id), waiver=payload.waiver)
    return _shown(request, case_id)


@router.post(
    "/enforcement/{case_id}/hearing", response={201: HearingsOut, **ERRORS}, summary="登记当事人要求听证(告知之日起5个工作日内)"
)
def request_hearing(request, case_id: RecordId, payload: HearingRequestIn):
    actions.request_hearing(request.auth, get_case_for(request.auth, case_id), channel=payload.channel)
    return Status(201, _shown(request, case_id))


@router.post("/enforcement/{case_id}/hearing/schedule", response={200: HearingsOut, **ERRORS}, summary="安排听证(出具听证通知书)")
def schedule(request, case_id: RecordId, payload: ScheduleIn):
    values = payload.dict()
    actions.schedule_hearing(request.auth, get_case_for(request.auth, case_id), scheduled_at=values["scheduled_at"], place=values["place"],
                             presiding=values["presiding_id"])  # fmt: skip
    return _shown(request, case_id)


@router.post("/enforcement/{case_id}/hearing/record", response={200: HearingsOut, **ERRORS}, summary="登记听证情况")
def record(request, case_id: RecordId, payload: HearingRecordIn):
    actions.record_hearing(request.auth, get_case_for(request.auth, case_id), **payload.dict())
    return _shown(request, case_id)


# ---- the county's thresholds ----------------------------------------------------------------------


class ThresholdOut(Schema):
    party_kind: str = Field(description="person 个人、organisation 单位")
    amount: Decimal = Field(description="罚款或没收达到此数额(元)的，当事人有权要求听证")
    is_default: bool = Field(description="县未设置，使用默认标准")


class ThresholdIn(Schema):
    party_kind: str = Field(description="person 个人、organisation 单位")
    amount: Decimal


def _thresholds(county) -> list[dict]:
    rows = {r.party_kind: r.amount for r in HearingThreshold.objects.filter(county=county)}
    return [
        {"party_kind": kind, "amount": rows.get(kind, default), "is_default": kind not in rows}
        for kind, default in DEFAULT_THRESHOLDS.items()
    ]


@router.get("/enforcement/hearing-thresholds", response={200: list[ThresholdOut], **ERRORS}, summary="本县听证较大数额标准")
def thresholds(request):
    return _thresholds(administered_county(request.auth, refuse=THRESHOLD_REFUSED))


@router.post(
    "/enforcement/hearing-thresholds",
    response={200: list[ThresholdOut], **ERRORS},
    summary="设置本县听证较大数额标准(县级管理员)",
)
def set_threshold(request, payload: ThresholdIn):
    row = actions.set_hearing_threshold(request.auth, payload.party_kind, payload.amount)
    return _thresholds(row.county)
