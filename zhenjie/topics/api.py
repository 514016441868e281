"""每月一题 in the API: the topics in reach, one topic, the month's proposals for a township the
user leads, adopting one and reporting progress. Thin: parse, read through queries, act through
actions."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, AreaBrief, PageOut, PageQuery, RecordId, UnitBrief, page_of
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.scoping import get_visible_or_404
from zhenjie.units.queries import get_unit_for

from . import actions, proposals, queries

router = Router(tags=["每月一题"])


class MilestoneOut(Schema):
    id: int
    due_on: date
    text: str
    done_at: datetime | None
    note: str


class ProgressOut(Schema):
    month: date
    text: str
    reported_at: datetime


class TopicOut(Schema):
    id: int
    township: AreaBrief
    month: date
    category: str = Field(alias="category.name")
    title: str
    complaint_count: int
    lead_unit: UnitBrief
    plan: str
    state: str
    state_label: str
    is_public: bool
    adopted_at: datetime
    finished_at: datetime | None
    summary: str
    places: list[AreaBrief]
    milestones: list[MilestoneOut]
    progress: list[ProgressOut]

    @staticmethod
    def resolve_state_label(topic):
        return topic.get_state_display()

    @staticmethod
    def resolve_places(topic):
        return list(topic.places.all())

    @staticmethod
    def resolve_milestones(topic):
        return list(topic.milestones.all())

    @staticmethod
    def resolve_progress(topic):
        return list(topic.progress.all())


class TopicPageOut(PageOut):
    items: list[TopicOut]


class TrendOut(Schema):
    month: date
    count: int


class ProposalOut(Schema):
    key: str = Field(description="确定题目时回传")
    title: str
    category: str
    category_id: int
    places: list[AreaBrief]
    count: int = Field(description="当月诉求件数(相邻网格同类合并计)")
    change: int | None = Field(description="较上月增减")
    trend: list[TrendOut] = Field(description="此前各月件数，由远及近")


class MonthQuery(Schema):
    township_id: int = Field(ge=1, le=MAX_ID)
    month: str | None = Field(None, max_length=7, description="YYYY-MM，默认上月")


def _township(user, township_id) -> object:
    return get_visible_or_404(queries.townships_led_by(user), "topic.township_not_found", "该乡镇(街道)不存在或您不是其领导", pk=township_id)


def _month(value: str | None) -> date:
    if value is None:
        return proposals.last_month()
    month = proposals.parse_month(value)
    if month is None:
        raise Rejected("topic.month_invalid", "月份格式应为 YYYY-MM，且不晚于本月", field="month")
    return month


def _proposal_out(proposal) -> dict:
    return {
        "key": proposal.key, "title": proposal.title, "category": proposal.category.name, "category_id": proposal.category.pk,
        "places": proposal.places, "count": proposal.count, "change": proposal.change,
        "trend": [{"month": month, "count": count} for month, count in proposal.trend],
    }


def _with_details(rows):
    return rows.prefetch_related("places", "milestones", "progress")


@router.get("/topics", response={200: TopicPageOut, **ERRORS}, summary="每月一题(辖区内及本单位牵头的)")
def list_topics(request, filters: Query[PageQuery]):
    return page_of(_with_details(queries.topics_for(request.auth)), filters)


@router.get("/topics/proposals", response={200: list[ProposalOut], **ERRORS}, summary="某月建议题目(按类别和相邻区域聚类)")
def list_proposals(request, filters: Query[MonthQuery]):
    township = _township(request.auth, filters.township_id)
    return [_proposal_out(proposal) for proposal in proposals.propose(township, _month(filters.month))]


@router.get("/topics/{topic_id}", response={200: TopicOut, **ERRORS}, summary="一个每月一题")
def get_topic(request, topic_id: RecordId):
    return get_visible_or_404(_with_details(queries.topics_for(request.auth)), "topic.not_found", "该题目不存在或不在您的辖区内", pk=topic_id)


class MilestoneIn(Schema):
    due_on: date
    text: str = Field(min_length=1, max_length=actions.MILESTONE_MAX)


class AdoptIn(Schema):
    township_id: int = Field(ge=1, le=MAX_ID)
    month: str = Field(max_length=7, description="YYYY-MM")
    key: str = Field(max_length=2000, description="建议题目的 key")
    title: str = Field("", max_length=actions.TITLE_MAX, description="不填则用建议题目")
    lead_unit_id: int = Field(ge=1, le=MAX_ID)
    plan: str = Field(max_length=actions.PLAN_MAX)
    milestones: list[MilestoneIn] = Field(max_length=actions.MILESTONES_MAX)
    is_public: bool = True


@router.post("/topics", response={201: TopicOut, **ERRORS}, summary="确定每月一题")
def adopt_topic(request, payload: AdoptIn):
    township = _township(request.auth, payload.township_id)
    try:
        unit = get_unit_for(request.auth, payload.lead_unit_id)
    except NotFound:
        raise Rejected("topic.lead_unit_outside", "牵头单位不存在或不在您的辖区内", field="lead_unit_id") from None
    topic = actions.adopt(
        request.auth, township, _month(payload.month), payload.key, title=payload.title, lead_unit=unit, plan=payload.plan,
        milestones=[(item.due_on, item.text) for item in payload.milestones], is_public=payload.is_public,
    )
    return Status(201, get_topic(request, topic.pk))


class ProgressIn(Schema):
    text: str = Field(max_length=actions.TEXT_MAX)


@router.post("/topics/{topic_id}/progress", response={201: TopicOut, **ERRORS}, summary="报告本月进展")
def report_progress(request, topic_id: RecordId, payload: ProgressIn):
    actions.report_progress(request.auth, queries.get_topic_for(request.auth, topic_id), payload.text)
    return Status(201, get_topic(request, topic_id))
