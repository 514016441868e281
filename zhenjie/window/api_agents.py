"""Agent points over the API (代办点): the list and one point for staff (scoped as the pages are),
the point's papers ledger, and its roster replaced with compare-and-set. The same actions and
reads as the pages (points.py, actions/agents.py)."""

from datetime import datetime, time

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS, MAX_ID, AreaBrief, PageOut, PageQuery, UnitBrief, page_of

from . import points as queries
from .actions import agents as actions
from .actions.agents import MAX_SLOTS

router = Router(tags=["村级代办点"])


class DutyOut(Schema):
    weekday: int = Field(description="0=周一 … 4=周五")
    # "08:30", as the roster editor shows it: OpenAPI's `time` format is RFC 3339's, which
    # wants an offset a local duty hour has not (the schema fuzz caught "08:30:00").
    starts: str = Field(pattern=r"^\d{2}:\d{2}$", description="开始时间 HH:MM")
    ends: str = Field(pattern=r"^\d{2}:\d{2}$", description="结束时间 HH:MM")
    agent_id: int
    agent_name: str = Field(alias="agent.display_name")

    @staticmethod
    def resolve_starts(slot):
        return f"{slot.starts:%H:%M}"

    @staticmethod
    def resolve_ends(slot):
        return f"{slot.ends:%H:%M}"


class PointOut(Schema):
    id: int
    name: str
    township: AreaBrief
    unit: UnitBrief
    villages: list[AreaBrief]
    phone: str
    address: str
    hours: str
    is_active: bool
    roster_version: int = Field(description="修改值班表时作为 expected_version 传回")
    roster: list[DutyOut]

    @staticmethod
    def resolve_villages(point):
        return list(point.villages.all())

    @staticmethod
    def resolve_roster(point):
        return list(point.duty_slots.all())


class PointPageOut(PageOut):
    items: list[PointOut]


class LedgerLine(Schema):
    application_id: int
    number: str
    item_name: str
    state: str
    carry_by: datetime | None = None
    overdue: bool = False


class LedgerOut(Schema):
    carry_days: int = Field(description="原件送交时限(工作日，县级设置)")
    held: list[LedgerLine] = Field(description="代办点手中、待送交中心的原件")
    to_bring: list[LedgerLine] = Field(description="已作出决定、结果尚在中心")
    waiting: list[LedgerLine] = Field(description="结果已送回代办点、待申请人领取")


class SlotIn(Schema):
    weekday: int = Field(ge=0, le=6)
    starts: time
    ends: time
    agent_id: int = Field(ge=1, le=MAX_ID)


class RosterIn(Schema):
    expected_version: int = Field(ge=0, le=2_000_000_000)
    slots: list[SlotIn] = Field(max_length=MAX_SLOTS)


@router.get("/agent-points", response={200: PointPageOut, **ERRORS}, summary="代办点列表(辖区内)")
def list_points(request, query: Query[PageQuery]):
    return page_of(queries.points_for(request.auth), query)


@router.get("/agent-points/{point_id}", response={200: PointOut, **ERRORS}, summary="代办点详情")
def get_point(request, point_id: int):
    return queries.get_point_for(request.auth, point_id)


def _line(application, carry_by=None, overdue=False) -> dict:
    return {"application_id": application.pk, "number": application.case.number, "item_name": application.item_name,
            "state": application.case.state, "carry_by": carry_by, "overdue": overdue}  # fmt: skip


@router.get("/agent-points/{point_id}/ledger", response={200: LedgerOut, **ERRORS}, summary="代办件流转台账")
def get_ledger(request, point_id: int):
    point = queries.get_point_for(request.auth, point_id)
    ledger = queries.ledger_for(request.auth, point, timezone.now())
    return {
        "carry_days": ledger.carry_days, "held": [_line(h.application, h.carry_by, h.overdue) for h in ledger.held],
        "to_bring": [_line(a) for a in ledger.to_bring], "waiting": [_line(a) for a in ledger.waiting],
    }  # fmt: skip


@router.put("/agent-points/{point_id}/roster", response={200: PointOut, **ERRORS}, summary="修改值班表(周一至周五)")
def put_roster(request, point_id: int, payload: RosterIn):
    point = queries.get_point_for(request.auth, point_id)
    actions.set_roster(request.auth, point, [s.dict() for s in payload.slots], expected_version=payload.expected_version)
    return queries.get_point_for(request.auth, point_id)
