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
    """Who an assignment reaches: the named person, or everyone in the unit holding the role —
    and whoever stands in for one of them today (AB岗, kernel.scoping.reach_of), in the same
    query for a unit; for a named person, one query more, and the name first."""
    from zhenjie.accounts.models import User

    from .scoping import stand_ins_today

    if user is not None:
        return [user, *User.objects.filter(pk__in=stand_ins_today([user.pk]), is_active=True).order_by("pk")]
    posts = Q(posts__unit=unit, posts__is_active=True)
    if role:
        posts &= Q(posts__roles__code=role)
    holders = User.objects.filter(posts, is_active=True).values("pk")
    return list(User.objects.filter(Q(pk__in=holders) | Q(pk__in=stand_ins_today(holders)), is_active=True).order_by("pk"))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
