"""The enforcement case's workflow (行政处罚法 2021, ../shared/reference/statutory-deadlines.md §2):
lead → register (立案, Art. 54: only under a power the township may exercise that day, within the
limitation period of Art. 36) → investigate (evidence by at least two certified officers, Art. 42,
55) → tell the party of the intended penalty and their rights (Arts. 44, 45, 62) → statements and,
when asked within 5 working days, a hearing (Art. 64) → legal review for major decisions (Art. 58)
→ decision (collective for serious cases, Art. 57; within 90 days of registration unless extended,
Art. 60) → service (Art. 61: within 7 days) → execution (payment, the 3 %-a-day surcharge capped at
the fine, Art. 72; the court when unpaid) → closed. The summary procedure (简易程序, Art. 51) decides
on the spot. Suspension (中止) pauses the clock; termination (终结) ends the case with its reason.

Who acts: the enforcement officers (执法人员) of the team, the legal reviewer (法制审核人员) who
took no part in the investigation, the township's leaders (the decision, the collective meeting).
Rules beyond roles live in the parts' rules modules and are passed as `rule=`. Every step an
officer takes passes `certified` (certificates.py: a certificate valid today for the case's area,
Art. 42)."""

from importlib import import_module

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import extensions
from zhenjie.kernel.workflow import BOOLEAN, DONE, LONGTEXT, OPEN, TEXT, WAITING, Input, Phase, Workflow, all_of, register

from . import rules_decision
from .certificates import certified
from .rules_transfers import (
    TRANSFER_INPUTS,
    acknowledged_and_certified,
    may_acknowledge_transfer_in,
    may_refuse_registered_transfer,
    may_refuse_unregistered_transfer,
)

KIND = "enforcement"
OFFICERS = frozenset({RoleCode.ENFORCEMENT_OFFICER})
REVIEWERS = frozenset({RoleCode.LEGAL_REVIEWER})
LEADERS = frozenset({RoleCode.TOWNSHIP_LEADER})
CODE_MAX = 64  # PowerItem.code

# What registration (立案) takes: the power it is handled under, from the township's list in
# force or a delegation (actions.lifecycle.register_case), and the mark that makes Art. 36's
# limitation period 5 years instead of 2.
REGISTER_INPUTS = (
    Input("power_code", "权责事项编码", TEXT, required=True, max_length=CODE_MAX),
    Input("endangers_safety", "涉及公民生命健康安全、金融安全且有危害后果", BOOLEAN,
          help="勾选后追责时效按5年计算(《行政处罚法》第三十六条)"),
)  # fmt: skip


# 法制审核 (行政处罚法 Art. 58): the checklist of the review opinion (法制审核意见书), each
# answered yes or no, and the opinion itself; a return also gives its reason.
REVIEW_INPUTS = (
    Input("facts_clear", "事实清楚", BOOLEAN),
    Input("evidence_sufficient", "证据确凿充分", BOOLEAN),
    Input("procedure_lawful", "程序合法", BOOLEAN),
    Input("basis_correct", "适用依据正确", BOOLEAN),
    Input("penalty_appropriate", "处罚适当", BOOLEAN),
    Input("opinion", "审核意见", LONGTEXT, required=True, max_length=2000),
)

# Whether the case needs the legal review (Art. 58: 重大执法决定) and the leaders' collective
# decision (Art. 57: 情节复杂或者重大违法行为), with the reason for the mark.
CLASSIFY_INPUTS = (
    Input("is_major", "重大执法决定(须法制审核)", BOOLEAN, help="《行政处罚法》第五十八条"),
    Input("is_serious", "情节复杂或重大违法(须集体讨论决定)", BOOLEAN, help="《行政处罚法》第五十七条"),
    Input("reason", "认定理由", LONGTEXT, required=True, max_length=2000),
)


def _later(module: str, name: str):
    # The parts' rules modules read this module's states: a rule is looked up when first asked,
    # not at import.
    def rule(standing):
        return getattr(import_module(f"zhenjie.enforcement.{module}"), name)(standing)

    return rule


