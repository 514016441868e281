"""Assignments: who must act on which case, by when. The inbox (我的待办) reads them."""

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.units.models import Unit

from . import opened
from .models import Assignment, Case, SentOutside
from .notify import NotificationKind, notify_users, people_to_act
from .scoping import reach_of

DUE_SOON = timedelta(hours=24)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # stands in for "no deadline" when comparing heads


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


def build(case: Case, spec: Assign, at: datetime | None = None) -> Assignment:
    """The assignment a spec asks for, unsaved; without its own due time it takes the case's."""
    return Assignment(
        case=case,
        unit=spec.unit,
        user=spec.user,
        role=spec.role,
        todo=spec.todo,
        due_at=spec.due_at if spec.due_at is not None else case.due_at,
        due_uncertain=spec.due_uncertain if spec.due_at is not None else case.due_uncertain,
        created_at=at or timezone.now(),
    )


def add(assignment: Assignment, notify_title: str = "") -> Assignment:
    """Save a built assignment and tell the people it reaches."""
    assignment.save(force_insert=True)
    if not _held(assignment.unit, assignment.case):  # sent outside the unit's area, or not known here
        note_sent_outside(assignment_id=assignment.pk)
    case = assignment.case
    title = notify_title or f"新待办：{case.title}"
    notify_users(people_to_act(assignment.unit, assignment.role, assignment.user), title, f"编号 {case.number}", case, kind=NotificationKind.NEW_WORK)
    opened.note(case, "open_work", assignment)
    return assignment


NOTE_BATCH = 500


def _held(unit, case: Case) -> bool | None:
    """Whether the unit's own area holds the case's, when both areas are loaded already (the
    intake's routed unit: no query on the create path); None when the database must say."""
    if Unit.area.is_cached(unit) and Case.area.is_cached(case):
        return case.area.path.startswith(unit.area.path)
    return None


