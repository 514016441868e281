"""Agent points over the API (代办点), one endpoint for every action of the pages: the list, one
point and the agent's own points (scoped as the pages are); setting a point up and changing it;
its roster (compare-and-set); the items it takes and the township's choice per item; the papers
ledger, its hand-overs with their numbered slips, and recording one; the county's carry limit.
The same actions and reads as the pages (points.py, actions/agents.py): out of reach 404, not
allowed 403, out of turn 409, bad input 400, each with a Chinese message."""

from datetime import datetime, time
from typing import Annotated

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, MAX_ID, AreaBrief, PageOut, PageQuery, RecordId, UnitBrief, page_of
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.scoping import administered_county

from . import points as queries
from .actions import agents as actions
from .actions.agents import MAX_SLOTS
from .models import Direction
from .models.agents import ADDRESS_MAX, HOURS_MAX, NAME_MAX, NOTE_MAX, PHONE_MAX, SIGNER_MAX

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
    application_id: int = Field(description="办件ID：登记交接时作为 application 传入")
    case_id: int = Field(description="事项ID(GET /api/applications/{case_id})")
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


# ---- the agent's own points, the county's setting (before /agent-points/{point_id}) ---------


@router.get("/agent-points/mine", response={200: list[PointOut], **ERRORS}, summary="我任代办员的代办点(收件时选择受理代办点)")
def my_points(request):
    return list(queries.points_for(request.auth).filter(pk__in=queries.points_of(request.auth).values("pk")))


class SettingIn(Schema):
    carry_days: int = Field(ge=1, le=30, description="原件送交时限(工作日，1–30)")


class SettingOut(Schema):
    county: AreaBrief
    carry_days: int = Field(description="原件送交时限(工作日)")


def _administered_county(user) -> Area:
    return administered_county(user, refuse=("agent_point.setting_forbidden", "只有县级管理员可以修改代办点设置"))


@router.get("/agent-points/settings", response={200: SettingOut, **ERRORS}, summary="代办点设置(县级管理员)")
def get_setting(request):
    county = _administered_county(request.auth)
    return {"county": county, "carry_days": queries.carry_days(county)}


@router.put("/agent-points/settings", response={200: SettingOut, **ERRORS}, summary="修改原件送交时限(县级管理员)")
def put_setting(request, payload: SettingIn):
    county = _administered_county(request.auth)
    setting = actions.set_carry_days(request.auth, county, payload.carry_days)
    return {"county": county, "carry_days": setting.carry_days}


# ---- setting a point up and changing it ------------------------------------------------------


# An id past 64 bits is no id: refused before any query (PostgreSQL would fail on it).
VillageId = Annotated[int, Field(ge=1, le=MAX_ID)]


class PointIn(Schema):
    unit: int = Field(ge=1, le=MAX_ID, description="所在机构ID：村(居)民委员会或党群服务中心；其村代办员岗位即为代办员")
    name: str = Field(max_length=NAME_MAX)
    villages: list[VillageId] = Field(max_length=200, description="服务村(社区)的区划ID")
    phone: str = Field(max_length=PHONE_MAX)
    address: str = Field(max_length=ADDRESS_MAX)
    hours: str = Field(max_length=HOURS_MAX, description="开放时间，如 周一至周五 8:30-12:00 14:00-17:30")


class PointChangeIn(Schema):
    name: str = Field(max_length=NAME_MAX)
    villages: list[VillageId] = Field(max_length=200, description="服务村(社区)的区划ID")
    phone: str = Field(max_length=PHONE_MAX)
    address: str = Field(max_length=ADDRESS_MAX)
    hours: str = Field(max_length=HOURS_MAX)
    is_active: bool = True


def _villages(ids: list[int]) -> list[Area]:
    """The villages named, for the action to check against the point's township; an id that is
    no village at all is refused here, as the page's choice would."""
    villages = list(Area.objects.filter(pk__in=set(ids), level=Area.Level.VILLAGE))
    if len(villages) != len(set(ids)):
        raise Rejected("agent_point.villages_invalid", "服务村(社区)无效", field="villages")
    return villages


@router.post("/agent-points", response={201: PointOut, **ERRORS}, summary="设立代办点")
def create_point(request, payload: PointIn):
    if not queries.managed_townships(request.auth).exists():
        raise Forbidden("agent_point.forbidden", "您无权设立代办点")
    unit = queries.point_unit_choices(request.auth).select_related("area").filter(pk=payload.unit).first()
    if unit is None:
        raise Rejected("agent_point.unit_invalid", "所在机构须为您所管乡镇(街道)在用的村(居)民委员会或党群服务中心", field="unit")
    point = actions.create_point(request.auth, unit=unit, name=payload.name, villages=_villages(payload.villages), phone=payload.phone,
                                 address=payload.address, hours=payload.hours)  # fmt: skip
    return Status(201, queries.get_point_for(request.auth, point.pk))


@router.put("/agent-points/{point_id}", response={200: PointOut, **ERRORS}, summary="修改代办点(名称、服务村、电话、地址、开放时间、在用)")
def update_point(request, point_id: RecordId, payload: PointChangeIn):
    point = queries.get_point_for(request.auth, point_id)
    actions.update_point(request.auth, point, name=payload.name, villages=_villages(payload.villages), phone=payload.phone,
                         address=payload.address, hours=payload.hours, is_active=payload.is_active)  # fmt: skip
    return queries.get_point_for(request.auth, point_id)


@router.get("/agent-points/{point_id}", response={200: PointOut, **ERRORS}, summary="代办点详情")
def get_point(request, point_id: RecordId):
    return queries.get_point_for(request.auth, point_id)


