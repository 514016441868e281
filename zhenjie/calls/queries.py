"""Every read of calls, for a user (kernel.scoping): a department sees the calls it received, a
township the calls it made — whoever may see the call's case."""

from django.db.models import QuerySet

from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.scoping import case_is_visible

from .models import Call


def calls_for(user) -> QuerySet[Call]:
    return (
        Call.objects.filter(case_is_visible(user))
        # The parent's event, when it is one, for what the department is told of it.
        .select_related("case", "case__area", "case__parent__event__category", "department", "caller_unit")
        .order_by("-case__opened_at", "-pk")
    )


def calls_on(user, parent) -> QuerySet[Call]:
    """The calls made on the case `parent`, oldest first."""
    return calls_for(user).filter(case__parent=parent).order_by("case__opened_at", "pk")


def get_call_for(user, case_id) -> Call:
    try:
        return calls_for(user).get(case_id=case_id)
    except (Call.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("call.not_found", "呼叫不存在或不在您的辖区内") from None
