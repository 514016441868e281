"""States and transitions of events (seed 004 §三: 发现问题、流转交办、协调联动、研判预警、督查考核).
The 乡呼县应 calls an event may make are their own kind (zhenjie/calls)."""

from zhenjie.accounts.roles import COMMAND, RoleCode as R
from zhenjie.calls.workflow import CALL_INPUTS, RATING_CHOICES, may_call
from zhenjie.kernel import supervision
from zhenjie.kernel.extensions import DECISION_INPUTS, REQUEST_INPUTS, may_decide_extension, pending_extension
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.workflow import (
    CASE, CHOICE, DONE, FILES, INTEGER, LONGTEXT, TEXT, UNIT, WAITING, Input, Phase, Workflow, register,
)

EVENT = "event"
RESULT_MAX = 4000

# Transitions taken only through another action, never offered as a button or an API step:
# reopening goes through a follow-up (kernel.followups.reopen), which keeps what the call found.
THROUGH_FOLLOW_UP = frozenset({"reopen"})

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


# The handling unit may ask for more time between signing for the event and reporting back.
EXTENDABLE = (EventState.ACKNOWLEDGED, EventState.HANDLING, EventState.PAUSED)


def _township_prefix(case, unit) -> str:
    return f"{unit.area.name[:2]}事"


# ---- who may take the actions that are not transitions (the page and the action ask the same rule)


def _may_request_extension(standing):
    if not standing.allowed("report_back"):
        return Forbidden("event.extension_not_allowed", "只有处置单位可以申请延期")
    if standing.case.state not in EXTENDABLE:
        return Conflict("event.extension_wrong_state", "签收后、反馈前才能申请延期")
    if pending_extension(standing) is not None:
        return Conflict("event.extension_pending", "已有延期申请在审批中")
    return None


def handlers_of(standing) -> frozenset[int]:
    """The people who handled the event (finished its "handle" work, any round), read once."""
    from zhenjie.kernel.models import Assignment

    return standing.memo("handlers", lambda: frozenset(
        Assignment.objects.filter(case=standing.case, todo="handle", state=Assignment.State.DONE, done_by__isnull=False)
        .values_list("done_by", flat=True)
    ))


def _verifier_not_handler(standing):
    """Verification by someone else (issue 14): neither the person who handled the event nor
    anyone acting for the handling unit (its members, their stand-ins) checks its result. Seed
    004 §三 asks for 核查 before 结案; a unit checking its own work is no check."""
    unit_id = standing.case.event.handling_unit_id
    if unit_id is not None and unit_id in standing.reach.unit_ids:
        return Forbidden("event.verify_own_unit", "处置单位不能核查本单位办理的事件，请由网格员或指挥中心核查")
    if getattr(standing.actor, "pk", None) in handlers_of(standing):
        return Forbidden("event.verify_own_work", "办理人不能核查自己办理的事件")
    return None


def _may_assign_verifier(standing):
    """The command centre names who verifies a reported-back event (指定核查人)."""
    if not standing.holds(COMMAND):
        return Forbidden("event.assign_verifier_not_allowed", "只有指挥中心可以指定核查人")
    if standing.case.state != EventState.REPORTED_BACK:
        return Conflict("event.assign_verifier_wrong_state", "只有待核查的事件可以指定核查人")
    return None


def _may_rate_event(standing):
    """The reporter rates a closed event once; a citizen without an account is the reporter by
    the tracking code they hold (events.portal.rate_as_citizen)."""
    event, actor = standing.case.event, standing.actor
    is_reporter = event.reporter_id is not None and event.reporter_id == getattr(actor, "pk", None)
    if not (is_reporter or getattr(actor, "holds_tracking_code_of", None) == standing.case.pk):
        return Forbidden("event.not_reporter", "只有上报人可以评价")
    if standing.case.state != EventState.CLOSED:
        return Conflict("event.not_closed", "事件办结后才能评价")
    if standing.case.rating is not None:
        return Conflict("rating.already_rated", "已评价过，每件只能评价一次")
    return None