def _line(application, carry_by=None, overdue=False) -> dict:
    return {"application_id": application.pk, "case_id": application.case_id, "number": application.case.number, "item_name": application.item_name,
            "state": application.case.state, "carry_by": carry_by, "overdue": overdue}  # fmt: skip


@router.get("/agent-points/{point_id}/ledger", response={200: LedgerOut, **ERRORS}, summary="代办件流转台账")
def get_ledger(request, point_id: RecordId):
    point = queries.get_point_for(request.auth, point_id)
    ledger = queries.ledger_for(request.auth, point, timezone.now())
    return {
        "carry_days": ledger.carry_days, "held": [_line(h.application, h.carry_by, h.overdue) for h in ledger.held],
        "to_bring": [_line(a) for a in ledger.to_bring], "waiting": [_line(a) for a in ledger.waiting],
    }  # fmt: skip


@router.put("/agent-points/{point_id}/roster", response={200: PointOut, **ERRORS}, summary="修改值班表(周一至周五)")
def put_roster(request, point_id: RecordId, payload: RosterIn):
    point = queries.get_point_for(request.auth, point_id)
    actions.set_roster(request.auth, point, [s.dict() for s in payload.slots], expected_version=payload.expected_version)
    return queries.get_point_for(request.auth, point_id)


# ---- the items a point takes (简单事项不出村、复杂事项可代办) -----------------------------------


class PointItemOut(Schema):
    item_id: int = Field(description="办事指南事项ID(收件时的 item_id)")
    code: str
    name: str
    takes: bool = Field(description="本代办点可代办")
    own: bool = Field(description="乡镇为本代办点单独调整(移出或委托)，不同于办事指南的标注")
    guide_agent_point: bool = Field(description="办事指南标注村级代办点可办")


class PointItemIn(Schema):
    code: str = Field(max_length=64, description="事项编码")
    takes: bool = Field(description="true 委托本点代办 / false 移出本点")


def _item_out(choice) -> dict:
    item = choice.item
    return {"item_id": item.pk, "code": item.code, "name": item.name, "takes": choice.takes, "own": choice.own,
            "guide_agent_point": item.agent_point}  # fmt: skip


@router.get("/agent-points/{point_id}/items", response={200: list[PointItemOut], **ERRORS}, summary="代办点可办事项(管理者看到全部指南事项)")
def list_items(request, point_id: RecordId):
    point = queries.get_point_for(request.auth, point_id)
    manage = queries.can_manage(request.auth, point)
    return [_item_out(c) for c in queries.item_choices(point, timezone.localdate()) if manage or c.takes]


@router.post("/agent-points/{point_id}/items", response={200: PointItemOut, **ERRORS}, summary="调整代办点事项：移出本点或委托本点代办")
def set_item(request, point_id: RecordId, payload: PointItemIn):
    point = queries.get_point_for(request.auth, point_id)
    actions.set_point_item(request.auth, point, payload.code, payload.takes)
    code = payload.code.strip()
    return next(_item_out(c) for c in queries.item_choices(point, timezone.localdate()) if c.item.code == code)


# ---- hand-overs of the papers ledger and their slips (代办件交接单) ----------------------------


class SlipOut(Schema):
    id: int = Field(description="文书ID")
    number: str = Field(description="交接单编号，如 甲一代交〔2026〕第1号")
    pdf_url: str = Field(description="下载交接单PDF的接口地址")


class TransferOut(Schema):
    id: int
    application_id: int
    case_id: int = Field(alias="application.case_id")
    number: str = Field(alias="application.case.number")
    item_name: str = Field(alias="application.item_name")
    point_id: int
    direction: str = Field(description="to_centre 原件送交中心 / to_point 结果送回代办点")
    direction_label: str
    handed_at: datetime
    recorded_by: str = Field(alias="recorded_by.display_name", description="登记人")
    received_by: str = Field(description="签收人")
    note: str
    slip: SlipOut

    @staticmethod
    def resolve_direction_label(transfer):
        return transfer.get_direction_display()

    @staticmethod
    def resolve_slip(transfer):
        return {"id": transfer.slip_id, "number": transfer.slip.number, "pdf_url": reverse("api:document_pdf", args=[transfer.slip_id])}


class TransferPageOut(PageOut):
    items: list[TransferOut]


class TransferIn(Schema):
    application: int = Field(ge=1, le=MAX_ID, description="办件ID(台账的 application_id)")
    direction: Direction = Field(description="to_centre 原件送交中心 / to_point 结果送回代办点")
    received_by: str = Field(max_length=SIGNER_MAX, description="签收人")
    note: str = Field("", max_length=NOTE_MAX)


@router.get("/agent-points/{point_id}/transfers", response={200: TransferPageOut, **ERRORS}, summary="代办件交接记录(含交接单)")
def list_transfers(request, point_id: RecordId, query: Query[PageQuery]):
    return page_of(queries.handovers_of(request.auth, queries.get_point_for(request.auth, point_id)), query)


@router.post("/agent-points/{point_id}/transfers", response={201: TransferOut, **ERRORS}, summary="登记代办件交接(出具编号的交接单)")
def record_transfer(request, point_id: RecordId, payload: TransferIn):
    point = queries.get_point_for(request.auth, point_id)
    # Only an application of this point's ledger; another's answers as the action's "not found".
    application = queries.applications_at(request.auth, point).filter(pk=payload.application).first()
    transfer = actions.record_handover(request.auth, application, payload.direction, received_by=payload.received_by, note=payload.note)
    return Status(201, queries.handovers_of(request.auth, transfer.point).get(pk=transfer.pk))
