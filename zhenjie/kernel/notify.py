"""In-app notifications (站内消息). Rows are written inside the action's transaction, so a
rolled-back action notifies no one; delivery to other channels (SMS, 政务微信) would hang off
transaction.on_commit here."""

from collections.abc import Iterable

from django.db.models import Q

from .models import Case, Notification


def notify_users(users: Iterable, title: str, body: str = "", case: Case | None = None) -> int:
    rows = [Notification(user=user, case=case, title=title[:200], body=body) for user in {u.pk: u for u in users}.values()]
    Notification.objects.bulk_create(rows)
    return len(rows)


def people_to_act(unit, role: str = "", user=None):
    """Who an assignment reaches: the named person, or everyone in the unit holding the role."""
    from zhenjie.accounts.models import User

    if user is not None:
        return [user]
    posts = Q(posts__unit=unit, posts__is_active=True)
    if role:
        posts &= Q(posts__roles__code=role)
    return list(User.objects.filter(posts, is_active=True).distinct())


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
