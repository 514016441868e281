"""Assignments: who must act on which case, by when. The inbox (我的待办) reads them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import Assignment, Case
from .notify import notify_users, people_to_act
from .scoping import reach_of

DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class Assign:
    """An assignment to create: a unit (anyone there with `role`) or one named person in it.
    Without its own due time it takes the case's deadline."""

    unit: object
    todo: str
    due_at: datetime | None = None
    due_uncertain: bool = False
    user: object | None = None
    role: str = ""


def create(case: Case, spec: Assign, notify_title: str = "") -> Assignment:
    assignment = Assignment.objects.create(
        case=case,
        unit=spec.unit,
        user=spec.user,
        role=spec.role,
        todo=spec.todo,
        due_at=spec.due_at if spec.due_at is not None else case.due_at,
        due_uncertain=spec.due_uncertain if spec.due_at is not None else case.due_uncertain,
    )
    title = notify_title or f"新待办：{case.title}"
    notify_users(people_to_act(spec.unit, spec.role, spec.user), title, f"编号 {case.number}", case)
    return assignment


def complete_open(case: Case, actor, only_units: frozenset[int] | None = None) -> int:
    """Mark the case's open assignments done (all, or only those of the given units)."""
    rows = Assignment.objects.filter(case=case, state=Assignment.State.OPEN)
    if only_units is not None:
        rows = rows.filter(unit_id__in=only_units)
    return rows.update(state=Assignment.State.DONE, done_at=timezone.now(), done_by=actor)


def cancel_open(case: Case) -> int:
    return Assignment.objects.filter(case=case, state=Assignment.State.OPEN).update(
        state=Assignment.State.CANCELLED, done_at=timezone.now()
    )


def inbox_q(user) -> Q:
    """Open assignments addressed to the user, or to a unit where they hold the role asked for."""
    reach = reach_of(user)
    condition = Q(user_id=reach.user_id) if reach.user_id else Q(pk__in=[])
    for post in reach.posts:
        condition |= Q(unit_id=post.unit_id, user__isnull=True, role__in=[*post.roles, ""])
    return condition


def inbox_for(user) -> QuerySet[Assignment]:
    """The user's open work across every kind of case, soonest deadline first (none last)."""
    return (
        Assignment.objects.filter(inbox_q(user), state=Assignment.State.OPEN)
        .select_related("case", "case__area", "unit")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def inbox_counts(user, now: datetime | None = None) -> dict[str, int]:
    """Pending, due within 24 hours and overdue, in one query."""
    now = now or timezone.now()
    return Assignment.objects.filter(inbox_q(user), state=Assignment.State.OPEN).aggregate(
        pending=Count("id"),
        due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        overdue=Count("id", filter=Q(due_at__lt=now)),
    )
