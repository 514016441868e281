"""Jurisdiction: the one place that decides what a user may see and where they may act. See
SCOPING.md beside this file.

A staff user reaches (1) the area subtrees of their active posts' jurisdictions — for a grid
worker, the grids they cover instead — and (2) every case on which one of their units holds or
held an assignment — in a unit where they are only a grid worker, one addressed to them. On the
days they stand in for an absent colleague (AB岗, accounts.StandIn), the absent person's
business posts and grids count as theirs too, and work addressed to the absent person by name
is addressed to them: never more than the absent person reaches themself. Every
list, detail, API endpoint, export, count and dashboard reads through the functions here; a
read that no person's reach bounds (a job, a command, the demo) goes through
`unscoped(Model, why=...)`, which a reviewer can grep."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhenjie.accounts.roles import LENDABLE_ROLES, SEPARATED_ADMIN_ROLES, RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, is_grid_path
from zhenjie.units.models import Unit

from .errors import Forbidden, NotFound, Rejected
from .ids import parse_id
from .models import Assignment, Case, SentOutside
from .prepared import INTS, STRS, Prepared

GRID_WORKER = frozenset({RoleCode.GRID_WORKER})


@dataclass(frozen=True)
class PostReach:
    post_id: int
    unit_id: int
    path: str | None  # jurisdiction root, None for posts that act only on what is sent to them
    roles: frozenset[str]
    for_user_id: int | None = None  # the absent person's post a stand-in acts in (AB岗); None: their own


@dataclass(frozen=True)
class CoveredGrid:
    """A grid the user covers now as its grid worker (accounts.Coverage, 定人定岗)."""

    grid_id: int
    path: str
    is_lead: bool
    for_user_id: int | None = None  # covered by the absent person a stand-in acts for (AB岗)


@dataclass(frozen=True)
class Grant:
    """Roles held over an area subtree."""

    path: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Reach:
    user_id: int | None
    posts: tuple[PostReach, ...]
    grids: tuple[CoveredGrid, ...] = ()
    stands_for: frozenset[int] = frozenset()  # absent people whose work the user covers today (AB岗)

    @property
    def user_ids(self) -> frozenset[int]:
        """The people whose work addressed by name is the user's today: themself, and those they
        stand in for."""
        return frozenset({self.user_id, *self.stands_for}) if self.user_id is not None else frozenset()

    def of(self, user_id: int | None) -> "Reach":
        """The part of this reach held through one person: `None` (or the user's own id) for the
        user's own posts and grids, an absent person's id for what standing in for them adds. The
        workflow asks it to name whom a stand-in acted for (journal: "X 代 Y")."""
        owner = None if user_id in (None, self.user_id) else user_id
        return Reach(
            user_id=self.user_id if owner is None else owner,
            posts=tuple(p for p in self.posts if p.for_user_id == owner),
            grids=tuple(g for g in self.grids if g.for_user_id == owner),
        )

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(p.unit_id for p in self.posts)

    @property
    def roles(self) -> frozenset[str]:
        """Every role the user holds through a post, wherever it applies."""
        return frozenset().union(*(p.roles for p in self.posts)) if self.posts else frozenset()

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        """Where each role applies. A post's roles apply in its jurisdiction, except the grid
        worker's: it applies in the grids the user covers, and in a grid-level jurisdiction. A grid
        worker's post on a village or a township gives them no more than the grids they cover in it
        (定人定岗定责, seed 004 §三: a worker answers for their grids, not the whole village), and a
        grid they cover in another village of the township is theirs as much as their own."""
        grants = []
        for post in self.posts:
            if not post.path:
                continue
            roles = post.roles if is_grid_path(post.path) else post.roles - GRID_WORKER
            if roles:
                grants.append(Grant(post.path, roles))
        grants += [Grant(grid.path, GRID_WORKER) for grid in self.grids]
        return tuple(grants)

    def roots_with(self, roles: frozenset[str]) -> tuple[str, ...]:
        """Roots of the subtrees where the user holds one of `roles`, nested ones dropped."""
        return _roots(g.path for g in self.grants if g.roles & roles)

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Roots for casework, nested ones dropped (a county covers its townships).

        Posts that only administer the system (三权分立 roles) do not open cases to their holder:
        a system administrator manages people in the county without reading its petitions."""
        return _roots(g.path for g in self.grants if g.roles - SEPARATED_ADMIN_ROLES)

    @property
    def admin_paths(self) -> tuple[str, ...]:
        """Jurisdiction roots of the system, security and audit administration posts."""
        return _roots(p.path for p in self.posts if p.path and p.roles & SEPARATED_ADMIN_ROLES)

    def covers(self, area: Area) -> bool:
        return self.covers_path(area.path)

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.paths)

    def roles_in(self, area: Area) -> frozenset[str]:
        """Roles the user holds in `area`: through posts whose jurisdiction contains it, and as its
        grid worker when they cover the grid it lies in."""
        return frozenset().union(*(g.roles for g in self.grants if area.path.startswith(g.path)))

    def roles_in_unit(self, unit_id: int) -> frozenset[str]:
        return frozenset().union(*(p.roles for p in self.posts if p.unit_id == unit_id))

    def unit_acting_in(self, area: Area, roles: frozenset[str]) -> int | None:
        """The unit of the post through which the user holds one of `roles` in `area`, the nearest
        jurisdiction first (a township clerk who is also a county clerk acts as the township's):
        in whose name, and number series, they act there."""
        posts = [p for p in self.posts if p.path and area.path.startswith(p.path) and p.roles & roles]
        return max(posts, key=lambda p: (len(p.path), -p.post_id)).unit_id if posts else None

    @cached_property
    def worker_unit_ids(self) -> frozenset[int]:
        """Units where the user is a grid worker and nothing else. Their work there is what is
        addressed to them — by name, or to the unit for a grid worker or for anyone — not every
        case the unit is sent: a village committee is sent its grids' verifications, each
        addressed to the grid's own worker (定人定岗定责, seed 004 §三; issue 12 item 7)."""
        return frozenset(unit_id for unit_id in self.unit_ids if self.roles_in_unit(unit_id) == GRID_WORKER)

    def addressed_q(self) -> Q:
        """The assignments that open a case to the user: any sent to a unit where they hold
        another role, and in a grid worker's unit those addressed to them."""
        whole = sorted(self.unit_ids - self.worker_unit_ids)
        condition = Q(unit_id__in=whole) if whole else Q(pk__in=[])
        if workers := sorted(self.worker_unit_ids):
            addressed_to_me = Q(user_id__in=sorted(self.user_ids)) | Q(user__isnull=True, role__in=["", *GRID_WORKER])
            condition |= Q(unit_id__in=workers) & addressed_to_me
        return condition


