"""Shapes of the 乡呼县应 API: types, lengths and bounds only; the actions hold the rules."""

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema
from pydantic import field_validator

from zhenjie.api.schemas import AreaBrief, MAX_ID, PageOut, UnitBrief
from zhenjie.events.schemas import CategoryBrief

from .workflow import CALL_WORKFLOW, MAX_DAYS, MAX_DEPARTMENTS, REQUEST_MAX

class CallIn(Schema):
    department_ids: list[int] = Field(min_length=1, max_length=MAX_DEPARTMENTS, description="被呼叫的县直部门")
    request: str = Field(min_length=1, max_length=REQUEST_MAX)
    working_days: int = Field(ge=1, le=MAX_DAYS)

    @field_validator("department_ids")
    @classmethod
    def ids_in_range(cls, value: list[int]) -> list[int]:
        if any(not 1 <= item <= MAX_ID for item in value):
            raise ValueError("部门ID不正确")
        return value


class CalledEventOut(Schema):
    """What a department needs to know about the event it is called on — and no more of the township."""

    id: int = Field(alias="case_id")
    number: str = Field(alias="case.number")
    category: CategoryBrief
    description: str
    address: str
    lng: float | None
    lat: float | None


class CalledCaseOut(Schema):
    id: int
    number: str
    kind: str
    title: str


class CallOut(Schema):
    id: int = Field(alias="case_id")
    number: str = Field(alias="case.number")
    state: str = Field(alias="case.state")
    state_label: str
    area: AreaBrief = Field(alias="case.area")
    parent: CalledCaseOut = Field(alias="case.parent", description="呼叫所涉事项(任何类型)")
    event: CalledEventOut | None = Field(description="所涉事项为事件时，事件情况")
    department: UnitBrief
    caller_unit: UnitBrief
    group: str
    request: str
    acknowledge_due: datetime
    acknowledged_at: datetime | None
    due_at: datetime | None = Field(alias="case.due_at")
    reported_at: datetime | None
    result: str
    confirmed_at: datetime | None
    rating: int | None = Field(alias="case.rating")
    rating_comment: str = Field(alias="case.rating_comment")

    @staticmethod
    def resolve_state_label(call):
        return CALL_WORKFLOW.state_label(call.case.state)

    @staticmethod
    def resolve_event(call):
        try:
            return call.case.parent.event
        except ObjectDoesNotExist:
            return None


class CallPageOut(PageOut):
    items: list[CallOut]
