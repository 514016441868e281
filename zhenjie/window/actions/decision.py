"""The decision (审批决定): the unit the decision is assigned to approves or refuses, with its
reasons and the legal basis from the power list; the numbered 准予/不予决定书 is issued in the
same transaction, and the result goes to the window that took the application in, which must
hand it over in time — or, when the applicant chose to collect it at a village agent point, that
point's agent — (a licence within 10 working days, 行政许可法 Art. 44 and 82).

Joint items (Art. 42 para. 2, several units deciding in parallel): the decision here is one
unit's. The hook the integrator connects is `window.routing.pending_deciders(application)` —
the units whose `decide` work is still open besides the actor's; while it returns any, the
case must wait for them (WINDOW.md, "Decision")."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.paths import township_of
from zhenjie.kernel import documents, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.models import Case, DeadlineUnit
from zhenjie.lists import queries as lists_queries
from zhenjie.lists.models import ListKind, ListSeries, PowerItem, PowerType
from zhenjie.units.models import Unit

from ..decision_papers import APPROVAL, REFUSAL
from ..models import Application, Decision
from ..policy import policy_for

# 行政许可法 Art. 44: the licence is issued or served within 10 days of the decision to grant it;
# Art. 82: those are working days.
LICENCE_WORKING_DAYS = 10


def power_item_in_force(application: Application, on) -> PowerItem | None:
    """The power item the service item is exercised under, in the list in force on `on`: the
    township's own power list, else the county department's (the deciding department, or the one
    that delegated it). None while the guide names no power item (`ServiceItem.power_code`, added
    with the power list link) or no list in force holds it."""
    code = (getattr(application.service_item, "power_code", "") or "").strip()
    if not code:
        return None
    township_series = list(ListSeries.objects.filter(kind=ListKind.POWER, area=township_of(application.case.area)))
    versions = lists_queries.versions_in_force(township_series, on)
    if versions:
        item = PowerItem.objects.filter(version__in=list(versions.values()), code=code).first()
        if item is not None:
            return item
    unit = application.deciding_unit
    if unit is not None and unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.STATIONED):
        return lists_queries.held_power(unit.home_department if unit.kind == Unit.Kind.STATIONED else unit, code, on)
    return None


def legal_basis_for(application: Application, on) -> str:
    """The legal basis the decision cites: the power item's in force that day, else the guide's
    设定依据 (every published guide item has one)."""
    item = power_item_in_force(application, on)
    return (item.legal_basis if item is not None else "") or application.service_item.legal_basis


def handover_due(application: Application, decision: str, at: datetime) -> tuple[datetime, bool]:
    """When the result must be handed over: a licence granted within 10 working days (Art. 44);
    any other result within the county's delivery time (WindowPolicy.delivery_days)."""
    if decision == Decision.APPROVED and application.service_item.service_type == PowerType.LICENSING:
        return due_after(at, Limit(LICENCE_WORKING_DAYS, DeadlineUnit.WORKING_DAYS))
    return due_after(at, Limit(policy_for(application.case.area).delivery_days, DeadlineUnit.WORKING_DAYS))


def _handover_role(unit: Unit) -> str:
    # A village agent point's result is handed over by its agent; a window's by its clerks.
    return RoleCode.VILLAGE_AGENT if unit.kind == Unit.Kind.VILLAGE_COMMITTEE else RoleCode.WINDOW_CLERK


@transaction.atomic
def _decide(actor, application: Application, transition: str, decision: str, text: str) -> Application:
    case = application.case
    field = "opinion" if transition == "approve" else "reason"
    text = workflow.workflow_for(case.kind).transitions[transition].clean({field: text})[field]
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
        documents.issue_document(actor, c, APPROVAL if decision == Decision.APPROVED else REFUSAL)  # journaled with its link

    workflow.perform(
        actor, case, transition, reason=text,
        assign=[Assign(handover_unit, "deliver", due_at=due, due_uncertain=uncertain, role=_handover_role(handover_unit))],
        data={"decision": decision, "late": late, "handover_due": due.isoformat()}, before_save=record_and_issue,
    )  # fmt: skip
    application.refresh_from_db()
    return application


def approve_application(actor, application: Application, *, opinion: str = "") -> Application:
    """准予: the deciding unit grants the application, with its opinion (optional, ≤ 2000)."""
    return _decide(actor, application, "approve", Decision.APPROVED, opinion)


def refuse_application(actor, application: Application, reason: str) -> Application:
    """不予: the deciding unit refuses, with its reasons (required, ≤ 2000; Art. 38(2))."""
    return _decide(actor, application, "refuse", Decision.REFUSED, reason)
