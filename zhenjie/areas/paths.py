"""The levels of the one tree, read off a materialised path. The only place that slices a path:
everywhere else asks for "the township of this path" by name, so a change of code lengths (or a
reader wondering what `[:9]` meant) has one module to look at.

A path shorter than the level asked for is returned whole: the township path of a county is the
county's own path, as a prefix filter on it then still means "within"."""

from .models import PATH_LENGTH, Area


def path_at(path: str, level: str) -> str:
    """The path of the area at `level` ("county", "township", "village", "grid") above `path`."""
    return path[: PATH_LENGTH[level]]


def county_path(path: str) -> str:
    return path_at(path, Area.Level.COUNTY)


def township_path(path: str) -> str:
    return path_at(path, Area.Level.TOWNSHIP)


def village_path(path: str) -> str:
    return path_at(path, Area.Level.VILLAGE)


def reaches_level(path: str, level: str) -> bool:
    """Whether the area of `path` lies at `level` or deeper (a village path reaches "township")."""
    return len(path) >= PATH_LENGTH[level]


def is_grid_path(path: str) -> bool:
    return reaches_level(path, Area.Level.GRID)


def ancestor_paths(path: str) -> list[str]:
    """The paths of the area and every area above it, county first."""
    return [path[:length] for length in sorted(PATH_LENGTH.values()) if length <= len(path)]


def county_of(area: Area) -> Area:
    """The county the area lies in (the area itself for a county); one query."""
    return Area.objects.get(path=county_path(area.path))


def township_of(area: Area) -> Area:
    """The township or subdistrict the area lies in (itself for a township); one query. Not for a
    county, which lies in no township."""
    if not reaches_level(area.path, Area.Level.TOWNSHIP):
        raise ValueError(f"{area.name} is above the township level")
    return Area.objects.get(path=township_path(area.path))
