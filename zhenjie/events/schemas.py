"""Shapes of the events API (Django Ninja): what comes in and what goes out. No rules here — the
actions check them; these only say types, lengths and bounds, so bad input is a 400 naming the
field before anything runs."""

from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from zhenjie.api.schemas import AreaBrief, CasePartyOut, MAX_ID, PageOut, PageQuery, TimelineOut, UnitBrief
from zhenjie.integrations.schemas import HotlineAnswerOut, HotlineSatisfactionOut
from zhenjie.kernel import attachments, journal, opened, parties, workflow
from zhenjie.kernel.api import ExtensionOut
from zhenjie.kernel.rating import COMMENT_MAX
from zhenjie.kernel.workflow import REASON_MAX

from .intake import ADDRESS_MAX, CONTACT_NAME_MAX, CONTACT_PHONE_MAX, DESCRIPTION_MAX
from .models import Channel
from .quality import QUALITIES
from .workflow import EVENT_WORKFLOW, RESULT_MAX

EventState = Literal[tuple(EVENT_WORKFLOW.states)]  # type: ignore[valid-type]
ChannelCode = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
QualityCode = Literal[tuple(QUALITIES)]  # type: ignore[valid-type]


def _reasonable_day(value: date | None) -> date | None:
    # A day outside this range is a typo; refusing it also keeps "the day after" representable.
    if value is not None and not 2000 <= value.year <= 2099:
        raise ValueError("日期须在2000年至2099年之间")
    return value


# ---- categories -----------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_code: str | None = Field(None, alias="parent.code")
    urgency: str
    urgency_label: str
    needs_verification: bool
    power_code: str = Field(description="处置该类事件所行使的权责事项编码(空：未关联)")

    @staticmethod
    def resolve_urgency_label(category):
        return category.get_urgency_display()

    @staticmethod
    def resolve_parent_code(category):
        return category.parent.code if category.parent_id else None


class CategoryBrief(Schema):
    code: str
    name: str


# ---- events ---------------------------------------------------------------------------------


class EventOut(Schema):
    id: int = Field(alias="case_id", description="事件ID(事项ID)")
    number: str = Field(alias="case.number")
    title: str = Field(alias="case.title")
    state: str = Field(alias="case.state")
    state_label: str
    category: CategoryBrief
    channel: str
    channel_label: str
    description: str
    address: str
    lng: float | None
    lat: float | None
    area: AreaBrief = Field(alias="case.area")
    handling_unit: UnitBrief | None
    reporter_name: str
    external_id: str = Field(alias="case.external_id")
    reported_at: datetime
    due_at: datetime | None = Field(alias="case.due_at")
    due_uncertain: bool = Field(alias="case.due_uncertain")
    closed_at: datetime | None = Field(alias="case.closed_at")
    alert: str = Field(alias="case.alert", description="督办：yellow 黄牌，red 红牌，空为正常")
    rating: int | None = Field(alias="case.rating")

    @staticmethod
    def resolve_state_label(event):
        return EVENT_WORKFLOW.state_label(event.case.state)

    @staticmethod
    def resolve_channel_label(event):
        return event.get_channel_display()


class EventPageOut(PageOut):
    items: list[EventOut]


class EventFilter(PageQuery):
    state: EventState | None = None
    category: str | None = Field(None, max_length=40, description="类别代码")
    channel: ChannelCode | None = None
    reported_from: date | None = Field(None, description="上报日期起(含)")
    reported_to: date | None = Field(None, description="上报日期止(含)")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="处置单位ID")
    quality: QualityCode | None = Field(None, description="办理质量：某项统计背后的事件(与 /api/analysis/quality 的链接相同)")

    _days = field_validator("reported_from", "reported_to")(_reasonable_day)


# ---- 办理质量 (events.quality) -------------------------------------------------------------


class QualityFilter(Schema):
    reported_from: date | None = Field(None, description="上报日期起(含)，默认为截止日期前30天")
    reported_to: date | None = Field(None, description="上报日期止(含)，默认为今天；期间不超过366天")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="只统计该处置单位")
    category: str | None = Field(None, max_length=40, description="只统计该类别(代码)")

    _days = field_validator("reported_from", "reported_to")(_reasonable_day)


class QualityRowOut(Schema):
    key: int | str | None = Field(description="处置单位ID或类别代码；合计为空")
    name: str
    reported_back: int = Field(description="已反馈件数(返工率的分母)")
    rework: int = Field(description="有返工的件数")
    rework_rate: float | None = Field(description="返工率(%)，无反馈件时为空")
    closed: int = Field(description="办结件数")
    on_time: int = Field(description="按期办结件数")
    late: int = Field(description="超期办结件数")
    on_time_rate: float | None = Field(description="按期办结率(%)")
    first_time: int = Field(description="一次办结件数(未经返工)")
    first_time_rate: float | None = Field(description="一次办结率(%)")
    cases: dict[str, str] = Field(description="每项件数背后的事件列表：GET /api/events 的地址")

    @staticmethod
    def resolve_cases(row):
        return {quality: f"{reverse('api:list_events')}?{query}" for quality, query in row.api_links.items()}


class QualityOut(Schema):
    reported_from: date
    reported_to: date
    total: QualityRowOut
    units: list[QualityRowOut]
    categories: list[QualityRowOut]


