"""Every read of calls, for a user (kernel.scoping): a department sees the calls it received, a
township the calls it made — whoever may see the call's case."""

from django.db.models import QuerySet

from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404
from zhenjie.workbench.excel import Column

from .models import Call
from .workflow import CALL, CALL_WORKFLOW


def calls_for(user) -> QuerySet[Call]:
    return (
        # The kind and the case's id name the case index's order (case_kind_opened): the list walks
        # it and stops at the page instead of sorting every visible call (issue 11).
        Call.objects.filter(case_is_visible(user), case__kind=CALL)
        # The parent's event, when it is one, for what the department is told of it.
        .select_related("case", "case__area", "case__parent__event__category", "department", "caller_unit")
        .order_by("-case__opened_at", "-case_id")
    )


COLUMNS = (
    Column("编号", lambda c: c.case.number, 22), Column("事件", lambda c: c.case.parent.number if c.case.parent_id else "", 22),
    Column("被呼叫部门", lambda c: c.department.name, 20), Column("呼叫单位", lambda c: c.caller_unit.name, 20),
    Column("呼叫事项", lambda c: c.request, 40), Column("状态", lambda c: CALL_WORKFLOW.state_label(c.case.state), 10),
    Column("呼叫时间", lambda c: c.case.opened_at), Column("响应时限", lambda c: c.acknowledge_due), Column("响应时间", lambda c: c.acknowledged_at),
    Column("办理期限", lambda c: c.case.due_at), Column("反馈时间", lambda c: c.reported_at), Column("评价", lambda c: c.case.rating, 6),
)  # the list's export


def calls_on(user, parent) -> QuerySet[Call]:
    """The calls made on the case `parent`, oldest first."""
    return calls_for(user).filter(case__parent=parent).order_by("case__opened_at", "pk")


def get_call_for(user, case_id) -> Call:
    """One call by its case id, or NotFound: another township's call and a missing one look alike."""
    return get_visible_or_404(calls_for(user), "call.not_found", "呼叫不存在或不在您的辖区内", case_id=case_id)