def _roots(paths) -> tuple[str, ...]:
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(roots)


NO_REACH = Reach(user_id=None, posts=())


def standing_in_today(user, today=None) -> QuerySet:
    """The ids of the people `user` stands in for today (AB岗, accounts.StandIn): a period that
    has begun, has not ended and was not cancelled, of someone still active."""
    from zhenjie.accounts.models import StandIn

    today = today or timezone.localdate()
    return StandIn.objects.filter(
        stand_in=user, cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today, absent__is_active=True
    ).values("absent_id")


def stand_ins_today(absent, today=None) -> QuerySet:
    """The ids of the people standing in today for any of `absent` (ids or a subquery of them):
    whom work addressed to the absent reaches as well (kernel.notify.people_to_act)."""
    from zhenjie.accounts.models import StandIn

    today = today or timezone.localdate()
    return StandIn.objects.filter(
        absent__in=absent, cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today, stand_in__is_active=True
    ).values("stand_in_id")


def _posts_reached(user_id: int, today: date) -> QuerySet:
    from zhenjie.accounts.models import Post, User

    # `user IN (me UNION ALL the absent people)`, not `user = me OR user IN (…)`: PostgreSQL turns
    # the IN into a semi-join on the (user, is_active) index, while the OR would scan every post.
    people = User.objects.filter(pk=user_id).values("pk").union(standing_in_today(user_id, today), all=True)
    return Post.objects.filter(user__in=people, is_active=True, unit__is_active=True).values_list(
        "id", "user_id", "unit_id", "jurisdiction__path", "roles__code"
    )


