"""The back office over the API (a Ninja router the integrator mounts with the others): the queue,
one application's clock, and the steps — each the same action the pages call, with the same
refusals (400 bad input, 403 not yours, 404 out of reach, 409 out of turn or someone first)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS, PageOut, PageQuery, UnitBrief, page_of

from .queries import get_application_for
from . import queries_backoffice as queries
from .actions import acceptance, backoffice
from .models import ExclusionKind

router = Router(tags=["便民服务后台审批"])


class QueueItemOut(Schema):
    id: int = Field(alias="case_id", description="事项ID")
    number: str = Field(alias="case.number")
    item_code: str
    item_name: str
    state: str = Field(alias="case.state")
    due_at: datetime | None = Field(alias="case.due_at")
    paused: bool

    @staticmethod
    def resolve_paused(application):
        return application.case.paused_at is not None


class QueuePageOut(PageOut):
    items: list[QueueItemOut]


class RouteOut(Schema):
    unit: UnitBrief
    power_code: str
    source: str
    basis: str
    lead: bool


class PeriodOut(Schema):
    kind: str
    reason: str
    expected_days: int
    started_at: datetime
    ended_at: datetime | None
    notice_id: int | None


class ClockOut(Schema):
    id: int
    state: str
    started_at: datetime | None = None
    from_receipt: bool = False
    promised_days: int | None = None
    promised_due: datetime | None = None
    statutory_days: int | None = None
    statutory_due: datetime | None = None
    paused: bool = False
    extended_days: int = 0
    extension_left: int | None = None
    routes: list[RouteOut]
    periods: list[PeriodOut]


class ReasonIn(Schema):
    reason: str = Field(max_length=2000)


class ExcludeIn(Schema):
    kind: ExclusionKind
    reason: str = Field(max_length=500)
    expected_days: int = Field(ge=1, le=backoffice.EXPECTED_MAX)


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class ExtensionIn(Schema):
    amount: int = Field(ge=1, le=30)
    reason: str = Field(max_length=500)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


def _clock(user, case_id: int) -> dict:
    application = get_application_for(user, case_id)
    panel = queries.panel_for(user, application)
    out = {
        "id": application.case_id, "state": application.case.state,
        "routes": [{"unit": r.unit, "power_code": r.power_code, "source": r.source, "basis": r.basis, "lead": r.lead} for r in panel.routes],
        "periods": [{"kind": p.kind, "reason": p.reason, "expected_days": p.expected_days, "started_at": p.started_at,
                     "ended_at": p.ended_at, "notice_id": p.notice_id} for p in panel.periods],
    }  # fmt: skip
    if (view := panel.clock) is not None:
        out |= {
            "started_at": view.clock.started_at, "from_receipt": view.clock.from_receipt, "promised_days": view.clock.promised_days,
            "promised_due": view.promised_due, "statutory_days": view.clock.statutory_days, "statutory_due": view.statutory_due,
            "paused": view.paused, "extended_days": application.case.extended_amount, "extension_left": view.extension_left,
        }  # fmt: skip
    return out


@router.get("/window/backoffice/queue", response={200: QueuePageOut, **ERRORS}, summary="待本单位审批的办件")
def queue(request, query: Query[PageQuery]):
    return page_of(queries.decision_queue_for(request.auth), query)


@router.get("/window/applications/{case_id}/clock", response={200: ClockOut, **ERRORS}, summary="办件的审批时限与审批单位")
def clock(request, case_id: int):
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/accept", response={200: ClockOut, **ERRORS}, summary="受理(出具受理通知书)")
def accept(request, case_id: int):
    acceptance.accept_application(request.auth, get_application_for(request.auth, case_id))
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/refuse-acceptance", response={200: ClockOut, **ERRORS}, summary="不予受理(出具不予受理通知书)")
def refuse(request, case_id: int, payload: ReasonIn):
    acceptance.refuse_acceptance(request.auth, get_application_for(request.auth, case_id), payload.reason)
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/exclude", response={200: ClockOut, **ERRORS}, summary="进入特别程序(计时暂停)")
def exclude(request, case_id: int, payload: ExcludeIn):
    backoffice.exclude(request.auth, get_application_for(request.auth, case_id), payload.kind, payload.reason, payload.expected_days)
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/resume", response={200: ClockOut, **ERRORS}, summary="特别程序结束(继续计时)")
def resume(request, case_id: int, payload: NoteIn):
    backoffice.resume(request.auth, get_application_for(request.auth, case_id), payload.note)
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/extension", response={200: ClockOut, **ERRORS}, summary="申请延期(行政许可法第四十二条)")
def request_extension(request, case_id: int, payload: ExtensionIn):
    backoffice.request_extension(request.auth, get_application_for(request.auth, case_id), payload.amount, payload.reason)
    return _clock(request.auth, case_id)


@router.post("/window/applications/{case_id}/extension/decide", response={200: ClockOut, **ERRORS}, summary="审批延期(出具延期告知书)")
def decide_extension(request, case_id: int, payload: ExtensionDecisionIn):
    backoffice.decide_extension(request.auth, get_application_for(request.auth, case_id), payload.approve, payload.note)
    return _clock(request.auth, case_id)