def _may_close(case):
    """On-site verification passed; or, for a category that skips it, the reporter confirmed the
    result — online or on a recorded follow-up call (issue 14 item 2: 不需现场核查的类别须经
    上报人确认或回访)."""
    if case.state == EventState.VERIFIED:
        return None
    if case.event.category.needs_verification:
        return "该类事件须现场核查通过后才能结案"
    from zhenjie.kernel import followups

    if not followups.confirmed(case):
        return "该类事件不需现场核查，但须经上报人确认问题已解决(群众在线确认或回访记录确认)后才能结案"
    return None


def _is_reporter(standing) -> bool:
    event, actor = standing.case.event, standing.actor
    return (event.reporter_id is not None and event.reporter_id == getattr(actor, "pk", None)) or (
        getattr(actor, "holds_tracking_code_of", None) == standing.case.pk
    )


def _may_confirm(standing):
    """The reporter (or the citizen holding the tracking code) says whether the problem is solved,
    while a confirmation follow-up waits (kernel.followups.confirm)."""
    from zhenjie.kernel import followups

    if not _is_reporter(standing):
        return Forbidden("event.not_reporter", "只有上报人可以确认办理结果")
    if standing.case.state != EventState.REPORTED_BACK or followups.pending_confirmation(standing.case) is None:
        return Conflict("followup.nothing_to_confirm", "该事项目前无需确认")
    return None


def _may_reveal_personal_data(standing):
    """Whoever must call the reporter or a party back: the township's command centre and
    leaders, and the unit handling the event (kernel.parties.reveal_party)."""
    if not (standing.holds(COMMAND) or standing.case.event.handling_unit_id in standing.reach.unit_ids):
        return Forbidden("event.phone_not_allowed", "只有指挥中心、乡镇(街道)领导和处置单位可以查看上报人完整号码")
    return None


