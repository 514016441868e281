"""乡呼县应 API: calls on any case whose kind declares "call" (`POST /api/cases/{id}/calls`), on an
event by its own path (`POST /api/events/{id}/calls`, as before), and the call's own steps."""

from ninja import Query, Router, Status

from zhenjie.api.schemas import ERRORS, RecordId, page_of
from zhenjie.events.queries import get_event_for
from zhenjie.events.schemas import RateIn, ReasonIn
from zhenjie.kernel.api import visible_case
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.units.queries import units_for

from . import actions, queries
from .schemas import CallFilter, CallIn, CallOut, CallPageOut, CallResultIn

router = Router(tags=["事件与乡呼县应"])


def _call(request, case_id):
    call = queries.calls_for(request.auth).filter(case_id=case_id).first()
    if call is None:
        raise NotFound("call.not_found", "呼叫不存在或不在您的辖区内")
    return call


def _call_departments(request, parent, payload: CallIn):
    wanted = set(payload.department_ids)
    departments = list(units_for(request.auth).filter(pk__in=wanted))
    if len(departments) != len(wanted):
        raise Rejected("call.department_unknown", "所选部门不存在", field="department_ids")
    made = actions.call_departments(request.auth, parent, departments, payload.request, payload.working_days)
    return Status(201, list(queries.calls_for(request.auth).filter(pk__in=[c.pk for c in made]).order_by("pk")))


@router.post("/cases/{case_id}/calls", response={201: list[CallOut], **ERRORS}, summary="就一件事项呼叫县直部门(乡呼县应)")
def call_on_case(request, case_id: RecordId, payload: CallIn):
    """呼叫多个部门即联合呼叫，每个部门一件。事项的类型须允许呼叫。"""
    return _call_departments(request, visible_case(request, case_id), payload)


@router.post("/events/{case_id}/calls", response={201: list[CallOut], **ERRORS}, summary="呼叫县直部门(乡呼县应)")
def call_departments(request, case_id: RecordId, payload: CallIn):
    """呼叫多个部门即联合呼叫，每个部门一件。"""
    return _call_departments(request, get_event_for(request.auth, case_id).case, payload)


@router.get("/calls", response={200: CallPageOut, **ERRORS}, summary="乡呼县应列表(部门看收到的，乡镇看发出的)")
def list_calls(request, filters: Query[CallFilter]):
    rows = queries.calls_for(request.auth)
    if filters.state:
        rows = rows.filter(case__state=filters.state)
    return page_of(rows, filters)


@router.get("/calls/{case_id}", response={200: CallOut, **ERRORS}, summary="一件呼叫")
def get_call(request, case_id: RecordId):
    return _call(request, case_id)


@router.post("/calls/{case_id}/acknowledge", response={200: CallOut, **ERRORS}, summary="部门响应")
def acknowledge_call(request, case_id: RecordId):
    actions.acknowledge_call(request.auth, _call(request, case_id))
    return _call(request, case_id)


@router.post("/calls/{case_id}/report_back", response={200: CallOut, **ERRORS}, summary="部门反馈办理结果")
def report_call(request, case_id: RecordId, payload: CallResultIn):
    actions.report_call(request.auth, _call(request, case_id), payload.result)
    return _call(request, case_id)


@router.post("/calls/{case_id}/confirm", response={200: CallOut, **ERRORS}, summary="乡镇确认办结")
def confirm_call(request, case_id: RecordId):
    actions.confirm_call(request.auth, _call(request, case_id))
    return _call(request, case_id)


@router.post("/calls/{case_id}/reject", response={200: CallOut, **ERRORS}, summary="乡镇退回重办")
def reject_call(request, case_id: RecordId, payload: ReasonIn):
    actions.reject_call(request.auth, _call(request, case_id), payload.reason)
    return _call(request, case_id)


@router.post("/calls/{case_id}/withdraw", response={200: CallOut, **ERRORS}, summary="乡镇撤回呼叫")
def withdraw_call(request, case_id: RecordId, payload: ReasonIn):
    actions.withdraw_call(request.auth, _call(request, case_id), payload.reason)
    return _call(request, case_id)


@router.post("/calls/{case_id}/rate", response={200: CallOut, **ERRORS}, summary="乡镇评价部门响应")
def rate_call(request, case_id: RecordId, payload: RateIn):
    actions.rate_call(request.auth, _call(request, case_id), payload.rating, payload.comment)
    return _call(request, case_id)
