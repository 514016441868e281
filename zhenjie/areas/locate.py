"""Which area a position falls in: walk down the tree from a root, testing boundaries."""

from . import geo
from .models import Area

FIELDS = ("id", "boundary", "path", "level", "name", "parent_id", "code", "retired_on", "successor_id")


def locate(lng: float, lat: float, within: Area) -> Area | None:
    """The deepest live area under `within` (itself included) whose boundary contains the point,
    or None when the point is outside `within`. Areas without a boundary are not entered.

    Only today's tree answers. A retired area (区划调整, areas/changes.py) is looked at only when
    no live child holds the point: its territory now belongs to its successor, which may hang
    under another township — then the point lies outside `within` and the answer is None (the
    caller tries its next root, or says the place is outside)."""
    if within.boundary and not geo.contains_point(within.boundary, lng, lat):
        return None
    found = within
    while True:
        if found.level == Area.Level.GRID:
            return found  # the deepest level (actions.create_area): nothing to look for under a grid
        children = list(Area.objects.filter(parent=found).exclude(boundary__isnull=True).only(*FIELDS))
        child = next((c for c in children if c.retired_on is None and geo.contains_point(c.boundary, lng, lat)), None)
        if child is None:
            retired = next((c for c in children if c.retired_on is not None and geo.contains_point(c.boundary, lng, lat)), None)
            if retired is None:
                return found
            child = _live_successor(retired)
            if child is None or not child.path.startswith(within.path):
                return None
        found = child


def boundary_on(grid: Area, when) -> dict | None:
    """The boundary the grid had at `when`: from its history (areas.GridBoundary) when kept,
    else its current one."""
    from django.db.models import Q

    from .models import GridBoundary

    rows = GridBoundary.objects.filter(grid=grid).filter(Q(valid_from__isnull=True) | Q(valid_from__lte=when)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=when)
    )
    row = rows.order_by("-valid_from").first()
    if row is not None:
        return row.boundary
    if GridBoundary.objects.filter(grid=grid).exists():
        return None  # the grid had not been drawn yet
    return grid.boundary


def locate_on(lng: float, lat: float, within: Area, when) -> Area | None:
    """locate() as the grids were drawn at `when`: villages and above by today's boundaries
    (their changes are 区划调整, which keep their own dates), grids by the boundary of that day."""
    found = locate(lng, lat, within)
    if found is None:
        return None
    village = found.parent if found.level == Area.Level.GRID else found
    if village.level != Area.Level.VILLAGE:
        return found
    for grid in Area.objects.filter(parent=village, level=Area.Level.GRID).order_by("path"):
        if geo.contains_point(boundary_on(grid, when), lng, lat):
            return grid
    return village

def _live_successor(area: Area) -> Area | None:
    seen = set()
    while area is not None and area.retired_on is not None and area.pk not in seen:
        seen.add(area.pk)
        area = Area.objects.filter(pk=area.successor_id).only(*FIELDS).first() if area.successor_id else None
    return area