class State:
    LEAD = "lead"  # a lead (线索) waiting for the decision to register
    INVESTIGATING = "investigating"  # registered: evidence being taken
    NOTIFIED = "notified"  # the party told of the intended penalty; statements awaited
    HEARING = "hearing"  # the party asked for a hearing in time
    REVIEWING = "reviewing"  # legal review (法制审核) of a major decision
    DECIDING = "deciding"  # ready for the decision (collective where serious)
    DECIDED = "decided"  # decided; the decision to be served
    EXECUTING = "executing"  # served; waiting for payment or enforcement
    SUSPENDED = "suspended"  # 中止: the clock does not run
    CLOSED = "closed"  # 结案
    NOT_REGISTERED = "not_registered"  # 不予立案, with the reason
    TRANSFERRED = "transferred"  # 移送 to the unit that holds the power
    TRANSFERRING = "transferring"  # 移送 sent; the receiving department has not acknowledged yet
    TERMINATED = "terminated"  # 终结, with the reason


ENFORCEMENT_WORKFLOW = register(
    Workflow(
        kind=KIND,
        label="执法案件",
        states={
            State.LEAD: "待立案",
            State.INVESTIGATING: "调查取证",
            State.NOTIFIED: "已告知",
            State.HEARING: "听证",
            State.REVIEWING: "法制审核",
            State.DECIDING: "待决定",
            State.DECIDED: "待送达",
            State.EXECUTING: "执行中",
            State.SUSPENDED: "中止",
            State.CLOSED: "已结案",
            State.NOT_REGISTERED: "不予立案",
            State.TRANSFERRED: "已移送",
            State.TRANSFERRING: "移送待签收",
            State.TERMINATED: "终结",
        },
        initial=State.LEAD,
        number_series="enforcement",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}综执",
        detail_url_name="enforcement:detail",
        todo_labels={"register": "立案审查", "investigate": "调查取证", "review": "法制审核", "decide": "作出决定",
                     "serve": "送达", "execute": "执行",
                     "acknowledge_transfer": "签收移送案件"},  # fmt: skip
        supervised=frozenset({"register", "investigate", "review", "decide", "serve",
                              "acknowledge_transfer"}),
        phases={
            "lead": Phase("待立案", (State.LEAD,), OPEN),
            "investigation": Phase("调查", (State.INVESTIGATING, State.NOTIFIED, State.HEARING), OPEN),
            "decision": Phase("审核决定", (State.REVIEWING, State.DECIDING), OPEN),
            "execution": Phase("送达执行", (State.DECIDED, State.EXECUTING), OPEN),
            "suspended": Phase("中止", (State.SUSPENDED,), WAITING),
            "transferring": Phase("移送待签收", (State.TRANSFERRING,), WAITING),
            "closed": Phase("已结束", (State.CLOSED, State.NOT_REGISTERED, State.TRANSFERRED, State.TERMINATED), DONE),
        },
    )
    .add("register", "立案", [State.LEAD], State.INVESTIGATING, roles=OFFICERS, inputs=REGISTER_INPUTS, rule=acknowledged_and_certified)
    .add("decline", "不予立案", [State.LEAD], State.NOT_REGISTERED, roles=OFFICERS, needs_reason=True, closes=True,
         rule=acknowledged_and_certified)
    .add("transfer_out", "移送", [State.LEAD, State.INVESTIGATING], State.TRANSFERRING, roles=OFFICERS, needs_reason=True,
         inputs=TRANSFER_INPUTS, rule=acknowledged_and_certified)
    # Part 8: the receiving department acknowledges (签收) a transfer out or refuses it, the case then
    # going back to the team where it was (rules_transfers); the team acknowledges a transfer in.
    .add("accept_transfer", "签收移送", [State.TRANSFERRING], State.TRANSFERRED, by_assignee=True, closes=True)
    .add("refuse_transfer", "不予接收(退回)", [State.TRANSFERRING], State.LEAD, by_assignee=True, needs_reason=True,
         rule=may_refuse_unregistered_transfer)
    .add("refuse_registered_transfer", "不予接收(退回)", [State.TRANSFERRING], State.INVESTIGATING, by_assignee=True,
         needs_reason=True, rule=may_refuse_registered_transfer)
    .add("acknowledge_transfer", "签收部门移送", [State.LEAD], State.LEAD, by_assignee=True, rule=may_acknowledge_transfer_in)
    .add("return_transfer", "退回部门移送", [State.LEAD], State.TRANSFERRED, by_assignee=True, needs_reason=True, closes=True,
         rule=may_acknowledge_transfer_in)
    .add("summary_decide", "当场处罚(简易程序)", [State.LEAD], State.EXECUTING, roles=OFFICERS, rule=acknowledged_and_certified)
    .add("notify", "事先告知", [State.INVESTIGATING], State.NOTIFIED, roles=OFFICERS, by_assignee=True, rule=certified)
    .add("request_hearing", "当事人要求听证", [State.NOTIFIED], State.HEARING, roles=OFFICERS, by_assignee=True,
         rule=_later("rules_hearing", "may_record_request"))
    .add("submit_review", "提交法制审核", [State.NOTIFIED, State.HEARING], State.REVIEWING, roles=OFFICERS, by_assignee=True,
         rule=_later("rules_hearing", "may_submit_review"))
    .add("review_pass", "审核通过", [State.REVIEWING], State.DECIDING, roles=REVIEWERS, inputs=REVIEW_INPUTS,
         rule=rules_decision.independent_reviewer)
    .add("review_return", "审核退回", [State.REVIEWING], State.INVESTIGATING, roles=REVIEWERS, needs_reason=True,
         inputs=REVIEW_INPUTS, rule=rules_decision.independent_reviewer)
    .add("ready", "提请决定", [State.NOTIFIED, State.HEARING], State.DECIDING, roles=OFFICERS, by_assignee=True,
         rule=all_of(_later("rules_hearing", "may_ready"), rules_decision.major_needs_review))
    .add("decide", "作出处罚决定", [State.DECIDING], State.DECIDED, roles=LEADERS, rule=rules_decision.may_decide)
    .add("serve", "送达", [State.DECIDED], State.EXECUTING, roles=OFFICERS, by_assignee=True, rule=certified)
    .add("close", "结案", [State.EXECUTING], State.CLOSED, roles=OFFICERS, by_assignee=True, closes=True)
    .add("suspend", "中止", [State.INVESTIGATING, State.NOTIFIED, State.HEARING, State.REVIEWING, State.DECIDING],
         State.SUSPENDED, roles=LEADERS, needs_reason=True, deadline="pause")
    .add("resume", "恢复办理", [State.SUSPENDED], State.INVESTIGATING, roles=LEADERS, deadline="resume")
    .add("terminate", "终结", [State.INVESTIGATING, State.NOTIFIED, State.HEARING, State.REVIEWING, State.DECIDING,
                              State.SUSPENDED, State.EXECUTING], State.TERMINATED, roles=LEADERS, needs_reason=True, closes=True)
    .may("record_evidence", "登记证据", _later("rules_evidence", "may_record_evidence"))
    .may("record_statement", "登记陈述申辩", _later("rules_hearing", "may_record_statement"))
    .may("waive", "登记书面放弃", _later("rules_hearing", "may_waive"))
    .may("schedule_hearing", "安排听证", _later("rules_hearing", "may_schedule_hearing"))
    .may("record_hearing", "登记听证情况", _later("rules_hearing", "may_record_hearing"))
    .may("record_meeting", "登记集体讨论", rules_decision.may_record_meeting)
    .may("classify", "认定重大、复杂案件", rules_decision.may_classify, inputs=CLASSIFY_INPUTS)
    .may("request_extension", "申请延长办案期限", rules_decision.may_request_extension, inputs=extensions.REQUEST_INPUTS)
    .may("decide_extension", "审批延期", rules_decision.may_decide_extension, inputs=extensions.DECISION_INPUTS)
    .may("record_service_consent", "登记电子送达确认书", _later("rules_execution", "may_record_consent"))
    .may("execute", "登记执行情况", _later("rules_execution", "may_execute"))
    .may("remind", "催告", _later("rules_execution", "may_remind"))
    .may("approve_payment_plan", "批准暂缓或分期缴纳", _later("rules_execution", "may_approve_plan"))
    .may("publish", "执法公示", _later("rules_execution", "may_publish"))
    .may("withdraw_publication", "撤回公示", _later("rules_execution", "may_withdraw"))
    .may("archive", "归档", _later("rules_execution", "may_archive"))  # kernel/ARCHIVE.md; the package's content: archiving.py
)  # fmt: skip
