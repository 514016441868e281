from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from zhenjie.api.schemas import ERRORS

from .deadlines import Limit, due_after
from .models import DeadlineUnit

router = Router(tags=["时限"])


class DeadlineQuery(Schema):
    start: datetime = Field(description="起算时间(当日不计入)")
    amount: int = Field(ge=0, le=3650)
    unit: Literal[tuple(DeadlineUnit.values)] = DeadlineUnit.WORKING_DAYS  # type: ignore[valid-type]

    @field_validator("start")
    @classmethod
    def start_in_working_range(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2099:
            raise ValueError("起算时间须在2000年至2099年之间")
        return value


class DeadlineOut(Schema):
    due_at: datetime
    uncertain: bool = Field(description="期限跨入节假日安排尚未公布的年份，按普通周末推算")


@router.get("/deadlines/preview", response={200: DeadlineOut, **ERRORS}, summary="推算截止时间")
def preview(request, query: Query[DeadlineQuery]):
    due, uncertain = due_after(query.start, Limit(query.amount, query.unit))
    return {"due_at": due, "uncertain": uncertain}