def _grids_covered(workers: list[int]) -> QuerySet:
    from zhenjie.accounts.models import Coverage

    return Coverage.objects.filter(worker_id__in=workers, ended_at__isnull=True).values_list("grid_id", "grid__path", "is_lead", "worker_id")


# Every request asks for the user's reach: compiled once (kernel.prepared).
_POSTS_REACHED = Prepared(_posts_reached, user_id=int, today=date)
_GRIDS_COVERED = Prepared(_grids_covered, workers=INTS)
_AREAS_AT = Prepared(lambda paths: Area.objects.filter(path__in=paths).order_by("path"), paths=STRS)  # every report's place


def reach_of(user) -> Reach:
    """What the user reaches, read once per request and kept on the user object: one query on
    posts — their own and, as a subquery, those of anyone they stand in for today (AB岗) — and
    for grid workers a second on the grids they (or the absent person) cover now."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_REACH
    cached = getattr(user, "_zhenjie_reach", None)
    if cached is not None:
        return cached
    rows = _POSTS_REACHED(user_id=user.pk, today=timezone.localdate())
    posts: dict[int, tuple[int | None, int, str | None, set[str]]] = {}
    for post_id, owner, unit_id, path, role in rows:
        entry = posts.setdefault(post_id, (None if owner == user.pk else owner, unit_id, path, set()))
        if role:
            entry[3].add(role)
    # A stand-in acts in the absent person's casework roles only (accounts.roles.LENDABLE_ROLES):
    # the three administrators' roles are never lent, and nothing at all is lent to someone who
    # holds one of them (三权分立 — an administrator covering a clerk's leave would hold an
    # administrator role and a business one together, 等保 8.1.4.2 d; accounts.actions refuses to
    # name them, this keeps a period named before they took such a post from counting).
    own_roles = set().union(*(roles for owner, _, _, roles in posts.values() if owner is None))
    lend = not (own_roles & SEPARATED_ADMIN_ROLES)
    for post_id, (owner, _, _, roles) in list(posts.items()):
        if owner is not None:
            roles &= LENDABLE_ROLES
            if not roles or not lend:
                del posts[post_id]
    grids: tuple[CoveredGrid, ...] = ()
    workers = {user.pk if owner is None else owner for owner, _, _, roles in posts.values() if RoleCode.GRID_WORKER in roles}
    if workers:
        # Coverage counts only while the person still holds an active grid-worker post.
        covered = _GRIDS_COVERED(workers=sorted(workers))
        grids = tuple(
            CoveredGrid(grid_id, path, is_lead, None if worker == user.pk else worker)
            for grid_id, path, is_lead, worker in sorted(covered, key=lambda row: (row[1], row[3]))
        )
    reach = Reach(
        user_id=user.pk,
        posts=tuple(PostReach(pid, unit_id, path, frozenset(roles), owner) for pid, (owner, unit_id, path, roles) in sorted(posts.items())),
        grids=grids,
        stands_for=frozenset(owner for owner, _, _, _ in posts.values() if owner is not None),
    )
    user._zhenjie_reach = reach
    return reach


def forget_reach(user) -> None:
    if hasattr(user, "_zhenjie_reach"):
        del user._zhenjie_reach


def unscoped(model, *, why: str) -> QuerySet:
    """Every row of `model`, bounded by no one's reach — the loud way round this module, for the
    few reads that act for no person: jobs and sweeps over every county, commands, the demo, and
    look-ups by something only the rightful holder has (a citizen's number and tracking code, an
    outside system's own order number). `why` says which, in a few words; `grep -rn "unscoped("`
    lists them all (SCOPING.md)."""
    if not (why or "").strip():
        raise ValueError("unscoped() needs a reason: say why this read may cross every jurisdiction")
    return model._default_manager.all()


def get_visible_or_404(rows: QuerySet, code: str, message: str, /, **lookup):
    """The one record of a scoped query `rows` matching `lookup`, or NotFound(code, message): a
    missing record and one out of reach look alike. The API answers NotFound with 404 and the
    message; pages do too (workbench.middleware). Every `get_…_for` goes through here, directly
    or through get_on_visible_case (PAGES.md). An id in the lookup (`pk`, `id`, `…_id`) is read
    by kernel.ids.parse_id first: one that is no 64-bit id is NotFound before the query, on
    PostgreSQL as on SQLite."""
    lookup = _ids_parsed(lookup, code, message)
    try:
        return rows.get(**lookup)
    except (rows.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(code, message) from None


def get_on_visible_case(read: Prepared, user, code: str, message: str, /, **ids):
    """get_visible_or_404 for a read of a model's rows by key, not yet scoped and compiled once
    (kernel.prepared), that brings the record's `case` and its area: the case must be one `user`
    can see — `can_see_case`, the rule on the one case in hand. For a detail read on a hot path:
    the case's area is tested in Python against the reach (one query on assignments only when it
    lies outside the jurisdiction), where the scoped query's EXISTS costs Django more to compile
    than the database to answer (5–7 ms a request, issue 11)."""
    row = read.first(**_ids_parsed(ids, code, message))
    if row is None or not can_see_case(user, row.case):
        raise NotFound(code, message)
    return row


def _ids_parsed(lookup: dict, code: str, message: str) -> dict:
    """The lookup with each id in it (`pk`, `id`, `…_id`) read by kernel.ids.parse_id; NotFound
    for one that is no 64-bit id."""
    parsed = dict(lookup)
    for key, value in lookup.items():
        if key in ("pk", "id") or key.endswith("_id"):
            if (number := parse_id(value)) is None:
                raise NotFound(code, message)
            parsed[key] = number
    return parsed


def paths_q(paths: tuple[str, ...], field: str = "path") -> Q:
    """Areas under any of the roots; matches nothing when there are none."""
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for root in paths:
        condition |= Q(**{f"{field}__startswith": root})
    return condition


def visible_areas(user) -> QuerySet[Area]:
    return Area.objects.filter(paths_q(reach_of(user).paths))


def report_areas(user) -> QuerySet[Area]:
    """Where a staff member may say a case happened by naming the place: the areas of their
    casework reach below the county (a county is too coarse — the case must reach one township's
    command centre). A grid worker's are the grids they cover. The report page lists these, and
    the API and intake accept nothing else (place_of_report). Only today's tree: an area retired
    by an area change (区划调整) is history, not a place to report in."""
    return visible_areas(user).live().exclude(level=Area.Level.COUNTY)


def place_of_report(actor, *, lng: float | None, lat: float | None, area: Area | None, county: Area | None, kind: str) -> Area:
    """The one rule for where a reported case of `kind` happened, whoever reports it.

    A position wins: the deepest area containing it — inside the reporter's casework reach when
    staff report (a grid worker: inside the grids they cover), else inside `county` (a citizen,
    an outside system, a department transferring). Without one, the area named: for staff one of
    report_areas(actor), for others an area of `county` below the county itself. Errors name the
    field and carry the kind's code (`event.position_outside`)."""
    from zhenjie.areas.locate import locate

    reach = reach_of(actor)
    roots = reach.paths if reach.posts else ()
    if lng is not None or lat is not None:
        if lng is None or lat is None or not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise Rejected(f"{kind}.position_invalid", "位置坐标不正确", field="lng")
        for root in _AREAS_AT(paths=list(roots)) if roots else [county]:
            if root is not None and (found := locate(lng, lat, root)) is not None:
                return found
        if roots:
            raise Rejected(f"{kind}.position_outside", "上报位置不在您的辖区(网格)内，请确认定位后重试", field="lng")
        raise Rejected(f"{kind}.position_outside", "位置不在本县范围内", field="lng")
    if area is None:
        raise Rejected(f"{kind}.place_required", "请提供事发位置或所属村(社区)", field="lng")
    if area.retired_on is not None:
        raise Rejected(f"{kind}.place_retired", f"「{area.name}」已因区划调整撤销，请选择调整后的区划", field="area")
    if roots and not reach.covers(area):
        raise Rejected(f"{kind}.place_outside", "所选区划不在您的辖区内", field="area")
    if not roots and county is not None and not area.path.startswith(county.path):
        raise Rejected(f"{kind}.place_outside", "所选区划不在本县范围内", field="area")
    if area.level == Area.Level.COUNTY:
        raise Rejected(f"{kind}.place_too_coarse", "请至少指明所在乡镇(街道)", field="area")
    return area


