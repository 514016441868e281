"""Which grids a person may see and work in: the one scoping rule for every grid list, count,
export, map and API endpoint, built on kernel.scoping.reach_of.

A person reaches a grid through (1) a post whose jurisdiction contains it and whose roles include
a grid role below, or (2) as a grid worker, a current coverage row (a township leader or dispatcher
put them on that grid). Registers hold personal data, so only the roles that work with them read
them: a window clerk, an enforcement officer or a department liaison of the same township sees
none of it (least privilege, 个人信息保护法 第六条 "限于实现处理目的的最小范围")."""

from django.db.models import Q, QuerySet

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Forbidden, NotFound
from zhenjie.kernel.scoping import Reach, paths_q, reach_of

# Who reads the grid's registers, ledgers, visits and patrols.
READERS = frozenset({R.GRID_WORKER, R.DISPATCHER, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})
# Who records in them (county administrators read and set the rules; they do not fill ledgers).
EDITORS = frozenset({R.GRID_WORKER, R.DISPATCHER, R.TOWNSHIP_LEADER})
# Who decides which worker covers which grid (定人定岗, seed 004 §三).
MANAGERS = frozenset({R.DISPATCHER, R.TOWNSHIP_LEADER})


def roots_with(reach: Reach, roles: frozenset[str]) -> tuple[str, ...]:
    """Jurisdiction roots of the posts holding any of `roles`, nested ones dropped."""
    roots: list[str] = []
    for path in sorted({p.path for p in reach.posts if p.path and p.roles & roles}):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(roots)


def _covered(user):
    from zhenjie.accounts.models import Coverage

    return Coverage.objects.filter(worker_id=user.pk, ended_at__isnull=True).values("grid_id")


def grids_for(user, roles: frozenset[str] = READERS) -> QuerySet[Area]:
    """Grids the user reaches with one of `roles`; no query is run until the caller's own."""
    reach = reach_of(user)
    if not reach.posts:
        return Area.objects.none()
    condition = paths_q(roots_with(reach, roles))
    if R.GRID_WORKER in roles and R.GRID_WORKER in reach.roles:
        condition |= Q(pk__in=_covered(user))
    return Area.objects.filter(condition, level=Area.Level.GRID)


def grid_ids_for(user, roles: frozenset[str] = READERS):
    """A subquery of grid ids, for `grid__in=` filters on every grid table."""
    return grids_for(user, roles).values("pk")


def roles_in_grid(user, grid: Area) -> frozenset[str]:
    """The user's roles that apply in this grid (covering a grid makes one its grid worker)."""
    reach = reach_of(user)
    roles = set(reach.roles_in(grid))
    if R.GRID_WORKER in reach.roles and R.GRID_WORKER not in roles:
        from zhenjie.accounts.models import Coverage

        if Coverage.objects.filter(worker_id=user.pk, grid=grid, ended_at__isnull=True).exists():
            roles.add(R.GRID_WORKER)
    return frozenset(roles)


def require_grid(actor, grid: Area, roles: frozenset[str], doing: str) -> frozenset[str]:
    """NotFound when the grid is outside the actor's reach, Forbidden when they see it but may not
    do this in it; returns the actor's roles there."""
    if grid is None or grid.level != Area.Level.GRID:
        raise NotFound("grid.not_found", "网格不存在或不在您的辖区内", field="grid")
    held = roles_in_grid(actor, grid)
    if not held & READERS:
        raise NotFound("grid.not_found", "网格不存在或不在您的辖区内", field="grid")
    if not held & roles:
        raise Forbidden("grid.not_allowed", f"您在该网格没有{doing}的权限")
    return held


def township_path(grid: Area) -> str:
    return grid.path[:9]
