"""Which area a position falls in: walk down the tree from a root, testing boundaries."""

from . import geo
from .models import Area


def locate(lng: float, lat: float, within: Area) -> Area | None:
    """The deepest area under `within` (itself included) whose boundary contains the point, or
    None when the point is outside `within`. Areas without a boundary are not entered."""
    if within.boundary and not geo.contains_point(within.boundary, lng, lat):
        return None
    found = within
    while True:
        child = next(
            (c for c in Area.objects.filter(parent=found).exclude(boundary__isnull=True).only("id", "boundary", "path", "level", "name", "parent_id", "code")
             if geo.contains_point(c.boundary, lng, lat)),
            None,
        )
        if child is None:
            return found
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