def _visibility(reach: Reach) -> Q:
    """The rule on a case: in the jurisdiction's areas, or sent to one of the user's units."""
    # EXISTS per case, not `pk IN (every case ever sent to the units)`: a township's command
    # centre is sent nearly every event of its township, and at a million events PostgreSQL
    # cannot hash that list in work_mem and rescans it for each case (bench/events.py).
    # A grid worker's own unit adds only what is addressed to them (Reach.addressed_q); for
    # everyone else the condition is `unit_id IN (their units)`, as it always was.
    sent_to_my_units = Q(Exists(Assignment.objects.filter(reach.addressed_q(), case_id=OuterRef("pk"))))
    if not reach.paths:
        return sent_to_my_units
    return Q(area__in=Area.objects.filter(paths_q(reach.paths)).values("pk")) | sent_to_my_units


def visible_cases(user) -> QuerySet[Case]:
    reach = reach_of(user)
    if not reach.posts:
        return Case.objects.none()
    return Case.objects.filter(_visibility(reach))


def counting_parts(user, kind: str) -> list[QuerySet[Case]] | None:
    """visible_cases(user) of `kind` as two disjoint parts that a count reads from indexes: the
    cases in the jurisdiction's areas (the (area, kind, closed_at, …) index), and those sent to one
    of the user's units from outside the unit's own area and outside the jurisdiction (SentOutside,
    a few rows). The rule's "sent to one of my units" as an EXISTS per case makes a count test
    every case of the kind in the county instead (0.1–0.4 s for a township's tab badges at a
    million events, issue 11).

    A case sent to a unit inside the unit's own area lies in the jurisdiction whenever the
    jurisdiction covers the unit's area, so the parts are exact then. When it does not (a grid
    worker posted in a township office) or there is no jurisdiction (a department liaison):
    None, and the caller counts visible_cases(user). tests/test_scoping.py holds the parts to
    visible_cases' rows."""
    reach = reach_of(user)
    if not reach.posts or not reach.paths:
        return None
    if reach.worker_unit_ids:
        # SentOutside counts what is sent to a unit for anyone there; a grid worker sees only
        # what is addressed to them (Reach.addressed_q), so their parts would not be exact.
        return None
    unit_areas = Unit.objects.filter(pk__in=reach.unit_ids).values_list("area__path", flat=True)
    if not all(reach.covers_path(path) for path in unit_areas):
        return None
    areas = Area.objects.filter(paths_q(reach.paths)).values("pk")
    sent = SentOutside.objects.filter(unit_id__in=reach.unit_ids, kind=kind).values("case_id")
    return [
        Case.objects.filter(kind=kind, area__in=areas),
        Case.objects.filter(pk__in=sent).exclude(area__in=areas),  # of the kind by SentOutside.kind
    ]


