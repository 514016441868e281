"""The inbox as people read it: rows with the case's kind, state and what to do, in labels."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from django.db.models import Q

from zhenjie.kernel.assignments import DUE_SOON, Inbox
from zhenjie.kernel.models import Assignment
from zhenjie.kernel.workflow import registered_kinds, workflow_for

from .excel import Column

FILTERS = {"overdue": "已超期", "soon": "24小时内到期", "all": "全部待办"}


@dataclass
class InboxRow:
    assignment: Assignment
    kind_label: str
    state_label: str
    todo_label: str
    url: str
    urgency: str  # "overdue", "soon" or ""

    @property
    def case(self):
        return self.assignment.case


def filtered_inbox(user, *, due: str = "all", kind: str = "", now: datetime | None = None, counts: dict | None = None) -> Inbox:
    """The inbox with the page's filters. Given the inbox_counts() taken at the same `now`, an
    unfiltered-by-kind inbox reuses them instead of counting its rows again."""
    now = now or timezone.now()
    extra = Q()
    if due == "overdue":
        extra &= Q(due_at__lt=now)
    elif due == "soon":
        extra &= Q(due_at__gte=now, due_at__lt=now + DUE_SOON)
    known = None
    if kind in registered_kinds():
        extra &= Q(case__kind=kind)
    elif counts is not None:
        known = counts[{"overdue": "overdue", "soon": "due_soon"}.get(due, "pending")]
    return Inbox(user, extra, known_count=known)


INBOX_COLUMNS = (
    Column("类型", lambda r: r.kind_label, 10), Column("编号", lambda r: r.case.number, 24), Column("标题", lambda r: r.case.title, 40),
    Column("所属区划", lambda r: r.case.area.name, 16), Column("待办事项", lambda r: r.todo_label, 14),
    Column("承办单位", lambda r: r.assignment.unit.name, 20), Column("办理期限", lambda r: r.assignment.due_at), Column("事项状态", lambda r: r.state_label, 12),
)  # the export of as_rows()


def as_rows(assignments, now: datetime | None = None) -> list[InboxRow]:
    now = now or timezone.now()
    result = []
    for assignment in assignments:
        workflow = workflow_for(assignment.case.kind)
        due = assignment.due_at
        urgency = "" if due is None else "overdue" if due < now else "soon" if due < now + timedelta(hours=24) else ""
        result.append(
            InboxRow(
                assignment=assignment,
                kind_label=workflow.label,
                state_label=workflow.state_label(assignment.case.state),
                todo_label=workflow.todo_label(assignment.todo),
                url=workflow.detail_url(assignment.case_id),
                urgency=urgency,
            )
        )
    return result
