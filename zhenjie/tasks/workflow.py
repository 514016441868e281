from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.workflow import DONE, INTEGER, LONGTEXT, TEXT, WAITING, Input, Phase, Workflow, register

KIND = "task"
ISSUERS = frozenset({RoleCode.TOWNSHIP_LEADER, RoleCode.DISPATCHER, RoleCode.COUNTY_ADMIN})
TEXT_MAX = 5000  # what is asked and what was done
MAX_WORKING_DAYS = 250  # one working year: anything longer is a plan, not a task
TITLE_MAX = 200  # Case.title

# What handing work over takes besides the unit (tasks.actions.assign_task; the form and the API say the same).
ASSIGN_INPUTS = (
    Input("title", "标题", TEXT, required=True, max_length=TITLE_MAX),
    Input("description", "交办内容", LONGTEXT, required=True, max_length=TEXT_MAX),
    Input("working_days", "办理时限(工作日)", INTEGER, required=True, minimum=1, maximum=MAX_WORKING_DAYS),
)


class State:
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    REPORTED = "reported"
    CLOSED = "closed"
    CANCELLED = "cancelled"


TASK_WORKFLOW = register(
    Workflow(
        kind=KIND,
        label="交办件",
        states={
            State.ASSIGNED: "待签收",
            State.ACKNOWLEDGED: "办理中",
            State.REPORTED: "已反馈",
            State.CLOSED: "已办结",
            State.CANCELLED: "已撤销",
        },
        initial=State.ASSIGNED,
        number_series="task",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}交",
        detail_url_name="tasks:detail",
        todo_labels={"acknowledge": "签收", "report_back": "办理并反馈", "review": "审核办理结果"},
        supervised=frozenset({"acknowledge", "report_back", "review"}),  # kernel/SUPERVISION.md
        phases={
            "assigned": Phase("待签收", (State.ASSIGNED,), WAITING),
            "handling": Phase("办理中", (State.ACKNOWLEDGED,), WAITING),
            "review": Phase("待审核", (State.REPORTED,)),
            "closed": Phase("已关闭", (State.CLOSED, State.CANCELLED), DONE),
        },
    )
    .add("acknowledge", "签收", [State.ASSIGNED], State.ACKNOWLEDGED, by_assignee=True)
    .add("report_back", "反馈", [State.ACKNOWLEDGED], State.REPORTED, by_assignee=True,
         inputs=[Input("result", "办理结果", LONGTEXT, required=True, max_length=TEXT_MAX)])
    .add("close", "办结", [State.REPORTED], State.CLOSED, roles=ISSUERS, closes=True)
    .add("return", "退回重办", [State.REPORTED], State.ACKNOWLEDGED, roles=ISSUERS, needs_reason=True)
    .add("cancel", "撤销", [State.ASSIGNED, State.ACKNOWLEDGED], State.CANCELLED, roles=ISSUERS, needs_reason=True, closes=True)
)
