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


class S:
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
            S.REPORTED: "待受理", S.REGISTERED: "已立案", S.REJECTED: "不予受理", S.MERGED: "已合并",
            S.DISPATCHED: "已派遣", S.ACKNOWLEDGED: "已签收", S.HANDLING: "处置中", S.PAUSED: "已中止",
            S.REPORTED_BACK: "待核查", S.VERIFIED: "核查通过", S.CLOSED: "已办结",
        },
        initial=S.REPORTED,
        number_series="event",
        number_prefix=_township_prefix,
        detail_url_name="events:detail",
        todo_labels={
            "register": "受理立案", "dispatch": "派遣", "acknowledge": "签收", "handle": "处置并反馈",
            "verify": "现场核查", "close": "结案", "approve_extension": "审批延期", "own": "首问负责，交指挥中心",
        },
    )
    # by_assignee: whoever took a walk-in report owns it until it is handed on (首问负责, seed 002).
    .add("register", "立案", [S.REPORTED], S.REGISTERED, roles=COMMAND, by_assignee=True)
    .add("reject", "不予受理", [S.REPORTED], S.REJECTED, roles=COMMAND, by_assignee=True, needs_reason=True, closes=True)
    .add("merge", "合并重复件", [S.REPORTED, S.REGISTERED], S.MERGED, roles=COMMAND, closes=True)
    .add("dispatch", "派遣", [S.REGISTERED], S.DISPATCHED, roles=COMMAND, by_assignee=True)
    .add("reassign", "改派", [S.DISPATCHED, S.ACKNOWLEDGED, S.HANDLING], S.DISPATCHED, roles=COMMAND, needs_reason=True)
    .add("acknowledge", "签收", [S.DISPATCHED], S.ACKNOWLEDGED, by_assignee=True)
    .add("return", "退回", [S.DISPATCHED, S.ACKNOWLEDGED], S.REGISTERED, by_assignee=True, needs_reason=True)
    .add("start", "开始处置", [S.ACKNOWLEDGED], S.HANDLING, by_assignee=True)
    .add("pause", "中止(等待第三方)", [S.HANDLING], S.PAUSED, by_assignee=True, needs_reason=True, deadline="pause")
    .add("resume", "恢复处置", [S.PAUSED], S.HANDLING, by_assignee=True, roles=COMMAND, deadline="resume")
    .add("report_back", "反馈处置结果", [S.HANDLING], S.REPORTED_BACK, by_assignee=True)
    .add("verify_pass", "核查通过", [S.REPORTED_BACK], S.VERIFIED, by_assignee=True, roles=VERIFIERS)
    # Failed verification returns the event to the unit that handled it, not to dispatch
    # (issue 5 item 3): the unit that did the work puts it right.
    .add("verify_fail", "核查不通过", [S.REPORTED_BACK], S.HANDLING, by_assignee=True, roles=VERIFIERS, needs_reason=True)
    .add("close", "结案", [S.VERIFIED, S.REPORTED_BACK], S.CLOSED, roles=COMMAND, closes=True,
         condition=lambda case: None if case.state == S.VERIFIED or not case.event.category.needs_verification else "该类事件须现场核查通过后才能结案")
)


class C:
    CALLED = "called"
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


CALL_WORKFLOW = register(
    Workflow(
        kind=CALL,
        label="乡呼县应",
        states={C.CALLED: "待响应", C.ACKNOWLEDGED: "已响应", C.REPORTED: "已反馈", C.CONFIRMED: "已办结", C.WITHDRAWN: "已撤回"},
        initial=C.CALLED,
        number_series="call",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}呼",
        detail_url_name="events:call_detail",
        todo_labels={"respond": "响应呼叫", "handle": "办理并反馈", "confirm": "确认办理结果"},
    )
    .add("acknowledge", "响应", [C.CALLED], C.ACKNOWLEDGED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}))
    .add("report_back", "反馈办理结果", [C.ACKNOWLEDGED], C.REPORTED, by_assignee=True, roles=frozenset({R.DEPARTMENT_LIAISON}))
    .add("confirm", "确认办结", [C.REPORTED], C.CONFIRMED, roles=COMMAND, closes=True)
    .add("reject", "退回重办", [C.REPORTED], C.ACKNOWLEDGED, roles=COMMAND, needs_reason=True)
    .add("withdraw", "撤回呼叫", [C.CALLED, C.ACKNOWLEDGED], C.WITHDRAWN, roles=COMMAND, needs_reason=True, closes=True)
)
