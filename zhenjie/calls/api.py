"""乡呼县应 API: calls on any case whose kind declares "call" (`POST /api/cases/{id}/calls`), on an
event by its own path (`POST /api/events/{id}/calls`, as before), the list, one call, and the
call's own steps — the kit's (api/kit.py), at the paths they were documented at."""

from ninja import Router, Status

from zhenjie.api.kit import list_alias, step_alias
from zhenjie.api.schemas import ERRORS, RecordId
from zhenjie.events.queries import get_event_for
from zhenjie.kernel.api import visible_case
from zhenjie.kernel.errors import Rejected
from zhenjie.units.queries import units_for

from . import actions, queries
from .kit import CALLS
from .schemas import CallIn, CallOut, CallPageOut

router = Router(tags=["事件与乡呼县应"])


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


list_alias(router, CALLS, "乡呼县应列表(部门看收到的，乡镇看发出的)", CallPageOut)


@router.get("/calls/{case_id}", response={200: CallOut, **ERRORS}, summary="一件呼叫")
def get_call(request, case_id: RecordId):
    return queries.get_call_for(request.auth, case_id)


# The steps, at the paths and with the operation ids (the functions they were) they had before the kit.
for name, summary, function in (
    ("acknowledge", "部门响应", "acknowledge_call"), ("report_back", "部门反馈办理结果", "report_call"),
    ("confirm", "乡镇确认办结", "confirm_call"), ("reject", "乡镇退回重办", "reject_call"),
    ("withdraw", "乡镇撤回呼叫", "withdraw_call"), ("rate", "乡镇评价部门响应", "rate_call"),
):
    step_alias(router, CALLS, name, summary, CallOut, operation_id=f"zhenjie_calls_api_{function}")