class PhotoOut(Schema):
    id: int
    name: str
    content_type: str = Field(alias="blob.content_type")
    size: int = Field(alias="blob.size")
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(attachment):
        return reverse("api:event_attachment", args=[attachment.case_id, attachment.pk])


class ActionOut(Schema):
    name: str
    label: str


class EventDetailOut(EventOut):
    result: str
    verification_note: str
    rejection_reason: str
    rating_comment: str = Field(alias="case.rating_comment")
    lead_department: UnitBrief | None
    duplicate_of: int | None = Field(None, description="合并到的事件ID")
    photos: list[PhotoOut]
    parties: list[CasePartyOut] = Field(description="当事人(脱敏)")
    timeline: list[TimelineOut]
    actions: list[ActionOut] = Field(description="当前用户此刻可执行的操作：办理步骤，以及申请延期、呼叫部门、督办、评价等")
    extensions: list[ExtensionOut]
    hotline_answer: HotlineAnswerOut | None = Field(None, description="12345热线事件：办理结果回传12345平台的状态")
    hotline_satisfaction: HotlineSatisfactionOut | None = Field(None, description="12345热线事件：12345平台的回访结果")

    @staticmethod
    def resolve_hotline_answer(event):
        from zhenjie.integrations.queries import hotline_answer_of

        return hotline_answer_of(event) if event.channel == Channel.HOTLINE else None

    @staticmethod
    def resolve_hotline_satisfaction(event):
        from zhenjie.integrations.queries import hotline_visit_of

        return hotline_visit_of(event) if event.channel == Channel.HOTLINE else None

    @staticmethod
    def resolve_duplicate_of(event):
        return event.duplicate_of.case_id if event.duplicate_of_id else None

    # The event just reported answers from what its intake wrote (kernel/opened.py), not a re-read.

    @staticmethod
    def resolve_photos(event):
        if (written := opened.of(event.case)) is not None:
            return [attachment for attachment in written.attachments if attachment.purpose == "photo"]
        return attachments.photos_of(event.case)

    @staticmethod
    def resolve_parties(event, context):
        if (written := opened.of(event.case)) is not None:
            return written.parties
        return parties.parties_for_case(context["request"].auth, event.case)

    @staticmethod
    def resolve_timeline(event):
        if (written := opened.of(event.case)) is not None:
            return written.entries
        return journal.timeline(event.case)

    @staticmethod
    def resolve_actions(event, context):
        user = context["request"].auth
        from .workflow import THROUGH_FOLLOW_UP  # reopening is a follow-up's, not a step of its own

        return [action for action in workflow.permitted_actions(user, event.case).listed() if action["name"] not in THROUGH_FOLLOW_UP]

    @staticmethod
    def resolve_extensions(event):
        if opened.of(event.case) is not None:
            return []  # asked for later, never at the opening
        return event.case.extensions.order_by("-requested_at", "-pk")


class ReportIn(Schema):
    """A report from the phone (multipart form; photos travel beside it as files)."""

    category: str = Field(min_length=1, max_length=40, description="类别代码")
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    lng: float | None = Field(None, ge=-180, le=180, description="经度(WGS84)")
    lat: float | None = Field(None, ge=-90, le=90, description="纬度(WGS84)")
    address: str = Field("", max_length=ADDRESS_MAX)
    area_id: int | None = Field(None, ge=1, le=MAX_ID, description="无定位时所在的村(社区)或网格")
    channel: Literal["grid", "walk_in"] = Field("grid", description="grid 网格员上报；walk_in 窗口来访(首问负责)")
    reporter_name: str = Field("", max_length=CONTACT_NAME_MAX, description="来访人姓名(窗口来访)")
    reporter_phone: str = Field("", max_length=CONTACT_PHONE_MAX)
    agent_name: str = Field("", max_length=CONTACT_NAME_MAX, description="代为反映人(代理人)姓名；须同时填写所代表的来访人")
    agent_phone: str = Field("", max_length=CONTACT_PHONE_MAX)
    client_key: str = Field("", max_length=64, description="手机为这份填报生成的标识(UUID)：同一标识再次提交，答复已上报的事件，不重复立案；内容不同则拒绝(409)")


class DispatchIn(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="不填则按属地管理事项清单派遣")
    reason: str = Field("", max_length=REASON_MAX, description="改派到清单以外的单位时必填")


class ReassignIn(Schema):
    unit_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class ReportBackIn(Schema):
    result: str = Field(min_length=1, max_length=RESULT_MAX)


class VerifyIn(Schema):
    passed: bool
    note: str = Field("", max_length=RESULT_MAX, description="核查不通过时必填")


class MergeIn(Schema):
    into: str | None = Field(None, max_length=200, description="保留的事件的编号，如 甲镇事〔2026〕第12号(与 into_id 二选一)")
    into_id: int | None = Field(None, ge=1, le=MAX_ID, description="保留的事件ID(与 into 二选一)")


class RateIn(Schema):
    rating: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str = Field("", max_length=COMMENT_MAX)


class TransferIn(Schema):
    """A department hands an event to a township (部门移交)."""

    township_id: int = Field(ge=1, le=MAX_ID, description="本县的乡镇(街道)")
    category: str = Field(min_length=1, max_length=40, description="类别代码")
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    address: str = Field("", max_length=ADDRESS_MAX)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    external_id: str = Field("", max_length=64, description="部门的来文或工单编号")


# ---- calls (乡呼县应) -------------------------------------------------------------------------
