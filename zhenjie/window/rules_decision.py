"""Who may decide, hand over, change how the result is collected and rate an application, beyond the roles the workflow names
(passed to its transitions as `rule=` and to its "rate" action). Each rule is
`(standing) -> ActionError | None`: None when the actor may (kernel/WORKFLOW.md)."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.errors import Conflict, Forbidden

from .joint import why_not_lead_decision
from .models import Application

# The front desk a result is handed over by (统一窗口出件): the window's clerks, or the village
# agent of the agent point it was filed at.
HANDOVER_ROLES = frozenset({RoleCode.WINDOW_CLERK, RoleCode.VILLAGE_AGENT})


def application_of(standing) -> Application:
    """The application of the case, read once for every rule asking."""
    return standing.memo("application", lambda: Application.objects.get(case_id=standing.case.pk))


def may_decide(standing) -> Forbidden | Conflict | None:
    """Only the unit the decision is assigned to (the open `decide` work: the township's back
    office, or the county department for items the township only takes in) approves or refuses;
    a back-office handler of the township holds no say over a department's decision. Out of turn
    (not under review) is left to the engine, which answers with a Conflict."""
    from .workflow import State

    if standing.case.state != State.REVIEWING:
        return None
    reach = standing.reach
    deciding = [work for work in standing.open_work if work.todo == "decide"]
    if not deciding:  # the case was read before someone else decided it
        return Conflict("application.already_decided", "该申请刚被他人作出决定，请刷新后查看")
    if (joint := why_not_lead_decision(standing)) is not None:  # a joint item: the lead, last (window/joint.py)
        return joint
    for work in deciding:
        if work.unit_id in reach.unit_ids and (work.user_id is None or work.user_id in reach.user_ids) and (
            not work.role or work.role in reach.roles_in_unit(work.unit_id)
        ):
            return None
    return Forbidden("application.not_decider", "只有承办审批的单位可以作出准予或不予的决定")


def may_hand_over(standing) -> Forbidden | None:
    """The unit that took the application in hands the result over: its window clerks, or the
    agent of the agent point where it was filed; or the agent of the point the applicant chose to
    collect it at (the result is carried there); no one else, whatever their role."""
    application = application_of(standing)
    for unit_id in {application.intake_unit_id, application.delivery_point_id} - {None}:
        if standing.reach.roles_in_unit(unit_id) & HANDOVER_ROLES:
            return None
    return Forbidden("application.not_intake_unit", "只有受理该申请的窗口或代办点可以出件")


def may_change_collection(standing) -> Forbidden | Conflict | None:
    """How the applicant collects the result changes at the applicant's own request, before it is
    handed over: recorded by the township's window clerks, by the front desk that took it in or
    will hand it over (its clerks or the point's agent), or by the applicant in the citizen account
    that applied online."""
    from .workflow import State

    application = application_of(standing)
    actor, reach = standing.actor, standing.reach
    own_account = getattr(actor, "kind", None) == "citizen" and actor.pk is not None and actor.pk == application.citizen_account_id
    desk = RoleCode.WINDOW_CLERK in standing.roles or any(
        reach.roles_in_unit(unit_id) & HANDOVER_ROLES for unit_id in {application.intake_unit_id, application.delivery_point_id} - {None}
    )
    if not (own_account or desk):
        return Forbidden("application.collection_forbidden", "只有受理窗口、代办点或网上申请的申请人本人可以更改领取方式")
    if standing.case.state in (State.DELIVERED, State.NOT_ACCEPTED, State.WITHDRAWN):
        return Conflict("application.collection_closed", "办件已出件或已办结，不能再更改领取方式")
    return None


def may_rate(standing) -> Forbidden | Conflict | None:
    """The applicant rates once the result was handed over: on the portal with the case's number
    and tracking code (a CitizenActor holding it), or in the citizen account that applied online.
    Staff do not enter a grade for the applicant: the rating judges their own service."""
    from .workflow import State

    case, actor = standing.case, standing.actor
    holds_code = getattr(actor, "holds_tracking_code_of", None) == case.pk
    # The account that applied online: the application's, not the case's creator — an online
    # filing opens the case as the public (CitizenActor), so the case names no account.
    own_account = getattr(actor, "kind", None) == "citizen" and actor.pk is not None and actor.pk == application_of(standing).citizen_account_id
    if not (holds_code or own_account):
        return Forbidden("application.not_applicant", "只有申请人可以评价")
    if case.state != State.DELIVERED:
        return Conflict("application.not_delivered", "办结出件后才能评价")
    if case.rating is not None:
        return Conflict("rating.already_rated", "已评价过，每件只能评价一次")
    return None
