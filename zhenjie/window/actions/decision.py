"""The decision (审批决定): the unit the decision is assigned to approves or refuses, with its
reasons and the legal basis from the power list; the numbered 准予/不予决定书 is issued in the
same transaction, and the result goes to the window that took the application in, which must
hand it over in time — or, when the applicant chose to collect it at a village agent point, that
point's agent — (a licence within 10 working days, 行政许可法 Art. 44 and 82).

Joint items (Art. 26 para. 2, 42 para. 2): the co-deciding units give their opinions first
(`actions/joint.py`), the lead decides here last for all of them (`window/joint.py`)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.paths import township_of
from zhenjie.kernel import documents, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case, DeadlineUnit
from zhenjie.lists import queries as lists_queries
from zhenjie.lists.models import ListKind, ListSeries, PowerItem, PowerType
from zhenjie.units.models import Unit

from .. import joint
from ..decision_papers import APPROVAL, REFUSAL
from ..models import Application, Decision, Opinion
from ..policy import policy_for

# 行政许可法 Art. 44: the licence is issued or served within 10 days of the decision to grant it;
# Art. 82: those are working days.
LICENCE_WORKING_DAYS = 10


def power_item_in_force(application: Application, on, *, code: str | None = None, unit: Unit | None = None) -> PowerItem | None:
    """The power item the service item is exercised under, in the list in force on `on`: the
    township's own power list, else the county department's (the deciding department, or the one
    that delegated it). None while the guide names no power item (`ServiceItem.power_code`, added
    with the power list link) or no list in force holds it. A joint item's co-deciding unit
    passes its own route's `code` and `unit` (window/joint.py)."""
    code = (application.service_item.power_code if code is None else code).strip()
    if not code:
        return None
    township_series = list(ListSeries.objects.filter(kind=ListKind.POWER, area=township_of(application.case.area)))
    versions = lists_queries.versions_in_force(township_series, on)
    if versions:
        item = PowerItem.objects.filter(version__in=list(versions.values()), code=code).first()
        if item is not None:
            return item
    unit = application.deciding_unit if unit is None else unit
    if unit is not None and unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.STATIONED):
        return lists_queries.held_power(unit.home_department if unit.kind == Unit.Kind.STATIONED else unit, code, on)
    return None


def legal_basis_for(application: Application, on, *, code: str | None = None, unit: Unit | None = None) -> str:
    """The legal basis the decision cites: the power item's in force that day, else the guide's
    设定依据 (every published guide item has one)."""
    item = power_item_in_force(application, on, code=code, unit=unit)
    return (item.legal_basis if item is not None else "") or application.service_item.legal_basis


def handover_due(application: Application, decision: str, at: datetime) -> tuple[datetime, bool]:
    """When the result must be handed over: a licence granted within 10 working days (Art. 44);
    any other result within the county's delivery time (WindowPolicy.delivery_days)."""
    if decision == Decision.APPROVED and application.service_item.service_type == PowerType.LICENSING:
        return due_after(at, Limit(LICENCE_WORKING_DAYS, DeadlineUnit.WORKING_DAYS))
    return due_after(at, Limit(policy_for(application.case.area).delivery_days, DeadlineUnit.WORKING_DAYS))


def handover_role(unit: Unit) -> str:
    # A village agent point's result is handed over by its agent; a window's by its clerks.
    return RoleCode.VILLAGE_AGENT if unit.kind == Unit.Kind.VILLAGE_COMMITTEE else RoleCode.WINDOW_CLERK


@transaction.atomic
def _decide(actor, application: Application, transition: str, decision: str, text: str, overruling: str = "") -> Application:
    case = application.case
    field = "opinion" if transition == "approve" else "reason"
    text = workflow.workflow_for(case.kind).transitions[transition].clean({field: text})[field]
    routes = joint.routes_of(application)
    if joint.is_joint(routes):
        overruling = joint.check_result(application, decision, overruling)
    elif overruling.strip():
        raise Rejected("application.nothing_to_overrule", "没有需要不采纳的不同意见，请勿填写该理由", field="overruling")
    now = timezone.now()
    basis = legal_basis_for(application, timezone.localtime(now).date())
    due, uncertain = handover_due(application, decision, now)
    late = case.due_at is not None and now > case.due_at
    handover_unit = application.handover_unit  # the agent point the applicant collects at, else the intake window

    def record_and_issue(c: Case) -> None:
        # Runs inside the engine's step, after its checks and compare-and-set, while the `decide`
        # work is still open: the 决定书 is issued by the unit it is addressed to, or not at all.
        Application.objects.filter(pk=application.pk).update(
            decision=decision, decision_reason=text, legal_basis=basis, decided_at=now, decided_late=late
        )
        if joint.is_joint(routes):  # the lead's own opinion, printed with the others' on the paper
            Opinion.objects.create(application=application, unit=joint.lead_of(routes).unit, lead=True, decision=decision, reason=text,
                                   legal_basis=basis, overruling=overruling, decided_by=actor, decided_at=now)  # fmt: skip
        documents.issue_document(actor, c, APPROVAL if decision == Decision.APPROVED else REFUSAL)  # journaled with its link

    workflow.perform(
        actor, case, transition, reason=text,
        assign=[Assign(handover_unit, "deliver", due_at=due, due_uncertain=uncertain, role=handover_role(handover_unit))],
        data={"decision": decision, "late": late, "handover_due": due.isoformat()}, before_save=record_and_issue,
    )  # fmt: skip
    application.refresh_from_db()
    return application


def approve_application(actor, application: Application, *, opinion: str = "", overruling: str = "") -> Application:
    """准予: the deciding unit grants the application, with its opinion (optional, ≤ 2000). For a
    joint item the lead, after every other unit's opinion; against a refusal only with
    `overruling`, why it does not stand in the way (window/joint.py)."""
    return _decide(actor, application, "approve", Decision.APPROVED, opinion, overruling)


def refuse_application(actor, application: Application, reason: str) -> Application:
    """不予: the deciding unit refuses, with its reasons (required, ≤ 2000; Art. 38(2))."""
    return _decide(actor, application, "refuse", Decision.REFUSED, reason)
