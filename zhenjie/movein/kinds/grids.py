"""Grid boundaries (网格边界) from the county's GIS: GeoJSON or a zipped Shapefile.

Reading and checking are areas/boundaries.py (formats, field names, coordinate systems, repair,
the share inside the village, overlaps); writing is areas.actions.import_grids (new grids,
renames, redraws with their history kept). This kind fits them to the framework: features are
the rows (numbered as the GIS numbers them), every problem is a bad cell, a changed grid lists
its name and its boundary (area and largest shift), grids of the importer's villages that the
file does not name may be removed — only when ticked, and only those nothing refers to. The
preview draws the file over the villages (`areas/_grid_preview.html`). Export writes GeoJSON in
the same layout, so export → import plans no change.
"""

import json

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas import actions as area_actions
from zhenjie.areas.boundaries import FIELD_LABELS, MAX_FILE_BYTES, GridFile, grids_geojson, plan_grids, read_grid_file
from zhenjie.areas.models import Area
from zhenjie.kernel.scoping import paths_q

from .base import CellError, Change, Column, FieldChange, ImportKind, Plan, Row, Scope

GEOJSON = "application/geo+json"


class GridsKind(ImportKind):
    code = "grids"
    label = "网格边界"
    role = RoleCode.COUNTY_ADMIN
    accepts = (".geojson", ".json", ".zip")
    max_bytes = MAX_FILE_BYTES  # areas/boundaries.py: GIS files run larger than spreadsheets
    preview_template = "areas/_grid_preview.html"
    description = ("从 GIS(ArcGIS、QGIS、天地图)导出的网格边界：GeoJSON(经纬度)，或将 .shp、.shx、.dbf、.prj 打包成的 zip"
                   "(投影坐标如 CGCS2000 高斯-克吕格3度带会按 .prj 换算为经纬度)。每个网格一个面要素，属性为网格编码(WGBM)、"
                   "网格名称(WGMC)。网格须至少80%位于所属村(社区)之内；同村网格相互重叠会提示。")
    removal_label = "删除文件中没有、且未被任何人员、事项或登记引用的网格"
    columns = (
        Column("code", "网格编码", required=True, note="15位：所属村(社区)12位区划代码+3位序号；Shapefile 字段名可用 WGBM"),
        Column("name", "网格名称", required=True, note="不超过64字；Shapefile 字段名可用 WGMC"),
        Column("village_code", "村社区代码", note="可省略；填写时须与网格编码前12位一致；Shapefile 字段名可用 CSQDM"),
        Column("geometry", "边界", required=True, note="面(Polygon/MultiPolygon)；GeoJSON 为经纬度，Shapefile 附 .prj 坐标系"),
    )
    example = {"code": "330105101201001", "name": "示例村第1网格", "village_code": "330105101201"}

    # ---- reading: features are the rows ---------------------------------------------------------

    def read(self, content: bytes, name: str) -> tuple[list[Row], list[CellError]]:
        grid_file = read_grid_file(content, name)  # Rejected for a file that cannot be read at all
        rows = [Row(f.number, {"feature": f}) for f in grid_file.features]
        rows += [Row(p.feature or 0, {"problem": p}) for p in grid_file.problems]
        rows.sort(key=lambda r: r.number)
        # Problems ride along as rows so the plan can name them together with the ones only the
        # tree shows (no such village, mostly outside it): one report with every bad feature.
        return [Row(0, {"file": grid_file})] + rows, []

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        grid_file: GridFile = rows[0].values["file"]
        grid_plan = plan_grids(grid_file, scope.county, roots=scope.roots)
        plan = Plan(self.code, extra={"grid_plan": grid_plan, "map": grid_plan.map_features(), "crs": grid_plan.crs_name, "source": grid_plan.source})
        plan.errors = [CellError(p.feature or 0, FIELD_LABELS.get(p.field, p.field) if p.feature else "", p.reason) for p in grid_plan.problems]
        for planned in grid_plan.grids:
            f = planned.feature
            plan.notes += [f"第{f.number}个要素「{f.name}」：{warning}" for warning in planned.warnings]
            if planned.status == "new":
                plan.new.append(Change(f.code, f"{f.name}({f.code})", f.number, [FieldChange("网格名称", "", f.name), FieldChange("所属村(社区)", "", planned.village.name)]))
            elif planned.status == "changed":
                fields = []
                if planned.name_changed:
                    fields.append(FieldChange("网格名称", planned.grid.name, f.name))
                if planned.boundary_changed:
                    fields.append(FieldChange("边界", planned.boundary_old, planned.boundary_new))
                plan.changed.append(Change(f.code, f"{planned.grid.name}({f.code})", f.number, fields))
        for overlap in grid_plan.overlaps:
            plan.notes.append(f"网格重叠：「{overlap.first_name}」({overlap.first})与「{overlap.second_name}」({overlap.second})重叠约 {overlap.area_m2:,.0f} 平方米")
        if plan.errors:
            return plan
        for grid in grid_plan.absent:
            if not any(grid.path.startswith(root) for root in scope.roots):
                continue
            if found := area_actions.references_to(grid):
                plan.notes.append(f"{grid.name}({grid.code}) 不在文件中，但已被{'、'.join(found)}引用，不会删除")
                continue
            plan.removed.append(Change(grid.code, f"{grid.name}({grid.code})", None, [FieldChange("网格名称", grid.name, "")], payload=grid.pk))
        return plan

    # ---- writing ----------------------------------------------------------------------------------

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        area_actions.import_grids(scope.actor, plan.extra["grid_plan"])
        if remove:
            for change in plan.removed:
                area_actions.remove_area(scope.actor, Area.objects.get(pk=change.payload))

    # ---- reading out: GeoJSON in the same layout ----------------------------------------------------

    def _grids(self, scope: Scope):
        return Area.objects.filter(paths_q(scope.roots), level=Area.Level.GRID).order_by("path")

    def export_rows(self, scope: Scope):
        for feature in grids_geojson(self._grids(scope))["features"]:
            yield {"code": feature["properties"]["网格编码"], "name": feature["properties"]["网格名称"],
                   "village_code": feature["properties"]["村社区代码"], "geometry": feature["geometry"]}

    def export_file(self, scope: Scope) -> tuple[bytes, str, str]:
        content = json.dumps(grids_geojson(self._grids(scope)), ensure_ascii=False, indent=1).encode()
        return content, f"{self.label}.geojson", GEOJSON

    def template_file(self) -> tuple[bytes, str, str]:
        ring = [[120.1, 30.2], [120.11, 30.2], [120.11, 30.21], [120.1, 30.21], [120.1, 30.2]]
        example = {
            "type": "FeatureCollection",
            "features": [{
                "type": "Feature",
                "properties": {"网格编码": self.example["code"], "网格名称": self.example["name"], "村社区代码": self.example["village_code"]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }],
        }
        return json.dumps(example, ensure_ascii=False, indent=1).encode(), f"{self.label}导入模板.geojson", GEOJSON
