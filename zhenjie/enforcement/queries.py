"""The one scoped read of enforcement cases (kernel.scoping, SCOPING.md): the list, the officer's
queue, one case, the export's columns, and the powers a team may register a case under."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from zhenjie.kernel.assignments import Inbox
from zhenjie.kernel.models import Assignment
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404
from zhenjie.lists.models import ListKind, ListSeries, PowerItem, PowerType
from zhenjie.lists.queries import delegations_in_force_for, versions_in_force
from zhenjie.lists.search import clean_query, search_q
from zhenjie.workbench.excel import Column

from .models import EnforcementCase
from .workflow import ENFORCEMENT_WORKFLOW, KIND


def cases_for(user) -> QuerySet[EnforcementCase]:
    return (
        # The kind and the case's opening name the case index's order (case_kind_opened), so the
        # list walks it and stops at the page instead of sorting every visible case.
        EnforcementCase.objects.filter(case_is_visible(user), case__kind=KIND)
        .select_related("case", "case__area", "team", "party")
        .order_by("-case__opened_at", "-case_id")
    )


def get_case_for(user, case_id: int) -> EnforcementCase:
    """One case by its case id, or NotFound: another township's and a missing one look alike."""
    return get_visible_or_404(cases_for(user).select_related("case__parent", "delegation"), "enforcement.not_found",
                              "执法案件不存在或不在您的辖区内", case_id=case_id)  # fmt: skip


@dataclass(frozen=True)
class QueueRow:
    work: Assignment
    enforcement: EnforcementCase
    todo_label: str


class Queue:
    """The officer's queue (待办): open enforcement work addressed to their units or to them, the
    soonest due first — the inbox's own index walk (kernel.assignments.Inbox), so a page costs the
    same whatever the team holds. Pages of QueueRows; Django's Paginator takes it."""

    def __init__(self, user):
        self.inbox = Inbox(user, extra=Q(case__kind=KIND))

    def count(self) -> int:
        return self.inbox.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key) -> list[QueueRow]:
        work = self.inbox[key]
        cases = EnforcementCase.objects.select_related("case", "case__area", "team", "party").in_bulk([w.case_id for w in work], field_name="case_id")
        return [QueueRow(item, cases[item.case_id], ENFORCEMENT_WORKFLOW.todo_label(item.todo)) for item in work if item.case_id in cases]


def queue_for(user) -> Queue:
    return Queue(user)


@dataclass(frozen=True)
class RegistrablePower:
    code: str
    name: str
    basis: str  # the township's list, or the delegation it came by


REGISTRABLE_TYPES = (PowerType.PENALTY,)  # 立案 opens a penalty case (行政处罚法 Art. 54)
POWERS_SHOWN = 50  # the picker shows the first matches; typing narrows it


def registrable_powers(township, on: date, search: str = "") -> list[RegistrablePower]:
    """The penalty powers the township's team may register a case under on `on`: its own power
    list in force and the delegations in force to it (the same two sources as
    lists.queries.exercise_basis), by name, code or pinyin initials. Two queries."""
    search = clean_query(search)
    versions = versions_in_force(list(ListSeries.objects.filter(kind=ListKind.POWER, area=township)), on)
    own = PowerItem.objects.filter(version__in=list(versions.values()), power_type__in=REGISTRABLE_TYPES).select_related("version")
    if search:
        own = own.filter(search_q(search))
    powers = [RegistrablePower(i.code, i.name, f"{township.name}权责清单(第{i.version.number}版)") for i in own.order_by("position", "code")[:POWERS_SHOWN]]
    delegated = delegations_in_force_for(township, on).filter(delegation__power_type__in=REGISTRABLE_TYPES)
    if search:
        delegated = delegated.filter(Q(delegation__power_name__icontains=search) | Q(delegation__power_code__iexact=search))
    seen = {p.code for p in powers}
    for target in delegated[:POWERS_SHOWN]:
        delegation = target.delegation
        if delegation.power_code not in seen:
            seen.add(delegation.power_code)
            powers.append(RegistrablePower(delegation.power_code, delegation.power_name, f"赋权清单第{delegation.batch.number}批({delegation.department.name}赋予)"))
    return powers


COLUMNS = (
    Column("编号", lambda e: e.case.number, 24), Column("案由", lambda e: e.case.title, 36),
    Column("案件来源", lambda e: e.get_source_display(), 10), Column("当事人", lambda e: e.party.name if e.party else "", 16),
    Column("证件号码", lambda e: e.party.id_number_masked if e.party else "", 20), Column("违法地点", lambda e: e.place, 24),
    Column("违法行为发生(终了)日期", lambda e: e.occurred_on), Column("权责事项编码", lambda e: e.power_code, 14),
    Column("权责事项名称", lambda e: e.power_name, 30), Column("状态", lambda e: ENFORCEMENT_WORKFLOW.state_label(e.case.state), 10),
    Column("发现时间", lambda e: e.discovered_at), Column("立案时间", lambda e: e.registered_at), Column("决定期限", lambda e: e.case.due_at),
    Column("结案时间", lambda e: e.case.closed_at),
)  # fmt: skip  # the export's, on the page and over the API; identifiers masked (PARTIES.md)
