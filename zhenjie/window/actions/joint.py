"""A co-deciding unit's opinion on a joint item (联合办理, window/joint.py): approve or refuse,
with its reasons (required to refuse, 行政许可法 Art. 38 para. 2) and the legal basis of its own
power. One transaction: the `co_decide` step (the case stays under review; compare-and-set —
of two units at once one records, the other is told to retry) finishes only the actor's own
`decide` work, and the `Opinion` row is written inside it. The lead then decides
(actions/decision.py)."""

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import workflow
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.steps import ACTOR

from .. import joint
from ..actions.decision import legal_basis_for
from ..models import Application, Decision, Opinion


@transaction.atomic
def give_opinion(actor, application: Application, *, decision: str, reason: str = "") -> Opinion:
    case = application.case
    values = workflow.workflow_for(case.kind).transitions["co_decide"].clean({"decision": decision, "reason": reason})
    if values["decision"] == Decision.REFUSED and not values["reason"]:
        raise Rejected("application.opinion_reason_required", "不同意的，须说明理由(行政许可法第三十八条第二款)", field="reason")
    now = timezone.now()
    written: list[Opinion] = []

    def record(c) -> None:
        # Inside the engine's step, after its checks (the rule `joint.may_co_decide`) and
        # compare-and-set, while the actor's `decide` work is still open.
        route = joint.own_route(workflow.Standing(actor, c))
        basis = legal_basis_for(application, timezone.localtime(now).date(), code=route.power_code, unit=route.unit)
        written.append(Opinion.objects.create(application=application, unit=route.unit, decision=values["decision"], reason=values["reason"],
                                              legal_basis=basis, decided_by=actor, decided_at=now))  # fmt: skip

    workflow.perform(actor, case, "co_decide", reason=values["reason"], complete=ACTOR, before_save=record,
                     data={"decision": values["decision"]})  # fmt: skip
    return written[0]