def note_sent_outside(*, assignment_id: int | None = None, case_ids=None, unit_ids=None) -> None:
    """Record the cases among these assignments' that went to a unit whose own area does not hold
    them (models.SentOutside), once each: one INSERT … SELECT, whatever it finds. By one new
    assignment (kernel.assignments.add), by the cases written in bulk (kernel.history.replay,
    bench/events.py), by units (after a unit's area changed); no argument: every assignment."""
    for name, values in (("case_ids", case_ids), ("unit_ids", unit_ids)):
        if values is not None and len(values := list(values)) > NOTE_BATCH:  # bound the statement's parameters
            for start in range(0, len(values), NOTE_BATCH):
                note_sent_outside(assignment_id=assignment_id, **{"case_ids": case_ids, "unit_ids": unit_ids, name: values[start : start + NOTE_BATCH]})
            return
    conditions, params = [], []
    for column, values in (("a.id", [assignment_id] if assignment_id is not None else None), ("a.case_id", case_ids), ("a.unit_id", unit_ids)):
        if values is not None:
            values = list(values)
            if not values:
                return
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (SentOutside, Assignment, Case, Unit, Area)}
    # A path holds the paths that start with it (areas.paths); substr, not LIKE: no escaping.
    sql = (
        f"INSERT INTO {table[SentOutside]} (case_id, unit_id, kind) SELECT DISTINCT a.case_id, a.unit_id, c.kind FROM {table[Assignment]} a"
        f" JOIN {table[Case]} c ON c.id = a.case_id JOIN {table[Area]} ca ON ca.id = c.area_id"
        f" JOIN {table[Unit]} u ON u.id = a.unit_id JOIN {table[Area]} ua ON ua.id = u.area_id"
        f" WHERE substr(ca.path, 1, length(ua.path)) <> ua.path{''.join(' AND ' + c for c in conditions)}"
        " ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def create(case: Case, spec: Assign, notify_title: str = "") -> Assignment:
    return add(build(case, spec), notify_title)


INBOX_ORDER = (F("due_at").asc(nulls_last=True), "id")


def inbox_branches(user) -> list[Q]:
    """The disjoint parts of a user's inbox: work addressed to them by name, and, for each of
    their units, work addressed to the unit for one of the roles they hold there (or to anyone).
    Two posts in one unit make one branch, so no assignment falls in two."""
    reach = reach_of(user)
    # By name: the user's own, and on the days they stand in (AB岗) the absent person's, one
    # branch each (each walks the (user, due_at) index).
    branches = [Q(user_id=user_id) for user_id in sorted(reach.user_ids)]
    roles_by_unit: dict[int, set[str]] = {}
    for post in reach.posts:
        roles_by_unit.setdefault(post.unit_id, {""}).update(post.roles)
    branches += [Q(unit_id=unit_id, user__isnull=True, role__in=sorted(roles)) for unit_id, roles in sorted(roles_by_unit.items())]
    return branches


def inbox_q(user) -> Q:
    """Open assignments addressed to the user, or to a unit where they hold the role asked for."""
    condition = Q(pk__in=[])
    for branch in inbox_branches(user):
        condition |= branch
    return condition


def inbox_for(user) -> QuerySet[Assignment]:
    """The user's open work across every kind of case, soonest deadline first (none last).
    For counting and exports; pages are read with Inbox, which is much faster."""
    return (
        Assignment.objects.filter(inbox_q(user), state=Assignment.State.OPEN)
        .select_related("case", "case__area", "unit")
        .order_by(*INBOX_ORDER)
    )


def heads_in_due_order(branches: list[Q], extra: Q, stop: int, *also: str) -> Iterator[tuple]:
    """(due_at, id, *also) of the open work in any of the disjoint `branches` that meets `extra`,
    soonest deadline first (none last), up to `stop` rows from each branch: each branch (one
    unit, one person) walks its partial index (unit or user, due_at) in deadline order and stops
    after `stop` rows, and the heads are merged here. The inbox's pages, and any queue of a
    unit's open work (window's front desk and back office), read their rows so."""
    heads = [
        Assignment.objects.filter(branch, extra, state=Assignment.State.OPEN).order_by(*INBOX_ORDER).values_list("due_at", "id", *also)[:stop]
        for branch in branches
    ]
    return heapq.merge(*heads, key=lambda row: (row[0] is None, row[0] or _EPOCH, row[1]))


class Inbox:
    """The user's open work as a paginated sequence (Django's Paginator takes it as it is).

    A page is read branch by branch: each branch walks its partial index (unit or user, due_at)
    in deadline order and stops after the page, and the heads are merged here. One query over the
    OR of the branches would have to read and sort every open assignment of the user's units —
    13,000 rows for a township command centre at a million cases (docs/PERFORMANCE.md)."""

    def __init__(self, user, extra: Q | None = None, known_count: int | None = None):
        self.branches = inbox_branches(user)
        self.extra = extra or Q()
        self._user = user
        self._count = known_count  # when inbox_counts() has just counted the same rows

    def queryset(self) -> QuerySet[Assignment]:
        return inbox_for(self._user).filter(self.extra)

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset().order_by().count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key) -> list[Assignment]:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("Inbox supports plain slices only")
        start, stop = key.start or 0, key.stop
        if stop is None or stop <= start:
            return []
        ids = [pk for _, pk in itertools.islice(heads_in_due_order(self.branches, self.extra, stop), start, stop)]
        if not ids:
            return []
        return list(Assignment.objects.filter(pk__in=ids).select_related("case", "case__area", "unit").order_by(*INBOX_ORDER))


def inbox_counts(user, now: datetime | None = None) -> dict[str, int]:
    """Pending, due within 24 hours and overdue, in one query."""
    now = now or timezone.now()
    return Assignment.objects.filter(inbox_q(user), state=Assignment.State.OPEN).aggregate(
        pending=Count("id"),
        due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        overdue=Count("id", filter=Q(due_at__lt=now)),
    )
