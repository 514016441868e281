"""What the analysis pages and the command screen are filtered by, parsed from the query string.

Bad values never fail a page: an unknown period falls back to the default and says so; an area
outside the jurisdiction answers 404 like a missing one (kernel scoping); a malformed map
viewport is ignored and the whole jurisdiction is shown."""

from dataclasses import dataclass

from zhenjie.areas import queries as area_queries
from zhenjie.areas.models import Area
from zhenjie.events.analysis import Box, Period

WEEKS_CHOICES = {4: "近4周", 12: "近12周", 26: "近半年", 52: "近一年"}
WEEKS_DEFAULT = 12
REFRESH_DEFAULT = 30  # seconds between two polls of the command screen
REFRESH_MIN, REFRESH_MAX = 2, 600


@dataclass(frozen=True)
class AnalysisFilter:
    weeks: int
    period: Period
    area: Area | None
    message: str = ""

    def query(self) -> str:
        parts = [f"weeks={self.weeks}"]
        if self.area is not None:
            parts.append(f"area={self.area.pk}")
        return "&".join(parts)


def analysis_filter(request) -> AnalysisFilter:
    """?weeks= one of WEEKS_CHOICES, ?area= an area the user may see (NotFound otherwise)."""
    message = ""
    raw = request.GET.get("weeks", "")
    try:
        weeks = int(raw) if raw else WEEKS_DEFAULT
    except ValueError:
        weeks = 0
    if weeks not in WEEKS_CHOICES:
        message = f"统计周期「{raw[:20]}」无效，已按{WEEKS_CHOICES[WEEKS_DEFAULT]}统计"
        weeks = WEEKS_DEFAULT
    area = None
    if request.GET.get("area"):
        area = area_queries.get_area_for(request.user, request.GET["area"])
    return AnalysisFilter(weeks=weeks, period=Period.last_weeks(weeks), area=area, message=message)


def map_box(request) -> Box | None:
    """?bbox=west,south,east,north in degrees (Leaflet's toBBoxString order)."""
    raw = request.GET.get("bbox", "")
    if not raw:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(",", 3))
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return Box(west, south, east, north)


def refresh_seconds(request) -> int:
    try:
        seconds = int(request.GET.get("refresh", REFRESH_DEFAULT))
    except ValueError:
        return REFRESH_DEFAULT
    return min(max(seconds, REFRESH_MIN), REFRESH_MAX)
