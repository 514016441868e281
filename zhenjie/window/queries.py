"""The one scoped read of applications (kernel.scoping, SCOPING.md): the list, the front desk's
queue, one application, and the export's columns."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from zhenjie.kernel.assignments import heads_in_due_order
from zhenjie.kernel.models import Assignment
from zhenjie.kernel.scoping import case_is_visible, counting_parts, get_visible_or_404, reach_of, visible_cases
from zhenjie.workbench.excel import Column
from zhenjie.workbench.paging import COUNT_CAP, capped_count_of_parts

from .actions.notice import settle_deemed
from .models import Application, ApplicationMaterial, Channel, DecisionRoute, Handover, Notice, StatutoryClock
from .workflow import APPLICATION_WORKFLOW, KIND, State


SHOWN = ("case", "case__area", "applicant", "intake_unit", "filed_by")  # what a row of a list shows


def applications_for(user) -> QuerySet[Application]:
    return (
        # The kind and the case's opening name the case index's order (case_kind_opened), so the
        # list walks it and stops at the page instead of sorting every visible application.
        Application.objects.filter(case_is_visible(user), case__kind=KIND)
        .select_related(*SHOWN)
        .order_by("-case__opened_at", "-case_id")
    )


def counted_for(user, states=None) -> tuple[int, bool] | None:
    """(count, capped) of applications_for(user) in `states` (every one when None), from the
    indexes: the jurisdiction's application cases by the (area, kind, closed_at, …) index plus the
    few sent in from outside it (kernel.scoping.counting_parts), as the events list counts. A
    count of the rows tests every visible application against the rule instead: most of the
    list's time at a hundred thousand (docs/PERFORMANCE.md). None where the parts would not be
    exact (a department, a grid worker): the paginator counts the rows."""
    parts = counting_parts(user, KIND)
    if parts is None:
        return None
    return capped_count_of_parts([part.filter(APPLICATION_WORKFLOW.state_q(states)) for part in parts])


class WorkQueue:
    """Applications in one of `states` on which one of the user's units has open work `todo`,
    the work due soonest first (none last), as a sequence that Django's Paginator and the API's
    page_of take.

    A page is read as the inbox reads one (kernel.assignments.heads_in_due_order): each unit's
    open work walks the (unit, due_at) partial index in deadline order and stops after the page,
    whatever the tables hold; then the page's applications come in one query. The applications
    filtered by state and sorted by a date on their own row or their case's would be every match
    sorted before the first is shown (docs/PERFORMANCE.md, the window's section). The work's
    deadline is the one the queue promises: a check is due with the one-time notice
    (notice_due_at, the case's deadline when it was assigned), a decision with the case, whose
    deadline its open work follows when it moves (kernel.steps)."""

    def __init__(self, user, todo: str, states: tuple[str, ...], related: tuple = ()):
        self.user, self.related = user, related
        self.unit_ids = sorted(reach_of(user).unit_ids)
        self.branches = [Q(unit_id=unit_id) for unit_id in self.unit_ids]
        # Kind, state and jurisdiction in one EXISTS on the case by its key: joined, the case's
        # (kind, state) index would lead the plan and the work would be sorted.
        cases = visible_cases(user).filter(pk=OuterRef("case_id"), kind=KIND, state__in=states)
        self.extra = Q(Exists(cases), todo=todo)

    def count(self) -> int:
        """Applications, not pieces of work (no further than the lists' cap and one more)."""
        if not self.unit_ids:
            return 0
        work = Assignment.objects.filter(self.extra, unit_id__in=self.unit_ids, state=Assignment.State.OPEN)
        return work.values("case_id").distinct()[: COUNT_CAP + 1].count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key) -> list[Application]:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("WorkQueue supports plain slices only")
        start, stop = key.start or 0, key.stop
        if stop is None or stop <= start:
            return []
        # One row an application: a unit holds one open piece of `todo` on a case, but a person
        # in two units deciding one joint application together would see it twice.
        case_ids: list[int] = []
        for _, _, case_id in heads_in_due_order(self.branches, self.extra, stop, "case_id"):
            if case_id not in case_ids:
                case_ids.append(case_id)
            if len(case_ids) == stop:
                break
        case_ids = case_ids[start:stop]
        if not case_ids:
            return []
        # By key alone: the walk has applied the jurisdiction, and with the list's kind (or order)
        # SQLite walks the kind's every application to find these.
        rows = Application.objects.filter(case_id__in=case_ids).select_related(*SHOWN).prefetch_related(*self.related)
        found = {a.case_id: a for a in rows}
        return [found[case_id] for case_id in case_ids if case_id in found]


def queue_for(user) -> WorkQueue:
    """The front desk's queue (待受理): applications whose materials a unit of the user's has to
    check, the one whose notice is due first at the top."""
    return WorkQueue(user, "check", (State.RECEIVED,))


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
