from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Coverage, Post, Role, User
from .roles import SEPARATED_ADMIN_ROLES, RoleCode


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
