"""States and transitions of 乡呼县应 calls (seed 003 三(二)), and the "call" rule a parent kind
declares to offer them (events: `.may("call", …, may_call, inputs=CALL_INPUTS)`)."""

from zhenjie.accounts.roles import COMMAND, RoleCode as R
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.rating import GRADES
from zhenjie.kernel.workflow import CHOICE, DONE, INTEGER, LONGTEXT, TEXT, UNITS, WAITING, Input, Phase, Workflow, register, workflow_for

CALL = "call"
REQUEST_MAX = 2000  # what a call asks of a department, and what it answers
MAX_DAYS = 60  # a call's time limit, in working days
MAX_DEPARTMENTS = 6
RATING_CHOICES = tuple(GRADES.items())  # 好差评 (kernel.rating)

CALL_INPUTS = (
    Input("departments", "呼叫部门", UNITS, required=True), Input("request", "呼叫事项", LONGTEXT, required=True, max_length=REQUEST_MAX),
    Input("working_days", "办理时限(工作日)", INTEGER, required=True, minimum=1, maximum=MAX_DAYS),
)


def may_call(standing):
    """The township's command centre (its dispatchers and leaders), while the parent case is open."""
    if not standing.holds(COMMAND):
        return Forbidden("call.not_allowed", "只有本乡镇(街道)的指挥中心调度员或领导可以呼叫县直部门")
    if standing.case.closed_at is not None:
        return Conflict("call.event_closed", f"{workflow_for(standing.case.kind).label}已办结或已关闭，不能再呼叫")
    return None


class CallState:
    CALLED = "called"
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


def _may_rate_call(standing):
    """The calling township rates how the department responded, once, after confirming."""
    if not standing.holds(COMMAND):
        return Forbidden("call.rate_not_allowed", "只有呼叫的乡镇(街道)可以评价")
    if standing.case.state != CallState.CONFIRMED:
        return Conflict("call.not_confirmed", "确认办结后才能评价")
    if standing.case.rating is not None:
        return Conflict("rating.already_rated", "已评价过，每件只能评价一次")
    return None


CALL_WORKFLOW = register(
    Workflow(
        kind=CALL,
        label="乡呼县应",
        states={CallState.CALLED: "待响应", CallState.ACKNOWLEDGED: "已响应", CallState.REPORTED: "已反馈", CallState.CONFIRMED: "已办结", CallState.WITHDRAWN: "已撤回"},
        initial=CallState.CALLED,
        number_series="call",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}呼",
        detail_url_name="calls:detail",
        todo_labels={"respond": "响应呼叫", "handle": "办理并反馈", "confirm": "确认办理结果"},
        supervised=frozenset({"respond", "handle", "confirm"}),  # kernel/SUPERVISION.md
        phases={
            "department": Phase("部门办理中", (CallState.CALLED, CallState.ACKNOWLEDGED), WAITING),
            "confirm": Phase("待确认", (CallState.REPORTED,)),
            "closed": Phase("已关闭", (CallState.CONFIRMED, CallState.WITHDRAWN), DONE),
        },
    )
    .add("acknowledge", "响应", [CallState.CALLED], CallState.ACKNOWLEDGED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}))
    .add("report_back", "反馈办理结果", [CallState.ACKNOWLEDGED], CallState.REPORTED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}),
         inputs=[Input("result", "办理结果", LONGTEXT, required=True, max_length=REQUEST_MAX)])
    .add("confirm", "确认办结", [CallState.REPORTED], CallState.CONFIRMED, roles=COMMAND, closes=True)
    .add("reject", "退回重办", [CallState.REPORTED], CallState.ACKNOWLEDGED, roles=COMMAND, needs_reason=True)
    .add("withdraw", "撤回呼叫", [CallState.CALLED, CallState.ACKNOWLEDGED], CallState.WITHDRAWN, roles=COMMAND, needs_reason=True, closes=True)
    .may("rate", "评价部门响应", _may_rate_call,  # seed 003 五(一): townships assess departments
         inputs=[Input("rating", "评价", CHOICE, required=True, choices=RATING_CHOICES), Input("comment", "评价意见", TEXT, max_length=500)])
)