def jurisdiction_cases(user, within: Area | None = None) -> QuerySet[Case]:
    """The cases the screens and figures count: visible_cases(user) whose area lies in the
    user's jurisdiction (and under `within`, when given); for a user without one (a department
    liaison), every visible case.

    For a user with a jurisdiction a case there is visible by the rule's first clause, so the
    jurisdiction alone decides: the clause "sent to one of my units" can only add cases outside
    it. Said so, the condition is `area IN (the jurisdiction's areas)`, which starts from the
    (area, …) indexes, instead of the rule's OR with an EXISTS per case, which makes the database
    test every case of the period (2.4 s a figure at a million events, issue 11).
    tests/test_scoping.py holds the two to the same rows."""
    reach = reach_of(user)
    if not reach.posts:
        return Case.objects.none()
    if not reach.paths:
        cases = visible_cases(user)
        return cases.filter(area__path__startswith=within.path) if within is not None else cases
    areas = Area.objects.filter(paths_q(reach.paths))
    if within is not None:
        areas = areas.filter(path__startswith=within.path)
    return Case.objects.filter(area__in=areas.values("pk"))


def case_is_visible(user, case_field: str = "case_id") -> Exists:
    """For rows that carry a case (events, calls, tasks): EXISTS a visible case with their key.

    Checked per row, so a list walks its own order's index and stops at the page. Not
    `case__in=visible_cases(user)`: SQLite then builds every visible case first (2.4 s for a
    township at a million events); nor the rule applied to the joined case row: its assignment
    test then refers to the row's `case_id`, and PostgreSQL hashes every event before it can
    count (bench/events.py, docs/PERFORMANCE.md)."""
    return Exists(visible_cases(user).filter(pk=OuterRef(case_field)))


