"""The grid's two case kinds (kernel/WORKFLOW.md), declared like tasks (docs/ARCHITECTURE.md
"How to add a case kind"):

visit     走访任务: a key person's visit that has fallen due, in the covering grid worker's inbox
          with the due date as its deadline (supervised by the kernel's sweep like any other);
          done when the visit is recorded, cancelled when the person leaves the ledger, moves grid
          or is no longer due (actions/visitwork.py, the daily job in jobs.py).
referral  走访转介: a visit that found a need (需要帮扶) handed to the unit that handles it; the
          unit signs for it and answers with what it did (seed 002 二(三)2: 发现、报告、转介、救助)."""

from zhenjie.kernel.workflow import DONE, LONGTEXT, OPEN, WAITING, Input, Phase, Workflow, register

from .jurisdiction import EDITORS

VISIT = "visit"
REFERRAL = "referral"
NEED_MAX = 1000  # what the worker writes about the need
RESULT_MAX = 2000  # what the handling unit answers


class VisitState:
    DUE = "due"
    DONE = "done"
    CANCELLED = "cancelled"


VISIT_WORKFLOW = register(
    Workflow(
        kind=VISIT,
        label="走访任务",
        states={VisitState.DUE: "待走访", VisitState.DONE: "已走访", VisitState.CANCELLED: "已撤销"},
        initial=VisitState.DUE,
        # The inbox row opens the person's visit form (views/visitwork.visit_task redirects).
        detail_url_name="grid:visit_task",
        todo_labels={"visit": "上门走访"},
        supervised=frozenset({"visit"}),  # a missed visit climbs the ladder (kernel/SUPERVISION.md)
        phases={
            "due": Phase("待走访", (VisitState.DUE,), OPEN),
            "closed": Phase("已关闭", (VisitState.DONE, VisitState.CANCELLED), DONE),
        },
    )
    # Recording the visit completes it (actions.record_visit); whoever may record visits in the grid may.
    .add("complete", "完成走访", [VisitState.DUE], VisitState.DONE, roles=EDITORS, by_assignee=True, closes=True)
    .add("withdraw", "撤销", [VisitState.DUE], VisitState.CANCELLED, roles=EDITORS, needs_reason=True, closes=True)
)


class ReferralState:
    REFERRED = "referred"
    HANDLING = "handling"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


REFERRAL_WORKFLOW = register(
    Workflow(
        kind=REFERRAL,
        label="走访转介",
        states={
            ReferralState.REFERRED: "待签收",
            ReferralState.HANDLING: "办理中",
            ReferralState.ANSWERED: "已办结",
            ReferralState.WITHDRAWN: "已撤回",
        },
        initial=ReferralState.REFERRED,
        number_series="referral",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}转",
        detail_url_name="grid:referral",
        todo_labels={"acknowledge": "签收转介", "answer": "办理并反馈"},
        phases={
            "referred": Phase("待签收", (ReferralState.REFERRED,), WAITING),
            "handling": Phase("办理中", (ReferralState.HANDLING,), WAITING),
            "closed": Phase("已关闭", (ReferralState.ANSWERED, ReferralState.WITHDRAWN), DONE),
        },
    )
    .add("acknowledge", "签收", [ReferralState.REFERRED], ReferralState.HANDLING, by_assignee=True)
    .add("answer", "反馈办理结果", [ReferralState.HANDLING], ReferralState.ANSWERED, by_assignee=True, closes=True,
         inputs=[Input("result", "办理结果", LONGTEXT, required=True, max_length=RESULT_MAX)])
    .add("withdraw", "撤回", [ReferralState.REFERRED, ReferralState.HANDLING], ReferralState.WITHDRAWN, roles=EDITORS,
         needs_reason=True, closes=True)
)
