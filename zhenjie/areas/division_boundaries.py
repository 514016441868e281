"""The division tree's own boundaries (区划边界): the county's, its townships' and villages'
polygons, from the same GIS files as grids (GeoJSON or a zipped Shapefile, any coordinate system
pyproj converts; reading, repair and bounds are areas/boundaries.py's).

A county needs them before anything is placed by position: `areas.locate` walks down the tree by
boundaries, so without a township's polygon a grid worker's report stops at the county, and
without a village's the grid import cannot tell whether a grid lies inside its village. The
division file (movein `areas`) names the nodes; this file only draws them — a code the tree does
not hold is refused (import the division file first), a name that differs from the tree's is
noted (the tree's name stands: names change by 区划调整, not by a drawing).

File layout (docs/OPERATIONS.md, 区划边界文件): one feature per area, attributes 区划代码 (the
12-digit code; a county's 6 or a township's 9 digits are taken as the 12-digit form) and,
optionally, 区划名称; aliases in FIELD_ALIASES.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from zhenjie.kernel.errors import Rejected

from .boundaries import (
    MAX_VERTICES,
    MIN_INSIDE_SHARE,
    Problem,
    as_geojson,
    _attribute,
    _county_extent,
    _crs_label,
    _geometry,
    _read_features,
    _to_lonlat_transformer,
    inside_share,
    metric_transformer,
    shape_of,
    shift_of,
)
from .models import Area

FIELD_ALIASES = {
    "code": ("区划代码", "行政区划代码", "QHDM", "XZQDM", "XZQHDM", "CODE"),
    "name": ("区划名称", "名称", "QHMC", "XZQMC", "NAME"),
}
FIELD_LABELS = {"code": "区划代码", "name": "区划名称", "geometry": "边界", "file": "文件"}
DRAWN_LEVELS = (Area.Level.COUNTY, Area.Level.TOWNSHIP, Area.Level.VILLAGE)


@dataclass
class PlannedBoundary:
    number: int  # the feature's ordinal in the file
    code: str
    name: str
    shape: BaseGeometry | None
    area: Area | None = None
    status: str = "refused"  # "changed" (a new or different drawing), "unchanged", "refused"
    old: str = ""  # "无" or "面积 … 平方米", for the field-by-field preview
    new: str = ""
    inside_parent: float | None = None

    @property
    def geojson(self) -> dict:
        return as_geojson(self.shape)


@dataclass
class DivisionBoundaryPlan:
    county: Area
    source: str
    crs_name: str
    items: list[PlannedBoundary]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def map_features(self) -> dict:
        """For the preview map (areas/_grid_preview.html draws any feature with role/status)."""
        features = []
        for item in self.items:
            if item.shape is None or item.area is None:
                continue
            features.append({
                "type": "Feature", "geometry": item.geojson,
                "properties": {"role": "grid", "status": item.status, "flagged": False, "name": item.area.name, "code": item.area.code,
                               "inside": None if item.inside_parent is None else round(item.inside_parent * 100, 1)},
            })
        return {"type": "FeatureCollection", "features": features}


def full_code(code: str) -> str | None:
    """The 12-digit form of a division code as GIS attribute tables write it (6, 9 or 12 digits)."""
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return None
    return code.ljust(12, "0")


def plan_division_boundaries(data: bytes, filename: str, county: Area, roots: tuple[str, ...] | None = None) -> DivisionBoundaryPlan:
    """Read the file and compare it with the tree; nothing is written. `roots`: the area paths
    the importer may draw (None: the whole county)."""
    raw, problems, crs, source = _read_features(data, filename, "区划")
    transformer = _to_lonlat_transformer(crs)
    extent = _county_extent(county)
    items: list[PlannedBoundary] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    vertices = 0
    for row in raw:
        before = len(problems)
        written = _attribute(row.attributes, "code", FIELD_ALIASES)
        code = full_code(written)
        name = _attribute(row.attributes, "name", FIELD_ALIASES)
        if not written:
            problems.append(Problem(row.number, "code", "缺少区划代码(字段名：区划代码 或 QHDM)"))
        elif code is None:
            problems.append(Problem(row.number, "code", f"区划代码「{written[:20]}」应为12位数字(县6位、乡镇9位亦可)"))
        elif code in seen:
            problems.append(Problem(row.number, "code", f"区划代码 {code} 与第{seen[code]}个要素重复"))
        else:
            seen[code] = row.number
        geometry, repairs = _geometry(row, transformer, problems, extent)
        if geometry is not None:
            vertices += shapely.get_num_coordinates(geometry)
            if vertices > MAX_VERTICES:
                raise Rejected("division_file.too_many_vertices", f"边界节点过多，上限为 {MAX_VERTICES} 个，请在 GIS 中简化后上传", field="file")
        item = PlannedBoundary(row.number, code or "", name, geometry)
        items.append(item)
        if len(problems) == before:
            notes += [f"第{row.number}个要素：{note}" for note in repairs]
    areas = {a.code: a for a in Area.objects.filter(code__in=[i.code for i in items if i.code], path__startswith=county.path).select_related("parent")}
    transformer_m = metric_transformer([i.shape for i in items if i.shape is not None])
    for item in items:
        if item.shape is None or not item.code or any(p.feature == item.number for p in problems):
            continue
        area = areas.get(item.code)
        if area is None:
            problems.append(Problem(item.number, "code", f"区划代码 {item.code} 不在本县区划中，请先导入区划"))
            continue
        if area.level not in DRAWN_LEVELS:
            problems.append(Problem(item.number, "code", f"{area.name}({area.code})是网格：网格边界请用“网格边界”导入"))
            continue
        if area.retired_on is not None:
            problems.append(Problem(item.number, "code", f"{area.name}({area.code})已于{area.retired_on:%Y-%m-%d}撤并，不能再绘制边界"))
            continue
        if roots is not None and not any(area.path.startswith(root) for root in roots):
            problems.append(Problem(item.number, "code", f"{area.name}({area.code})不在您的管辖范围内"))
            continue
        item.area = area
        if item.name and item.name != area.name:
            notes.append(f"第{item.number}个要素的名称「{item.name}」与区划树中的「{area.name}」不同：以区划树为准(更名请走区划调整)")
        _compare(item, transformer_m)
    drawn = {i.area.pk: i.shape for i in items if i.area is not None}
    for item in items:
        if item.area is not None and item.area.parent_id:
            _check_inside_parent(item, drawn, transformer_m, notes)
    problems.sort(key=lambda p: p.feature or 0)
    return DivisionBoundaryPlan(county=county, source=source, crs_name=_crs_label(crs), items=items, problems=problems, notes=notes)


def _compare(item: PlannedBoundary, transformer) -> None:
    shift = shift_of(item.area.boundary, item.shape, transformer)
    if not shift.changed:
        item.status = "unchanged"
    elif shift.moved is None:
        item.status, item.old, item.new = "changed", "无", f"面积 {shift.new_area:,.0f} 平方米"
    else:
        item.status, item.old = "changed", f"面积 {shift.old_area:,.0f} 平方米"
        item.new = f"面积 {shift.new_area:,.0f} 平方米，最大偏移 {shift.moved:,.1f} 米"


def _check_inside_parent(item: PlannedBoundary, drawn: dict, transformer, notes: list[str]) -> None:
    """A township outside its county or a village outside its township is noted, not refused:
    the tree comes from the civil-affairs list, and its drawing may lag behind it."""
    parent_shape = drawn.get(item.area.parent_id) or shape_of(item.area.parent.boundary)
    if parent_shape is None:
        return
    item.inside_parent = inside_share(item.shape, parent_shape, transformer)
    if item.inside_parent < MIN_INSIDE_SHARE:
        notes.append(f"{item.area.name}({item.area.code})仅有 {item.inside_parent * 100:.1f}% 位于上级「{item.area.parent.name}」的边界内，请核对")
