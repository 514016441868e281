"""Which grids a person may see and work in: the one scoping rule for every grid list, count,
export, map and API endpoint. It is kernel.scoping's reach, read for grid roles: a grid lies in
reach where the person holds a grid role below — through a post whose jurisdiction contains it,
or, for a grid worker, by covering it now (a township leader or dispatcher put them on that grid;
Reach.grants). Registers hold personal data, so only the roles that work with them read them: a
window clerk, an enforcement officer or a department liaison of the same township sees none of it
(least privilege, 个人信息保护法 第六条 "限于实现处理目的的最小范围")."""

from django.db.models import QuerySet

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Forbidden, NotFound
from zhenjie.kernel.scoping import paths_q, reach_of

# Who reads the grid's registers, ledgers, visits and patrols.
READERS = frozenset({R.GRID_WORKER, R.DISPATCHER, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})
# Who records in them (county administrators read and set the rules; they do not fill ledgers).
EDITORS = frozenset({R.GRID_WORKER, R.DISPATCHER, R.TOWNSHIP_LEADER})
# Who may read a resident's full ID number (actions.reveal_resident, journaled) — and so the birth
# date, which is its middle eight digits: beside the masked number (first 6 and last 4) the birth
# date rebuilds the whole, so nobody else is shown it (个人信息保护法 第五十一条; issue 12 item 3).
REVEALERS = EDITORS
# Who decides which worker covers which grid (定人定岗, seed 004 §三).
MANAGERS = frozenset({R.DISPATCHER, R.TOWNSHIP_LEADER})


def grids_for(user, roles: frozenset[str] = READERS) -> QuerySet[Area]:
    """Grids the user reaches with one of `roles`; no query is run until the caller's own."""
    roots = reach_of(user).roots_with(roles)
    if not roots:
        return Area.objects.none()
    return Area.objects.filter(paths_q(roots), level=Area.Level.GRID)


def grid_ids_for(user, roles: frozenset[str] = READERS):
    """A subquery of grid ids, for `grid__in=` filters on every grid table."""
    return grids_for(user, roles).values("pk")


def roles_in_grid(user, grid: Area) -> frozenset[str]:
    """The user's roles that apply in this grid (covering a grid makes one its grid worker)."""
    return reach_of(user).roles_in(grid)


def may_reveal(user, grid: Area) -> bool:
    return bool(roles_in_grid(user, grid) & REVEALERS)


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
