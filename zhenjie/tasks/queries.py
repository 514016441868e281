from django.db.models import QuerySet

from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404
from zhenjie.workbench.excel import Column

from .models import Task
from .workflow import KIND, TASK_WORKFLOW


def tasks_for(user) -> QuerySet[Task]:
    return (
        # The kind and the case's id name the case index's order (case_kind_opened), so the list
        # walks it and stops at the page instead of sorting every visible task (issue 11).
        Task.objects.filter(case_is_visible(user), case__kind=KIND)
        .select_related("case", "case__area", "issued_by_unit", "assignee_unit")
        .order_by("-case__opened_at", "-case_id")
    )


def get_task_for(user, case_id: int) -> Task:
    """One task by its case id, or NotFound: another township's task and a missing one look alike."""
    return get_visible_or_404(tasks_for(user), "task.not_found", "交办件不存在或不在您的辖区内", case_id=case_id)


COLUMNS = (
    Column("编号", lambda t: t.case.number, 24), Column("标题", lambda t: t.case.title, 36),
    Column("交办单位", lambda t: t.issued_by_unit.name), Column("承办单位", lambda t: t.assignee_unit.name),
    Column("状态", lambda t: TASK_WORKFLOW.state_label(t.case.state), 10), Column("交办时间", lambda t: t.case.opened_at),
    Column("办理期限", lambda t: t.case.due_at), Column("办结时间", lambda t: t.case.closed_at),
)  # the export's, on the page and over the API
