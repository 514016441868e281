"""API shapes of the 12345 hotline's part of an event (events.schemas.EventDetailOut uses them)."""

from datetime import datetime

from ninja import Field, Schema


class HotlineAnswerOut(Schema):
    order_id: str = Field(description="12345工单编号")
    outcome: str = Field(description="办结 或 不予受理")
    state: str = Field(description="pending 待发送, delivered 已送达, failed 失败")
    state_label: str = Field(alias="get_state_display")
    attempts: int
    last_error: str
    next_try_at: datetime | None
    delivered_at: datetime | None


class HotlineSatisfactionOut(Schema):
    result: str = Field(description="satisfied 满意, fairly 基本满意, dissatisfied 不满意")
    result_label: str = Field(alias="get_result_display")
    visited_at: datetime
    comment: str
