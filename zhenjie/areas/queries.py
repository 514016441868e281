from django.db.models import QuerySet

from zhenjie.kernel.scoping import get_visible_or_404, reach_of, visible_areas

from .models import Area


def areas_for(user) -> QuerySet[Area]:
    return visible_areas(user).select_related("parent")


def get_area_for(user, pk) -> Area:
    return get_visible_or_404(areas_for(user), "area.not_found", "区划不存在或不在您的辖区内", pk=pk)


def jurisdiction_roots_for(user) -> QuerySet[Area]:
    """The top areas of the user's jurisdiction (one per root path)."""
    return Area.objects.filter(path__in=reach_of(user).paths).order_by("path")


def children_for(user, area: Area | None) -> QuerySet[Area]:
    """Children of an area the user may see, or their jurisdiction roots when no area is given."""
    if area is None:
        return jurisdiction_roots_for(user)
    return areas_for(user).filter(parent=area).order_by("sort_order", "path")


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
