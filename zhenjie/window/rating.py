"""好差评 on the window: the applicant rates the service once the result was handed over — on the
portal with the case's number and tracking code, or in the citizen account that applied online
(window.rules_decision.may_rate). Staff record no grade for the applicant (the rating judges
their own service; a hall rating device's grades would come in as the applicant's, not the
clerk's). A poor grade (不满意, 非常不满意) opens a follow-up (kernel/followups.py) addressed to the
township's service centre, to be rectified within the county's working days
(WindowPolicy.rectification_days)."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.paths import ancestor_paths
from zhenjie.kernel import followups, rating, tracking
from zhenjie.kernel.actors import CitizenActor
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import unscoped
from zhenjie.units.models import Unit

from .models import Application
from .policy import policy_for
from .workflow import KIND

# Who records the follow-up's call and its rectification: the centre's clerks and back office,
# and the township's leaders.
FOLLOW_UP_ROLES = frozenset({RoleCode.WINDOW_CLERK, RoleCode.BACK_OFFICE_HANDLER, RoleCode.TOWNSHIP_LEADER})


def service_centre_of(case: Case) -> Unit:
    """The 便民服务中心 that took the application in; for one filed at a village agent point, the
    centre of the township over it; the intake unit itself where no centre is set up."""
    intake_unit = Application.objects.select_related("intake_unit").get(case=case).intake_unit
    if intake_unit.kind == Unit.Kind.SERVICE_CENTRE:
        return intake_unit
    centre = (
        unscoped(Unit, why="the follow-up goes to the centre of the case's own township")
        .filter(kind=Unit.Kind.SERVICE_CENTRE, is_active=True, area__path__in=ancestor_paths(case.area.path))
        .order_by("-area__path", "pk").first()
    )  # fmt: skip
    return centre or intake_unit


def _no_reopening(actor, case: Case, reason: str) -> None:
    # A delivered result is not taken back by a call: the centre rectifies its service and closes
    # the follow-up with what it changed.
    raise Conflict("application.no_reopen", "办件已出件办结，不能重新办理；请记录整改情况后结束回访")


followups.register(KIND, followups.Setup(
    route=service_centre_of, role="", roles=FOLLOW_UP_ROLES,
    days=lambda case: policy_for(case.area).rectification_days, reopen=_no_reopening,
))  # fmt: skip


def rate_application(actor, application: Application, grade, comment: str = "") -> Application:
    """Rate once (kernel.rating: five grades, comment ≤ 500; a poor one opens the follow-up)."""
    rating.rate(actor, application.case, grade, comment)
    return application


def find_for_citizen(number: str, code: str) -> Application:
    """The application with this number whose tracking code matches; a wrong number and a wrong
    code get the same answer (kernel.tracking.find_by_code)."""
    case = tracking.find_by_code(number, code, kinds=[KIND])
    return Application.objects.select_related("case").get(case=case)


def rate_as_citizen(application: Application, grade, comment: str = "") -> Application:
    """Rate as the citizen who showed the number and code, named in the journal by the applicant
    party's number, never by name."""
    citizen = CitizenActor(holds_tracking_code_of=application.case_id, party_id=application.applicant_id)
    return rate_application(citizen, application, grade, comment)
