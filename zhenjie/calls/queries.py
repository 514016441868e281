"""Every read of calls, for a user (kernel.scoping): a department sees the calls it received, a
township the calls it made — whoever may see the call's case."""

from django.db.models import QuerySet

from zhenjie.kernel.prepared import Prepared
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404, visible_among
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


_CALLS_ON = Prepared(
    lambda parent_id: Call.objects.filter(case__parent=parent_id, case__kind=CALL).select_related("case__area", "department"), parent_id=int
)  # every event's page (kernel.prepared)


def calls_on(user, parent) -> list[Call]:
    """The calls made on the case `parent` that `user` can see, oldest first: its page's panel,
    which shows the department and the state. Read by the parent's key and held to the rule in
    hand (scoping.visible_among): a few rows, where the list's EXISTS and joins cost more to
    compile than to run (issue 11)."""
    # Sorted here, not by the query: with an ORDER BY on the case, SQLite walks every call of
    # the county by (kind, opened_at) instead of the parent's index.
    calls = _CALLS_ON(parent_id=parent.pk)
    visible = visible_among(user, [call.case for call in calls])
    return sorted((call for call in calls if call.case_id in visible), key=lambda call: (call.case.opened_at, call.pk))


def get_call_for(user, case_id) -> Call:
    """One call by its case id, or NotFound: another township's call and a missing one look alike."""
    return get_visible_or_404(calls_for(user), "call.not_found", "呼叫不存在或不在您的辖区内", case_id=case_id)
