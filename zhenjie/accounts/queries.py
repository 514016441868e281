from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Coverage, Post, Role, User
from .roles import LENDABLE_ROLES, SEPARATED_ADMIN_ROLES, RoleCode


def my_posts(user) -> QuerySet[Post]:
    return (
        Post.objects.filter(user=user, is_active=True)
        .select_related("unit", "unit__area", "jurisdiction")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("code")))
        .order_by("pk")
    )


def grid_workers_of(grid, limit: int = 3) -> list[Post]:
    """Who answers for a grid now, as the grid-worker post each acts through (user and unit
    selected): its lead worker (责任网格员, seed 004 §三 定人定岗定责); without one, the other
    workers covering it; without any, the grid workers whose post is on the grid itself.
    A worker without an active grid-worker post in an active unit answers for nothing."""
    from .roles import RoleCode

    posts = (
        Post.objects.filter(is_active=True, unit__is_active=True, user__is_active=True, roles__code=RoleCode.GRID_WORKER)
        .select_related("user", "unit")
        .order_by("pk")
    )
    stints = list(Coverage.objects.filter(grid=grid, ended_at__isnull=True).order_by("-is_lead", "started_at", "pk").values_list("worker_id", "is_lead"))
    if stints:
        by_worker: dict[int, Post] = {}
        for post in posts.filter(user_id__in=[worker for worker, _ in stints]):
            by_worker.setdefault(post.user_id, post)
        covering = [(by_worker[worker], is_lead) for worker, is_lead in stints if worker in by_worker]
        leads = [post for post, is_lead in covering if is_lead]
        if leads or covering:
            return leads[:1] or [post for post, _ in covering[:limit]]
    on_the_grid: dict[int, Post] = {}
    for post in posts.filter(jurisdiction=grid):
        on_the_grid.setdefault(post.user_id, post)
    return list(on_the_grid.values())[:limit]


def _active_posts(roles=None) -> QuerySet[Post]:
    posts = Post.objects.filter(user=OuterRef("pk"), is_active=True)
    return posts.filter(roles__code__in=roles) if roles else posts


def people_administered_by(admin, role: str) -> QuerySet[User]:
    """Staff an administrator looks after (三权分立, 等保 8.1.4.2 d): those with an active post in
    the administrator's jurisdiction and people without any post yet. A system administrator sees
    the business side only (no holder of an administrator role); a security administrator the
    holders of the three administrator roles only. Neither lists themself."""
    from zhenjie.kernel.scoping import paths_q

    from .actions import administered_roots

    roots = administered_roots(admin, role)
    if not roots:
        return User.objects.none()
    in_reach = Post.objects.filter(user=OuterRef("pk"), is_active=True).filter(paths_q(roots, "unit__area__path"))
    admins = Exists(_active_posts(SEPARATED_ADMIN_ROLES))
    people = User.objects.filter(kind=User.Kind.STAFF).exclude(pk=admin.pk)
    people = people.filter(Exists(in_reach) | ~Exists(_active_posts()))
    if role == RoleCode.SECURITY_ADMIN:
        return people.filter(admins | ~Exists(_active_posts()))
    return people.exclude(admins)


def active_posts_prefetch() -> Prefetch:
    return Prefetch(
        "posts",
        queryset=Post.objects.filter(is_active=True).select_related("unit", "jurisdiction").prefetch_related(
            Prefetch("roles", queryset=Role.objects.order_by("code"))
        ),
        to_attr="active_posts",
    )


# ---- 人员变动 (issue 13 item 3) ---------------------------------------------------------------


def post_history(person) -> QuerySet[Post]:
    """Every post the person held or holds, current first, then by when it ended (newest first)."""
    from django.db.models import F

    return (
        Post.objects.filter(user=person)
        .select_related("unit", "jurisdiction", "ended_by", "granted_by")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("code")))
        .order_by("-is_active", F("ended_on").desc(nulls_last=True), "-started_on", "-pk")
    )


def stand_in_periods(person) -> QuerySet:
    """AB岗 periods in which the person is away or stands in, newest first."""
    from django.db.models import Q

    from .models import StandIn

    return (
        StandIn.objects.filter(Q(absent=person) | Q(stand_in=person))
        .select_related("absent", "stand_in", "created_by")
        .order_by("-starts_on", "-pk")
    )


def standing_in_for_today(user) -> list:
    """The people the user stands in for today (AB岗), for the inbox's notice; the reach already
    knows their ids, so nobody without a period pays a query."""
    from zhenjie.kernel.scoping import reach_of

    ids = reach_of(user).stands_for
    if not ids:
        return []
    from django.utils import timezone

    from .models import StandIn

    today = timezone.localdate()
    return list(
        StandIn.objects.filter(stand_in=user, absent_id__in=sorted(ids), cancelled_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("absent").order_by("ends_on")
    )


def handover_colleagues(leaver) -> QuerySet[User]:
    """Whom a leaver's work may go to: active staff with an active post in a unit where the leaver
    holds a post or open work (accounts.actions.hand_over decides, post by post)."""
    from zhenjie.kernel.models import Assignment

    units = set(Post.objects.filter(user=leaver, is_active=True).values_list("unit_id", flat=True))
    units |= set(Assignment.objects.filter(user=leaver, state=Assignment.State.OPEN).values_list("unit_id", flat=True))
    return (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, posts__is_active=True, posts__unit_id__in=sorted(units))
        .exclude(pk=leaver.pk).distinct().order_by("full_name", "username")
    )


def stand_in_candidates(absent) -> QuerySet[User]:
    """Who may stand in for `absent`: active staff with a post in one of their units, or whose
    post's jurisdiction holds one of those units' areas (accounts.actions._works_with decides)."""
    from django.db.models import Q

    from zhenjie.areas.paths import ancestor_paths

    rows = list(Post.objects.filter(user=absent, is_active=True).values_list("unit_id", "unit__area__path"))
    if not rows:
        return User.objects.none()
    roots = sorted({p for _, path in rows for p in ancestor_paths(path)})
    return (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, posts__is_active=True, posts__roles__code__in=LENDABLE_ROLES)
        .filter(Q(posts__unit_id__in=sorted({u for u, _ in rows})) | Q(posts__jurisdiction__path__in=roots))
        .exclude(pk=absent.pk)
        .exclude(posts__is_active=True, posts__roles__code__in=SEPARATED_ADMIN_ROLES)
        .distinct().order_by("full_name", "username")
    )
