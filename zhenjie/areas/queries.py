from django.db.models import Q, QuerySet

from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of, visible_areas

from .models import Area, AreaChange


def areas_for(user) -> QuerySet[Area]:
    return visible_areas(user).select_related("parent")


def get_area_for(user, pk) -> Area:
    return get_visible_or_404(areas_for(user), "area.not_found", "区划不存在或不在您的辖区内", pk=pk)


def jurisdiction_roots_for(user) -> QuerySet[Area]:
    """The top areas of the user's jurisdiction (one per root path)."""
    return Area.objects.filter(path__in=reach_of(user).paths).order_by("path")


def children_for(user, area: Area | None) -> QuerySet[Area]:
    """Live children of an area the user may see (today's tree), or their jurisdiction roots when
    no area is given."""
    if area is None:
        return jurisdiction_roots_for(user)
    return areas_for(user).live().filter(parent=area).order_by("sort_order", "path")


def retired_children_for(user, area: Area | None) -> QuerySet[Area]:
    """Children retired by an area change (区划调整), for the area page's history."""
    if area is None:
        return Area.objects.none()
    return areas_for(user).filter(parent=area, retired_on__isnull=False).select_related("successor").order_by("-retired_on", "path")


def area_changes_for(user) -> QuerySet[AreaChange]:
    """Area changes that touched an area in the user's reach — the area changed, the village or
    township it went to, or the node it became: a village moved out of a township stays in that
    township's history, and the new township reads where its village came from."""
    reached = areas_for(user).values("pk")
    return AreaChange.objects.filter(Q(area__in=reached) | Q(target__in=reached) | Q(result__in=reached)).select_related(
        "area", "target", "result", "created_by"
    )


def changes_of(user, area: Area) -> QuerySet[AreaChange]:
    """The changes that touched `area`: as the area changed, the village merged into, or the result."""
    return area_changes_for(user).filter(Q(area=area) | Q(target=area) | Q(result=area)).order_by("-effective_on", "-pk")


def feature_collection(areas) -> dict:
    """GeoJSON for the map: one feature per area that has a boundary."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": area.pk,
                "geometry": area.boundary,
                "properties": {"id": area.pk, "name": area.name, "code": area.code, "level": area.level},
            }
            for area in areas
            if area.boundary
        ],
    }


def boundary_history(grid: Area):
    """The boundaries a grid has had, newest first (areas.GridBoundary). The caller has already
    reached the grid through a scoped query (grid.queries.get_grid_for)."""
    from django.db.models import F

    from .models import GridBoundary

    return GridBoundary.objects.filter(grid=grid).select_related("recorded_by").order_by(F("valid_until").desc(nulls_first=True), "-pk")

def changeable_areas_for(user, roles: frozenset[str]) -> QuerySet[Area]:
    """Live townships and villages where the user holds one of `roles` (the area-change page's
    pickers; areas.changes checks the same again)."""
    roots = reach_of(user).roots_with(roles)
    return (
        Area.objects.live().filter(paths_q(roots), level__in=[Area.Level.TOWNSHIP, Area.Level.VILLAGE])
        .select_related("parent").order_by("path")
    )
