"""Jurisdiction: the one place that decides what a user may see. See SCOPING.md beside this file.

A staff user reaches (1) the area subtrees of their active posts' jurisdictions and (2) every
case on which one of their units holds or held an assignment. Every list, detail, API endpoint,
export, count and dashboard reads through the functions here; a read that truly needs every row
(commands, demo data, benchmarks) says so with a name ending in `_unscoped`."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhenjie.accounts.roles import SEPARATED_ADMIN_ROLES, RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.units.models import Unit

from .errors import Forbidden
from .models import Assignment, Case


@dataclass(frozen=True)
class PostReach:
    post_id: int
    unit_id: int
    path: str | None  # jurisdiction root, None for posts that act only on what is sent to them
    roles: frozenset[str]


@dataclass(frozen=True)
class Reach:
    user_id: int | None
    posts: tuple[PostReach, ...]

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(p.unit_id for p in self.posts)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*(p.roles for p in self.posts)) if self.posts else frozenset()

    @property
    def paths(self) -> tuple[str, ...]:
        """Jurisdiction roots for casework, nested ones dropped (a county covers its townships).

        Posts that only administer the system (三权分立 roles) do not open cases to their holder:
        a system administrator manages people in the county without reading its petitions."""
        return _roots(p.path for p in self.posts if p.path and p.roles - SEPARATED_ADMIN_ROLES)

    @property
    def admin_paths(self) -> tuple[str, ...]:
        """Jurisdiction roots of the system, security and audit administration posts."""
        return _roots(p.path for p in self.posts if p.path and p.roles & SEPARATED_ADMIN_ROLES)

    def covers(self, area: Area) -> bool:
        return any(area.path.startswith(root) for root in self.paths)

    def roles_in(self, area: Area) -> frozenset[str]:
        """Roles the user holds through posts whose jurisdiction contains `area`."""
        return frozenset().union(*(p.roles for p in self.posts if p.path and area.path.startswith(p.path)))

    def roles_in_unit(self, unit_id: int) -> frozenset[str]:
        return frozenset().union(*(p.roles for p in self.posts if p.unit_id == unit_id))


def _roots(paths) -> tuple[str, ...]:
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(roots)


NO_REACH = Reach(user_id=None, posts=())


def reach_of(user) -> Reach:
    """What the user reaches, read once per request (one query) and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_REACH
    cached = getattr(user, "_zhenjie_reach", None)
    if cached is not None:
        return cached
    from zhenjie.accounts.models import Post

    rows = Post.objects.filter(user=user, is_active=True, unit__is_active=True).values_list(
        "id", "unit_id", "jurisdiction__path", "roles__code"
    )
    posts: dict[int, tuple[int, str | None, set[str]]] = {}
    for post_id, unit_id, path, role in rows:
        entry = posts.setdefault(post_id, (unit_id, path, set()))
        if role:
            entry[2].add(role)
    reach = Reach(
        user_id=user.pk,
        posts=tuple(PostReach(pid, unit_id, path, frozenset(roles)) for pid, (unit_id, path, roles) in sorted(posts.items())),
    )
    user._zhenjie_reach = reach
    return reach


def forget_reach(user) -> None:
    if hasattr(user, "_zhenjie_reach"):
        del user._zhenjie_reach


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


def _visibility(reach: Reach) -> Q:
    """The rule on a case: in the jurisdiction's areas, or sent to one of the user's units."""
    # EXISTS per case, not `pk IN (every case ever sent to the units)`: a township's command
    # centre is sent nearly every event of its township, and at a million events PostgreSQL
    # cannot hash that list in work_mem and rescans it for each case (bench/events.py).
    sent_to_my_units = Q(Exists(Assignment.objects.filter(case_id=OuterRef("pk"), unit_id__in=reach.unit_ids)))
    if not reach.paths:
        return sent_to_my_units
    return Q(area__in=Area.objects.filter(paths_q(reach.paths)).values("pk")) | sent_to_my_units


def visible_cases(user) -> QuerySet[Case]:
    reach = reach_of(user)
    if not reach.posts:
        return Case.objects.none()
    return Case.objects.filter(_visibility(reach))


def case_is_visible(user, case_field: str = "case_id") -> Exists:
    """For rows that carry a case (events, calls, tasks): EXISTS a visible case with their key.

    Checked per row, so a list walks its own order's index and stops at the page. Not
    `case__in=visible_cases(user)`: SQLite then builds every visible case first (2.4 s for a
    township at a million events); nor the rule applied to the joined case row: its assignment
    test then refers to the row's `case_id`, and PostgreSQL hashes every event before it can
    count (bench/events.py, docs/PERFORMANCE.md)."""
    return Exists(visible_cases(user).filter(pk=OuterRef(case_field)))


def can_see_case(user, case: Case) -> bool:
    reach = reach_of(user)
    if reach.covers(case.area):
        return True
    return bool(reach.unit_ids) and Assignment.objects.filter(case=case, unit_id__in=reach.unit_ids).exists()


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
