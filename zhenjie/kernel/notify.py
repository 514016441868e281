"""In-app notifications (站内消息). Rows are written inside the action's transaction, so a
rolled-back action notifies no one. Each has a kind (NotificationKind); where a recipient chose
e-mail or a group robot for that kind, a delivery is queued with the row and sent by the job queue
once the transaction commits (kernel/delivery.py, kernel/NOTIFY.md)."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone

from .models import Case, Notification, NotificationKind
from .prepared import Prepared


def notify_users(users: Iterable, title: str, body: str = "", case: Case | None = None, *, kind: str = NotificationKind.SYSTEM) -> int:
    from .delivery import queue_for

    rows = [Notification(user=user, case=case, kind=kind, title=title[:200], body=body) for user in {u.pk: u for u in users}.values()]
    Notification.objects.bulk_create(rows)
    queue_for(rows)
    return len(rows)


def people_to_act(unit, role: str = "", user=None):
    """Who an assignment reaches: the named person, or everyone in the unit holding the role —
    and whoever stands in for one of them today (AB岗, kernel.scoping.reach_of), in the same
    query for a unit; for a named person, one query more, and the name first. Every assignment
    written asks, so the reads are compiled once (kernel.prepared)."""
    today = timezone.localdate()
    if user is not None:
        return [user, *_STANDING_IN_FOR(user_id=user.pk, today=today)]
    if role:
        return _HOLDERS_OF_ROLE(unit_id=unit.pk, role=role, today=today)
    return _HOLDERS(unit_id=unit.pk, today=today)


def _people(unit_id: int, today: date, role: str = ""):
    from zhenjie.accounts.models import User

    from .scoping import stand_ins_today

    posts = Q(posts__unit=unit_id, posts__is_active=True)
    if role:
        posts &= Q(posts__roles__code=role)
    holders = User.objects.filter(posts, is_active=True).values("pk")
    return User.objects.filter(Q(pk__in=holders) | Q(pk__in=stand_ins_today(holders, today)), is_active=True).order_by("pk")


def _standing_in_for(user_id: int, today: date):
    from zhenjie.accounts.models import User

    from .scoping import stand_ins_today

    return User.objects.filter(pk__in=stand_ins_today([user_id], today), is_active=True).order_by("pk")


_HOLDERS = Prepared(_people, unit_id=int, today=date)
_HOLDERS_OF_ROLE = Prepared(_people, unit_id=int, role=str, today=date)
_STANDING_IN_FOR = Prepared(_standing_in_for, user_id=int, today=date)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