def can_see_case(user, case: Case) -> bool:
    """The rule on one case in hand: its area in the jurisdiction (no query), or sent to one of
    the user's units (one)."""
    return case.pk in visible_among(user, [case])


def visible_among(user, cases) -> set[int]:
    """The ids of the cases in hand (with their areas) that `user` can see: can_see_case for a
    few at once — the jurisdiction's in Python, the rest in one query on their assignments. For a
    case's page that lists the cases under it (its calls), whose rows are read by their parent's
    key and cost Django more to compile with case_is_visible than the database to answer."""
    reach = reach_of(user)
    seen = {case.pk for case in cases if reach.covers(case.area)}
    rest = [case.pk for case in cases if case.pk not in seen]
    if rest and reach.unit_ids:
        seen.update(Assignment.objects.filter(reach.addressed_q(), case_id__in=rest).values_list("case_id", flat=True))
    return seen


def visible_units(user) -> QuerySet[Unit]:
    """Units in the user's jurisdiction, the user's own units, and the county's departments and
    leadership (the directory every township needs in order to call on them)."""
    reach = reach_of(user)
    if not reach.posts:
        return Unit.objects.none()
    county_level = Q(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.COUNTY_LEADERSHIP])
    return Unit.objects.filter(paths_q(reach.paths, "area__path") | Q(pk__in=reach.unit_ids) | county_level)


def administered_areas(user) -> QuerySet[Area]:
    """Areas whose people and units a system, security or audit administrator looks after."""
    return Area.objects.filter(paths_q(reach_of(user).admin_paths))


def administered_units(user) -> QuerySet[Unit]:
    return Unit.objects.filter(paths_q(reach_of(user).admin_paths, "area__path"))


COUNTY_ADMINISTRATION = frozenset({RoleCode.COUNTY_ADMIN})


def administered_county(user, roles: frozenset[str] = COUNTY_ADMINISTRATION, *, refuse: tuple[str, str] | None = None) -> Area | None:
    """The county in which the user holds one of `roles` through a post with a jurisdiction: the
    county whose settings a county administrator keeps, whose 12345 orders a dispatcher imports.
    The first by path if there are several. None when there is none, or — given `refuse`, a
    (code, Chinese message) pair — Forbidden with that code and message."""
    paths = sorted(p.path for p in reach_of(user).posts if p.path and p.roles & roles)
    county = Area.objects.filter(path=county_path(paths[0]), level=Area.Level.COUNTY).first() if paths else None
    if county is None and refuse is not None:
        raise Forbidden(*refuse)
    return county