def _may_reveal_phone(standing):
    if refused := _may_reveal_personal_data(standing):
        return refused
    if not standing.case.event.reporter_phone_cipher:
        return Conflict("event.no_phone", "上报人未留手机号码")
    return None


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
            "follow_up": "回访",
        },
        # Every step of the loop is watched by its own deadline (issue 14 item 1, kernel/SUPERVISION.md).
        supervised=frozenset({"register", "dispatch", "acknowledge", "handle", "verify", "close", "approve_extension", "own", "follow_up"}),
        # The dispatcher's queue, as tabs over the list: what waits on the command centre first.
        phases={
            "intake": Phase("待受理", (EventState.REPORTED,)),
            "dispatch": Phase("待派遣", (EventState.REGISTERED,)),
            "handling": Phase("处置中", (EventState.DISPATCHED, EventState.ACKNOWLEDGED, EventState.HANDLING, EventState.PAUSED), WAITING),
            "verify": Phase("待核查/结案", (EventState.REPORTED_BACK, EventState.VERIFIED)),
            "closed": Phase("已关闭", (EventState.CLOSED, EventState.REJECTED, EventState.MERGED), DONE),
        },
    )
    # by_assignee: whoever took a walk-in report owns it until it is handed on (首问负责, seed 002).
    .add("register", "立案", [EventState.REPORTED], EventState.REGISTERED, roles=COMMAND, by_assignee=True)
    .add("reject", "不予受理", [EventState.REPORTED], EventState.REJECTED, roles=COMMAND, by_assignee=True, needs_reason=True, closes=True)
    .add("merge", "合并重复件", [EventState.REPORTED, EventState.REGISTERED], EventState.MERGED, roles=COMMAND, closes=True,
         inputs=[Input("into", "合并至", CASE, required=True)])
    .add("dispatch", "派遣", [EventState.REGISTERED], EventState.DISPATCHED, roles=COMMAND, by_assignee=True,
         inputs=[Input("unit", "处置单位", UNIT, help="不填则按清单确定"), Input("reason", "改派理由", LONGTEXT, max_length=2000, help="不按清单指定的单位派遣时必填")])
    .add("reassign", "改派", [EventState.DISPATCHED, EventState.ACKNOWLEDGED, EventState.HANDLING], EventState.DISPATCHED, roles=COMMAND, needs_reason=True,
         inputs=[Input("unit", "处置单位", UNIT, required=True)])
    .add("acknowledge", "签收", [EventState.DISPATCHED], EventState.ACKNOWLEDGED, by_assignee=True)
    .add("return", "退回", [EventState.DISPATCHED, EventState.ACKNOWLEDGED], EventState.REGISTERED, by_assignee=True, needs_reason=True)
    .add("start", "开始处置", [EventState.ACKNOWLEDGED], EventState.HANDLING, by_assignee=True)
    .add("pause", "中止(等待第三方)", [EventState.HANDLING], EventState.PAUSED, by_assignee=True, needs_reason=True, deadline="pause")
    .add("resume", "恢复处置", [EventState.PAUSED], EventState.HANDLING, by_assignee=True, roles=COMMAND, deadline="resume")
    .add("report_back", "反馈处置结果", [EventState.HANDLING], EventState.REPORTED_BACK, by_assignee=True,
         inputs=[Input("result", "处置结果", LONGTEXT, required=True, max_length=RESULT_MAX), Input("photos", "处置后照片", FILES)])
    .add("verify_pass", "核查通过", [EventState.REPORTED_BACK], EventState.VERIFIED, by_assignee=True, roles=VERIFIERS, rule=_verifier_not_handler,
         inputs=[Input("reason", "核查意见", LONGTEXT, max_length=2000)])
    # Failed verification returns the event to the unit that handled it, not to dispatch
    # (issue 5 item 3): the unit that did the work puts it right.
    .add("verify_fail", "核查不通过", [EventState.REPORTED_BACK], EventState.HANDLING, by_assignee=True, roles=VERIFIERS, rule=_verifier_not_handler,
         inputs=[Input("reason", "核查意见", LONGTEXT, required=True, max_length=2000)])
    .add("close", "结案", [EventState.VERIFIED, EventState.REPORTED_BACK], EventState.CLOSED, roles=COMMAND, closes=True,
         condition=_may_close)
    # 回访 found the reporter dissatisfied: back to the unit that handled it (kernel.followups;
    # events.actions.reopen_event counts the rework). Only through a follow-up, which keeps the call.
    .add("reopen", "重新办理", [EventState.CLOSED], EventState.HANDLING, roles=COMMAND, needs_reason=True)
    .may("request_extension", "申请延期", _may_request_extension, inputs=REQUEST_INPUTS)
    .may("decide_extension", "审批延期", may_decide_extension, inputs=DECISION_INPUTS)
    .may("call", "乡呼县应：呼叫县直部门", may_call, inputs=CALL_INPUTS)  # seed 003 三(二); zhenjie/calls
    .may("notice", "督办", supervision.may_issue_notice,
         inputs=[Input("level", "督办级别", CHOICE, required=True, choices=supervision.NOTICE_LEVELS), Input("text", "督办要求", LONGTEXT, required=True, max_length=supervision.NOTICE_MAX)])
    .may("answer_notice", "反馈督办单", supervision.may_answer_notice, inputs=supervision.ANSWER_INPUTS)
    .may("rate", "评价办理结果", _may_rate_event,
         inputs=[Input("rating", "评价", CHOICE, required=True, choices=RATING_CHOICES), Input("comment", "评价意见", TEXT, max_length=500)])
    .may("confirm", "确认办理结果", _may_confirm)
    .may("assign_verifier", "指定核查人", _may_assign_verifier,
         inputs=[Input("verifier", "核查人", INTEGER, required=True, minimum=1, help="本乡镇(街道)处置单位以外的人员")])
    .may("reveal_phone", "查看上报人完整电话", _may_reveal_phone)
    .may("reveal_personal_data", "查看当事人完整号码", _may_reveal_personal_data)
)
