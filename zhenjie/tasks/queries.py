from django.db.models import QuerySet

from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404

from .models import Task


def tasks_for(user) -> QuerySet[Task]:
    return (
        Task.objects.filter(case_is_visible(user))
        .select_related("case", "case__area", "issued_by_unit", "assignee_unit")
        .order_by("-case__opened_at", "-pk")
    )


def get_task_for(user, case_id: int) -> Task:
    """One task by its case id, or NotFound: another township's task and a missing one look alike."""
    return get_visible_or_404(tasks_for(user), "task.not_found", "交办件不存在或不在您的辖区内", case_id=case_id)
