"""The application's workflow (办件): the front desk checks the materials against the guide and
either tells the applicant once what is missing (一次性告知), accepts or refuses to accept; the
back office — the township's or, for items the township only takes in, a county department's —
decides on the clock, which excluded periods pause (行政许可法 Art. 45) and an approved extension
lengthens (Art. 42); the window that took it in hands the result over (统一窗口出件), and the
applicant rates it (好差评).

Who acts: the front desk (窗口受理人员, and a village agent at an agent point) on intake and
delivery; the back office (后台审批人员, or whoever the decision is assigned to in a county
department) on the decision. Rules beyond roles live in `window/rules.py` and are passed to the
transitions as `rule=`."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import extensions
from zhenjie.kernel.rating import GRADES
from zhenjie.kernel.workflow import CHOICE, DONE, LONGTEXT, OPEN, REASON_MAX, TEXT, WAITING, Input, Phase, Workflow, register

from .archive import may_archive
from .joint import may_co_decide
from .models.application import Decision, DeliveryMethod

from .rules_decision import may_change_collection, may_decide, may_hand_over, may_rate

from .rules_backoffice import may_decide_extension, may_request_extension

KIND = "application"
FRONT_DESK = frozenset({RoleCode.WINDOW_CLERK, RoleCode.VILLAGE_AGENT})
BACK_OFFICE = frozenset({RoleCode.BACK_OFFICE_HANDLER})
LEADERS = frozenset({RoleCode.TOWNSHIP_LEADER})


class State:
    RECEIVED = "received"  # materials being checked at the front desk
    NOTIFIED = "notified"  # one-time notice issued; waiting for the applicant's supplement
    REVIEWING = "reviewing"  # accepted; with the deciding unit, on the clock
    EXCLUDED = "excluded"  # hearing, testing, expert review …: the clock does not run (Art. 45)
    DECIDED = "decided"  # approved or refused; the result waits to be handed over
    DELIVERED = "delivered"  # handed over: done
    NOT_ACCEPTED = "not_accepted"  # 不予受理, with the written receipt
    WITHDRAWN = "withdrawn"  # the applicant withdrew


APPLICATION_WORKFLOW = register(
    Workflow(
        kind=KIND,
        label="办件",
        states={
            State.RECEIVED: "待受理",
            State.NOTIFIED: "待补正",
            State.REVIEWING: "审批中",
            State.EXCLUDED: "特别程序",
            State.DECIDED: "待出件",
            State.DELIVERED: "已办结",
            State.NOT_ACCEPTED: "不予受理",
            State.WITHDRAWN: "已撤回",
        },
        initial=State.RECEIVED,
        number_series="application",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}办",
        detail_url_name="window:detail",
        todo_labels={"check": "审查材料", "decide": "审批", "deliver": "出件"},
        supervised=frozenset({"check", "decide", "deliver"}),  # kernel/SUPERVISION.md
        phases={
            "intake": Phase("待受理", (State.RECEIVED,), OPEN),
            "supplement": Phase("待补正", (State.NOTIFIED,), WAITING),
            "reviewing": Phase("审批中", (State.REVIEWING, State.EXCLUDED), WAITING),
            "delivery": Phase("待出件", (State.DECIDED,), OPEN),
            "closed": Phase("已结束", (State.DELIVERED, State.NOT_ACCEPTED, State.WITHDRAWN), DONE),
        },
    )
    .add("notify", "一次性告知", [State.RECEIVED], State.NOTIFIED, roles=FRONT_DESK, by_assignee=True)
    .add("supplement", "补正材料", [State.NOTIFIED], State.RECEIVED, roles=FRONT_DESK)
    .add("accept", "受理", [State.RECEIVED], State.REVIEWING, roles=FRONT_DESK, by_assignee=True)
    .add("refuse_acceptance", "不予受理", [State.RECEIVED], State.NOT_ACCEPTED, roles=FRONT_DESK, by_assignee=True,
         needs_reason=True, closes=True)
    .add("exclude", "进入特别程序", [State.REVIEWING], State.EXCLUDED, roles=BACK_OFFICE, by_assignee=True,
         needs_reason=True, deadline="pause")
    .add("resume", "特别程序结束", [State.EXCLUDED], State.REVIEWING, roles=BACK_OFFICE, by_assignee=True, deadline="resume")
    .add("approve", "准予", [State.REVIEWING], State.DECIDED, roles=BACK_OFFICE, by_assignee=True, rule=may_decide,
         inputs=[Input("opinion", "审批意见", LONGTEXT, max_length=REASON_MAX)])
    # A joint item's co-deciding unit gives its opinion; the case stays under review until the
    # lead decides (window/joint.py, actions/joint.py).
    .add("co_decide", "提出联合审批意见", [State.REVIEWING], State.REVIEWING, roles=BACK_OFFICE, by_assignee=True, rule=may_co_decide,
         inputs=[Input("decision", "意见", CHOICE, required=True, choices=tuple(Decision.choices)),
                 Input("reason", "意见说明", LONGTEXT, max_length=REASON_MAX)])
    .add("refuse", "不予", [State.REVIEWING], State.DECIDED, roles=BACK_OFFICE, by_assignee=True, needs_reason=True, rule=may_decide)
    .add("deliver", "出件", [State.DECIDED], State.DELIVERED, roles=FRONT_DESK, by_assignee=True, closes=True, rule=may_hand_over,
         inputs=[Input("method", "出件方式", CHOICE, required=True, choices=tuple(DeliveryMethod.choices)),
                 Input("tracking_number", "邮寄单号", TEXT, max_length=64), Input("received_by", "领取人", TEXT, max_length=50)])
    .add("withdraw", "撤回申请", [State.RECEIVED, State.NOTIFIED, State.REVIEWING, State.EXCLUDED], State.WITHDRAWN,
         roles=FRONT_DESK, needs_reason=True, closes=True)
    .may("request_extension", "申请延期", may_request_extension, inputs=extensions.REQUEST_INPUTS)
    .may("decide_extension", "审批延期", may_decide_extension, inputs=extensions.DECISION_INPUTS)
    .may("change_collection", "更改领取方式", may_change_collection)  # actions/delivery.change_collection
    .may("archive", "归档", may_archive)  # kernel/ARCHIVE.md; the package's content: window/archive.py
    .may("rate", "评价", may_rate,  # 好差评 (window/rating.py)
         inputs=[Input("rating", "评价", CHOICE, required=True, choices=tuple(GRADES.items())), Input("comment", "评价意见", TEXT, max_length=500)])
)  # fmt: skip
