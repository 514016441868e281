"""The hall over the API (a Ninja router, mounted with the others in zhenjie/api/urls.py): the
screen's figures, taking a number for a visitor, a counter's calls, and appointments. Thin:
scoped read → action → schema; refusals are the actions' ActionErrors ({code, message, fields})."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from zhenjie.api.schemas import ERRORS, RecordId
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.scoping import get_visible_or_404, unscoped

from . import hall_queries
from .actions import hall
from .models import AppointmentSlot

router = Router(tags=["服务大厅"])


class TicketOut(Schema):
    id: int
    code: str
    item_code: str
    item_name: str
    priority: str
    state: str
    issued_at: datetime
    counter_id: int | None
    called_at: datetime | None
    recalls: int


class AppointmentOut(Schema):
    id: int
    day: date
    slot_id: int
    item_code: str
    item_name: str
    state: str


class TicketIn(Schema):
    item_code: str = Field(min_length=1, max_length=64)
    priority: Literal["", "elderly", "disabled", "pregnant"] = ""


class BookingIn(Schema):
    day: date
    item_code: str = Field(min_length=1, max_length=64)
    person_name: str = Field(min_length=1, max_length=32)
    phone: str = Field(min_length=11, max_length=20)  # kernel.pii normalises (+86, spaces) and checks


class CallOut(Schema):
    ticket: str
    counter: str
    counter_name: str


class ItemWaitOut(Schema):
    code: str
    name: str
    waiting: int
    longest_minutes: int
    average_minutes: int


class LoadOut(Schema):
    name: str
    value: int


class ScreenOut(Schema):
    generated_at: str
    calls: list[CallOut]
    items: list[ItemWaitOut]
    loads: list[LoadOut]
    waiting_total: int


@router.get("/window/hall/centres/{pk}/screen", response={200: ScreenOut, **ERRORS}, summary="服务大厅叫号屏数据")
def screen(request, pk: RecordId):
    return hall_queries.screen_data(hall_queries.get_centre_for(request.auth, pk))


@router.post("/window/hall/centres/{pk}/tickets", response={201: TicketOut, **ERRORS}, summary="代为取号")
def issue(request, pk: RecordId, payload: TicketIn):
    centre = hall_queries.get_centre_for(request.auth, pk)
    return Status(201, hall.issue_ticket(request.auth, centre, payload.item_code, payload.priority))


@router.post("/window/hall/counters/{pk}/call", response={200: TicketOut, **ERRORS}, summary="叫下一位")
def call(request, pk: RecordId):
    return hall.call_next(request.auth, hall_queries.get_counter_for(request.auth, pk))


STEPS = {"recall": hall.recall, "skip": hall.skip, "finish": hall.finish, "requeue": hall.requeue}


@router.post("/window/hall/tickets/{pk}/{step}", response={200: TicketOut, **ERRORS}, summary="重呼、过号、回号或办结")
def ticket_step(request, pk: RecordId, step: Literal["recall", "skip", "finish", "requeue"]):
    return STEPS[step](request.auth, hall_queries.get_ticket_for(request.auth, pk))


@router.post("/window/hall/slots/{pk}/appointments", response={201: AppointmentOut, **ERRORS}, summary="预约(群众本人或工作人员代约)")
def book(request, pk: RecordId, payload: BookingIn):
    # Slots are public, like the guide: a citizen books at any centre; staff only at their own
    # (the action's rule). A slot that does not exist is a refusal of the field, not a 404 page.
    try:
        slot = get_visible_or_404(unscoped(AppointmentSlot, why="a centre's slots are public").select_related("centre__area"), "hall.slot_not_found", "预约时段不存在", pk=pk)
    except NotFound:
        raise Rejected("hall.slot_not_found", "预约时段不存在", field="slot") from None
    return Status(201, hall.book_appointment(request.auth, slot, **payload.dict()))


@router.post("/window/hall/appointments/{pk}/cancel", response={200: AppointmentOut, **ERRORS}, summary="取消预约")
def cancel(request, pk: RecordId):
    return hall.cancel_appointment(request.auth, hall_queries.get_appointment_for(request.auth, pk))


@router.post("/window/hall/appointments/{pk}/check-in", response={200: TicketOut, **ERRORS}, summary="预约签到(转为优先号)")
def check_in(request, pk: RecordId):
    return hall.check_in(request.auth, hall_queries.get_appointment_for(request.auth, pk))
