"""Positions sent by phones: are they real coordinates, and are they in the grid?

A phone's GPS is off by 5–20 m in the open and by more between buildings, so a house on the
grid's boundary road may read a little outside it. A position counts as "in the grid" when it
lies inside the polygon or within TOLERANCE_M of its edge; anything further is refused, so a
visit or a patrol cannot be recorded from the next village or from the office."""

import math

from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Rejected

TOLERANCE_M = 100
_M_PER_DEGREE_LAT = 110_574.0
_M_PER_DEGREE_LNG_AT_EQUATOR = 111_320.0


def _valid_number(value, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and low <= value <= high


def check_pair(lng, lat, field: str = "position") -> tuple[float, float] | None:
    """Both or neither: a longitude without a latitude is a broken reading."""
    if lng is None and lat is None:
        return None
    if lng is None or lat is None:
        raise Rejected("position.incomplete", "位置须同时包含经度和纬度", field=field)
    if not _valid_number(lng, -180, 180) or not _valid_number(lat, -90, 90):
        raise Rejected("position.invalid", "位置坐标无效：经度应在-180至180之间，纬度应在-90至90之间", field=field)
    return float(lng), float(lat)


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), good to a metre at a county's scale."""
    lng1, lat1, lng2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _distance_to_segment_m(point, start, end) -> float:
    # Local flat projection around the point: fine for the few hundred metres that matter here.
    scale_x = _M_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(point[1]))
    px, py = 0.0, 0.0
    ax, ay = (start[0] - point[0]) * scale_x, (start[1] - point[1]) * _M_PER_DEGREE_LAT
    bx, by = (end[0] - point[0]) * scale_x, (end[1] - point[1]) * _M_PER_DEGREE_LAT
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(ax + t * dx - px, ay + t * dy - py)


def distance_outside_m(boundary: dict | None, lng: float, lat: float) -> float:
    """0 inside the polygon, else the distance to its nearest edge in metres."""
    if geo.contains_point(boundary, lng, lat):
        return 0.0
    best = math.inf
    for rings in geo.polygons_of(boundary):
        for ring in rings:
            for start, end in zip(ring, ring[1:]):
                best = min(best, _distance_to_segment_m((lng, lat), start, end))
    return best


def require_in_grid(grid: Area, lng: float, lat: float, field: str = "position", what: str = "位置") -> None:
    """Rejected unless the position is in the grid (with the tolerance above). A grid without a
    boundary cannot be checked and accepts any position."""
    if not grid.boundary:
        return
    outside = distance_outside_m(grid.boundary, lng, lat)
    if outside > TOLERANCE_M:
        raise Rejected(
            "position.outside_grid",
            f"{what}不在「{grid.name}」范围内(距网格边界约{_rounded(outside)})，请到网格内再记录",
            field=field,
        )


def _rounded(metres: float) -> str:
    if metres >= 1000:
        return f"{metres / 1000:.1f}公里"
    return f"{int(round(metres, -1))}米"


def line_string(points: list[tuple[float, float]]) -> dict | None:
    """GeoJSON LineString of the track; a single point is drawn as a point, so it needs two."""
    if len(points) < 2:
        return None
    return {"type": "LineString", "coordinates": [[round(lng, 6), round(lat, 6)] for lng, lat in points]}


def track_length_m(points: list[tuple[float, float]]) -> float:
    return sum(metres_between(a, b) for a, b in zip(points, points[1:]))
