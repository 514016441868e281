from django.db.models import Prefetch, QuerySet

from .models import Coverage, Post, Role


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
