"""States and transitions of events and of 乡呼县应 calls (seed 004 §三: 发现问题、流转交办、
协调联动、研判预警、督查考核; seed 003 三(二) for calls)."""

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.workflow import Workflow, register

EVENT = "event"
CALL = "call"

# Who runs the command centre's side of an event: its dispatchers, and the township's leaders.
COMMAND = frozenset({R.DISPATCHER, R.TOWNSHIP_LEADER})
# Who checks the result on the spot: the grid worker of the place, or the command centre.
VERIFIERS = frozenset({R.GRID_WORKER, R.DISPATCHER, R.TOWNSHIP_LEADER})


class EventState:
    REPORTED = "reported"
    REGISTERED = "registered"
    REJECTED = "rejected"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    HANDLING = "handling"
    PAUSED = "paused"
    REPORTED_BACK = "reported_back"
    VERIFIED = "verified"
    CLOSED = "closed"


def _township_prefix(case, unit) -> str:
    return f"{unit.area.name[:2]}事"


EVENT_WORKFLOW = register(
    Workflow(
        kind=EVENT,
        label="事件",
        states={
            EventState.REPORTED: "待受理", EventState.REGISTERED: "已立案", EventState.REJECTED: "不予受理", EventState.MERGED: "已合并",
            EventState.DISPATCHED: "已派遣", EventState.ACKNOWLEDGED: "已签收", EventState.HANDLING: "处置中", EventState.PAUSED: "已中止",
            EventState.REPORTED_BACK: "待核查", EventState.VERIFIED: "核查通过", EventState.CLOSED: "已办结",
        },
        initial=EventState.REPORTED,
        number_series="event",
        number_prefix=_township_prefix,
        detail_url_name="events:detail",
        todo_labels={
            "register": "受理立案", "dispatch": "派遣", "acknowledge": "签收", "handle": "处置并反馈",
            "verify": "现场核查", "close": "结案", "approve_extension": "审批延期", "own": "首问负责，交指挥中心",
        },
    )
    # by_assignee: whoever took a walk-in report owns it until it is handed on (首问负责, seed 002).
    .add("register", "立案", [EventState.REPORTED], EventState.REGISTERED, roles=COMMAND, by_assignee=True)
    .add("reject", "不予受理", [EventState.REPORTED], EventState.REJECTED, roles=COMMAND, by_assignee=True, needs_reason=True, closes=True)
    .add("merge", "合并重复件", [EventState.REPORTED, EventState.REGISTERED], EventState.MERGED, roles=COMMAND, closes=True)
    .add("dispatch", "派遣", [EventState.REGISTERED], EventState.DISPATCHED, roles=COMMAND, by_assignee=True)
    .add("reassign", "改派", [EventState.DISPATCHED, EventState.ACKNOWLEDGED, EventState.HANDLING], EventState.DISPATCHED, roles=COMMAND, needs_reason=True)
    .add("acknowledge", "签收", [EventState.DISPATCHED], EventState.ACKNOWLEDGED, by_assignee=True)
    .add("return", "退回", [EventState.DISPATCHED, EventState.ACKNOWLEDGED], EventState.REGISTERED, by_assignee=True, needs_reason=True)
    .add("start", "开始处置", [EventState.ACKNOWLEDGED], EventState.HANDLING, by_assignee=True)
    .add("pause", "中止(等待第三方)", [EventState.HANDLING], EventState.PAUSED, by_assignee=True, needs_reason=True, deadline="pause")
    .add("resume", "恢复处置", [EventState.PAUSED], EventState.HANDLING, by_assignee=True, roles=COMMAND, deadline="resume")
    .add("report_back", "反馈处置结果", [EventState.HANDLING], EventState.REPORTED_BACK, by_assignee=True)
    .add("verify_pass", "核查通过", [EventState.REPORTED_BACK], EventState.VERIFIED, by_assignee=True, roles=VERIFIERS)
    # Failed verification returns the event to the unit that handled it, not to dispatch
    # (issue 5 item 3): the unit that did the work puts it right.
    .add("verify_fail", "核查不通过", [EventState.REPORTED_BACK], EventState.HANDLING, by_assignee=True, roles=VERIFIERS, needs_reason=True)
    .add("close", "结案", [EventState.VERIFIED, EventState.REPORTED_BACK], EventState.CLOSED, roles=COMMAND, closes=True,
         condition=lambda case: None if case.state == EventState.VERIFIED or not case.event.category.needs_verification else "该类事件须现场核查通过后才能结案")
)


class CallState:
    CALLED = "called"
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


CALL_WORKFLOW = register(
    Workflow(
        kind=CALL,
        label="乡呼县应",
        states={CallState.CALLED: "待响应", CallState.ACKNOWLEDGED: "已响应", CallState.REPORTED: "已反馈", CallState.CONFIRMED: "已办结", CallState.WITHDRAWN: "已撤回"},
        initial=CallState.CALLED,
        number_series="call",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}呼",
        detail_url_name="events:call_detail",
        todo_labels={"respond": "响应呼叫", "handle": "办理并反馈", "confirm": "确认办理结果"},
    )
    .add("acknowledge", "响应", [CallState.CALLED], CallState.ACKNOWLEDGED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}))
    .add("report_back", "反馈办理结果", [CallState.ACKNOWLEDGED], CallState.REPORTED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}))
    .add("confirm", "确认办结", [CallState.REPORTED], CallState.CONFIRMED, roles=COMMAND, closes=True)
    .add("reject", "退回重办", [CallState.REPORTED], CallState.ACKNOWLEDGED, roles=COMMAND, needs_reason=True)
    .add("withdraw", "撤回呼叫", [CallState.CALLED, CallState.ACKNOWLEDGED], CallState.WITHDRAWN, roles=COMMAND, needs_reason=True, closes=True)
)
