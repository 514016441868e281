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
