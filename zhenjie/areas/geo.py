"""Small geometry over GeoJSON polygons, in longitude/latitude degrees.

Enough for what the platform asks of a map: is this point inside that area, where to put a label,
what box to zoom to. No GIS library is needed for polygons of a county's size.
"""

from collections.abc import Iterable

Point = tuple[float, float]


def polygons_of(geometry: dict | None) -> list[list[list[Point]]]:
    """Each polygon as a list of rings (outer ring first) for a Polygon or MultiPolygon."""
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _in_ring(lng: float, lat: float, ring: Iterable[Point]) -> bool:
    inside = False
    points = list(ring)
    j = len(points) - 1
    for i, (xi, yi) in enumerate(points):
        xj, yj = points[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains_point(geometry: dict | None, lng: float, lat: float) -> bool:
    for rings in polygons_of(geometry):
        if rings and _in_ring(lng, lat, rings[0]) and not any(_in_ring(lng, lat, hole) for hole in rings[1:]):
            return True
    return False


def centroid(geometry: dict | None) -> Point | None:
    """Area-weighted centroid of the outer rings (shoelace formula)."""
    total_area = cx = cy = 0.0
    for rings in polygons_of(geometry):
        ring = rings[0]
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            cross = x0 * y1 - x1 * y0
            total_area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if not total_area:
        return None
    return (cx / (3 * total_area), cy / (3 * total_area))


def bounds(geometries: Iterable[dict | None]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of all the given geometries."""
    xs, ys = [], []
    for geometry in geometries:
        for rings in polygons_of(geometry):
            for x, y in rings[0]:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def random_point_in(geometry: dict, rng, spread: float = 0.015) -> Point:
    """A point inside the geometry near its centre, rounded to a phone's GPS (demo data)."""
    cx, cy = centroid(geometry)
    for _ in range(50):
        lng, lat = cx + rng.uniform(-spread, spread), cy + rng.uniform(-spread, spread)
        if contains_point(geometry, lng, lat):
            return round(lng, 6), round(lat, 6)
    return round(cx, 6), round(cy, 6)
