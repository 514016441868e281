"""The one scoped read of applications (kernel.scoping, SCOPING.md): the list, the front desk's
queue, one application, and the export's columns."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from zhenjie.kernel.models import Assignment
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404, reach_of
from zhenjie.workbench.excel import Column

from .actions.notice import settle_deemed
from .models import Application, ApplicationMaterial, Channel, DecisionRoute, Handover, Notice, StatutoryClock
from .workflow import APPLICATION_WORKFLOW, KIND, State


def applications_for(user) -> QuerySet[Application]:
    return (
        # The kind and the case's opening name the case index's order (case_kind_opened), so the
        # list walks it and stops at the page instead of sorting every visible application.
        Application.objects.filter(case_is_visible(user), case__kind=KIND)
        .select_related("case", "case__area", "applicant", "intake_unit", "filed_by")
        .order_by("-case__opened_at", "-case_id")
    )


def queue_for(user) -> QuerySet[Application]:
    """The front desk's queue (待受理): applications whose materials a unit of the user's has to
    check, the one whose notice is due first at the top."""
    reach = reach_of(user)
    checks = Assignment.objects.filter(case_id=OuterRef("case_id"), todo="check", state=Assignment.State.OPEN, unit_id__in=sorted(reach.unit_ids))
    return applications_for(user).filter(Exists(checks), case__state=State.RECEIVED).order_by("notice_due_at", "case_id")


def with_outcome(rows: QuerySet[Application]) -> QuerySet[Application]:
    """What the API's one application shape reads beyond the list's columns — the clock, the
    deciding units with their opinions, the hand-over — joined or prefetched: a fixed number of
    queries whatever the rows."""
    return rows.select_related("clock", "handover").prefetch_related(
        Prefetch("routes", queryset=DecisionRoute.objects.select_related("unit").order_by("position")), "opinions",
    )


def clock_of(application: Application):
    """The statutory clock, or None before acceptance (a reverse one-to-one that may be absent)."""
    try:
        return application.clock
    except StatutoryClock.DoesNotExist:
        return None


def handover_of(application: Application):
    try:
        return application.handover
    except Handover.DoesNotExist:
        return None


def get_application_for(user, case_id: int) -> Application:
    """One application by its case id, or NotFound: another township's and a missing one look
    alike. Read with its materials and notices; whether the notice is overdue is settled here
    (Art. 32(4): deemed accepted), so every page and step sees it."""
    rows = applications_for(user).prefetch_related(
        Prefetch("materials", queryset=ApplicationMaterial.objects.order_by("position").prefetch_related("scans__attachment")),
        Prefetch("notices", queryset=Notice.objects.select_related("document").prefetch_related("items__material")),
    )
    application = get_visible_or_404(rows, "application.not_found", "办件不存在或不在您的辖区内", case_id=case_id)
    settle_deemed(application)
    return application


def citizen_applications(account) -> QuerySet[Application]:
    """What a citizen applied for online with their account: their own, nothing else."""
    return (
        Application.objects.filter(citizen_account=account, citizen_account__isnull=False, case__channel=Channel.ONLINE)
        .select_related("case").order_by("-case__opened_at", "-case_id")
    )


def deemed_due(application: Application, now=None) -> bool:
    """For lists, without writing: the notice's five working days have passed unanswered."""
    return application.deemed_accepted or (
        application.case.state == State.RECEIVED and application.notice_due_at < (now or timezone.now())
    )


COLUMNS = (
    Column("编号", lambda a: a.case.number, 24), Column("事项编码", lambda a: a.item_code, 14), Column("事项名称", lambda a: a.item_name, 30),
    Column("申请人", lambda a: a.applicant.name, 16), Column("证件号码", lambda a: a.applicant.id_number_masked, 20),
    Column("受理渠道", lambda a: a.channel_label, 10),
    Column("受理单位", lambda a: a.intake_unit.name, 20), Column("状态", lambda a: APPLICATION_WORKFLOW.state_label(a.case.state), 10),
    Column("收件时间", lambda a: a.received_at), Column("告知期限", lambda a: a.notice_due_at),
    Column("视为受理", lambda a: "是" if a.deemed_accepted else ""), Column("办理期限", lambda a: a.case.due_at),
    Column("办结时间", lambda a: a.case.closed_at),
)  # fmt: skip  # the export's, on the page and over the API; identifiers masked (PARTIES.md)
