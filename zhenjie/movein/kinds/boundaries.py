"""The division tree's boundaries (区划边界): the county's, townships' and villages' polygons from
the county's GIS, GeoJSON or a zipped Shapefile — loaded after the division file and before the
grids (a grid is checked against its village's polygon, and a report is placed by position only
below an area that has one).

Reading and checking are areas/division_boundaries.py; writing is areas.actions.draw_divisions.
Nothing is ever removed: an area the file does not draw keeps the polygon it has. The preview
draws the file on the grids' preview map. Export writes GeoJSON in the same layout.
"""

import json

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas import actions as area_actions
from zhenjie.areas.boundaries import MAX_FILE_BYTES
from zhenjie.areas.division_boundaries import DRAWN_LEVELS, FIELD_LABELS, plan_division_boundaries
from zhenjie.areas.models import Area
from zhenjie.kernel.scoping import paths_q

from .base import CellError, Change, Column, FieldChange, ImportKind, Plan, Row, Scope

GEOJSON = "application/geo+json"


class BoundariesKind(ImportKind):
    code = "boundaries"
    label = "区划边界"
    role = RoleCode.COUNTY_ADMIN
    accepts = (".geojson", ".json", ".zip")
    max_bytes = MAX_FILE_BYTES  # areas/boundaries.py: GIS files run larger than spreadsheets
    preview_template = "areas/_grid_preview.html"
    description = ("县、乡镇(街道)、村(社区)的边界，从 GIS 导出：GeoJSON(经纬度)，或将 .shp、.shx、.dbf、.prj 打包成的 zip"
                   "(投影坐标按 .prj 换算为经纬度)。每个区划一个面要素，属性为区划代码(QHDM，12位)，可附区划名称(QHMC)。"
                   "须先导入区划；按位置定位上报事件、核对网格是否在村内，都要用到这些边界。")
    removal_label = "区划边界不会被删除"
    columns = (
        Column("code", "区划代码", required=True, note="12位(县6位、乡镇9位亦可)；须已在区划树中；Shapefile 字段名可用 QHDM"),
        Column("name", "区划名称", note="可省略；与区划树不同时以区划树为准"),
        Column("geometry", "边界", required=True, note="面(Polygon/MultiPolygon)；GeoJSON 为经纬度，Shapefile 附 .prj 坐标系"),
    )
    example = {"code": "330105101000", "name": "示例镇"}

    def read(self, content: bytes, name: str) -> tuple[list[Row], list[CellError]]:
        # Matching the features to the tree needs the database and the scope: plan() reads the file.
        return [Row(0, {"content": content, "name": name})], []

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        file = rows[0].values
        drawing = plan_division_boundaries(file["content"], file["name"], scope.county, roots=scope.roots)
        plan = Plan(self.code, notes=list(drawing.notes),
                    extra={"drawing": drawing, "map": drawing.map_features(), "crs": drawing.crs_name, "source": drawing.source})
        plan.errors = [CellError(p.feature or 0, FIELD_LABELS.get(p.field, p.field) if p.feature else "", p.reason) for p in drawing.problems]
        if plan.errors:
            return plan
        for item in drawing.items:
            if item.status == "changed":
                plan.changed.append(Change(item.area.code, f"{item.area.name}({item.area.code})", item.number, [FieldChange("边界", item.old, item.new)]))
        return plan

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        area_actions.draw_divisions(scope.actor, plan.extra["drawing"])

    def _drawn(self, scope: Scope):
        return Area.objects.live().filter(paths_q(scope.roots), level__in=DRAWN_LEVELS).exclude(boundary__isnull=True).order_by("path")

    def export_rows(self, scope: Scope):
        for area in self._drawn(scope):
            yield {"code": area.code, "name": area.name, "geometry": area.boundary}

    def export_file(self, scope: Scope) -> tuple[bytes, str, str]:
        collection = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"区划代码": row["code"], "区划名称": row["name"]}, "geometry": row["geometry"]}
                         for row in self.export_rows(scope)],
        }
        return json.dumps(collection, ensure_ascii=False, indent=1).encode(), f"{self.label}.geojson", GEOJSON

    def template_file(self) -> tuple[bytes, str, str]:
        ring = [[120.1, 30.2], [120.2, 30.2], [120.2, 30.3], [120.1, 30.3], [120.1, 30.2]]
        example = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"区划代码": self.example["code"], "区划名称": self.example["name"]},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }]}
        return json.dumps(example, ensure_ascii=False, indent=1).encode(), f"{self.label}导入模板.geojson", GEOJSON
