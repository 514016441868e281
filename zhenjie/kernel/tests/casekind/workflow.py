from zhenjie.accounts.roles import RoleCode
from zhenjie.calls.workflow import CALL_INPUTS, may_call
from zhenjie.kernel import extensions, supervision
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.workflow import DONE, LONGTEXT, WAITING, Input, Phase, Workflow, open_case, register

KIND = "errand"
LEADS = frozenset({RoleCode.TOWNSHIP_LEADER, RoleCode.DISPATCHER})


class State:
    NEW = "new"
    WORKING = "working"
    PAUSED = "paused"
    ANSWERED = "answered"
    DONE = "done"
    DROPPED = "dropped"


def _may_remind(standing):
    """A lead may remind the unit while the errand is out with it (a "may" rule that reads the
    open work through the standing, as a page would)."""
    if not standing.holds(LEADS):
        return Forbidden("errand.remind_not_allowed", "只有领导和调度员可以催办")
    if standing.case.state not in ERRAND_WORKFLOW.states_in(WAITING):
        return Conflict("errand.remind_wrong_state", "事项不在承办单位手中，无需催办")
    if not standing.open_work:
        return Conflict("errand.nothing_open", "没有待办可催")
    return None


def _may_request_extension(standing):
    """The unit doing the errand, while it works on it, one request at a time (kernel.extensions)."""
    if not standing.allowed("answer"):
        return Forbidden("errand.extension_not_allowed", "只有承办单位可以申请延期")
    if standing.case.state not in (State.WORKING, State.PAUSED):
        return Conflict("errand.extension_wrong_state", "办理中才能申请延期")
    if extensions.pending_extension(standing) is not None:
        return Conflict("errand.extension_pending", "已有延期申请在审批中")
    return None


def _may_rate(standing):
    """The leads rate the unit's work once, when the errand is done (好差评 through kernel.rating)."""
    if standing.case.state != State.DONE:
        return Conflict("errand.rate_wrong_state", "办结后才能评价")
    if not standing.holds(LEADS):
        return Forbidden("errand.rate_not_allowed", "只有领导和调度员可以评价")
    return None


def _may_archive(standing):
    """The leads archive a closed errand (kernel.archive); the kernel itself refuses an open one."""
    if not standing.holds(LEADS):
        return Forbidden("errand.archive_not_allowed", "只有领导和调度员可以归档")
    if standing.case.closed_at is None:  # the same words as the kernel's own refusal, so the button shows only once it can work
        return Conflict("archive.case_open", "事项尚未办结，办结后才能归档")
    return None


ERRAND_WORKFLOW = register(
    Workflow(
        kind=KIND,
        label="测试事项",
        states={
            State.NEW: "待签收", State.WORKING: "办理中", State.PAUSED: "已中止", State.ANSWERED: "待审核",
            State.DONE: "已办结", State.DROPPED: "已撤销",
        },
        initial=State.NEW,
        number_series="errand",  # no number_prefix: the numbering unit's short name or name
        detail_url_name="errands:detail",
        todo_labels={"take": "签收", "answer": "办理并反馈", "review": "审核"},
        supervised=frozenset({"take", "answer", "review"}),
        phases={
            "new": Phase("待签收", (State.NEW,), WAITING),
            "working": Phase("办理中", (State.WORKING, State.PAUSED), WAITING),
            "review": Phase("待审核", (State.ANSWERED,)),
            "closed": Phase("已关闭", (State.DONE, State.DROPPED), DONE),
        },
    )
    .add("take", "签收", [State.NEW], State.WORKING, by_assignee=True)
    .add("pause", "中止", [State.WORKING], State.PAUSED, by_assignee=True, needs_reason=True, deadline="pause")
    .add("resume", "恢复", [State.PAUSED], State.WORKING, by_assignee=True, roles=LEADS, deadline="resume")
    .add("answer", "反馈", [State.WORKING], State.ANSWERED, by_assignee=True,
         inputs=[Input("answer", "办理结果", LONGTEXT, required=True, max_length=500)])
    .add("accept", "办结", [State.ANSWERED], State.DONE, roles=LEADS, closes=True,
         condition=lambda case: None if case.errand.answer else "尚无办理结果，不能办结")
    .add("send_back", "退回重办", [State.ANSWERED], State.WORKING, roles=LEADS, needs_reason=True)
    .add("drop", "撤销", [State.NEW, State.WORKING], State.DROPPED, roles=LEADS, needs_reason=True, closes=True)
    .may("remind", "催办", _may_remind)
    .may("notice", "督办", supervision.may_issue_notice)
    .may("answer_notice", "反馈督办单", supervision.may_answer_notice, inputs=supervision.ANSWER_INPUTS)
    .may("request_extension", "申请延期", _may_request_extension, inputs=extensions.REQUEST_INPUTS)
    .may("decide_extension", "审批延期", extensions.may_decide_extension, inputs=extensions.DECISION_INPUTS)
    .may("call", "呼叫县直部门", may_call, inputs=CALL_INPUTS)
    .may("rate", "评价", _may_rate)
    .may("archive", "归档", _may_archive)
)


def make_errand(world, unit=None, *, actor=None, days: int = 5, title: str = "清点防汛物资", number_unit=None):
    """An errand from township A's leader to `unit` (A's office by default), due in `days` working days."""
    from .models import Errand

    unit = unit or world.office_a
    case = open_case(
        actor or world.leader_a, kind=KIND, title=title, area=unit.area, owner_unit=unit, limit=Limit(days),
        number_unit=number_unit or world.gov_a, assign=[Assign(unit, "take")],
    )
    return Errand.objects.create(case=case, unit=unit)
