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


def _live_successor(area: Area) -> Area | None:
    seen = set()
    while area is not None and area.retired_on is not None and area.pk not in seen:
        seen.add(area.pk)
        area = Area.objects.filter(pk=area.successor_id).only(*FIELDS).first() if area.successor_id else None
    return area
