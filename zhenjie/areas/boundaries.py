"""Grid boundaries from a county's GIS files: reading (GeoJSON, zipped Shapefile) and checking
them against the area tree, before anything is written.

`read_grid_file(data, filename)` turns the bytes into `GridFeature`s in longitude/latitude
(WGS84 / CGCS2000 — the two differ by centimetres at a county's scale), or refuses the whole
file with a Chinese message (`Rejected`). `plan_grids(grid_file, county)` then compares them with
the county's villages and grids: what is new, what changed (name; boundary with its area and
Hausdorff change in metres), what is refused (no such village, mostly outside its village,
broken geometry) and which grids of one village overlap. The import (areas.actions.import_grids)
writes a plan only when it has no problems, all or nothing.

File layout (docs/OPERATIONS.md, 网格边界文件): one feature per grid, polygons only, attributes
网格编码 (15 digits: the village's 12-digit code + 3), 网格名称, optionally 村社区代码 (must match
the grid code's first 12 digits); pinyin and English aliases in FIELD_ALIASES. Shapefiles carry
their coordinate system in the .prj (CGCS2000 3-degree Gauss-Krüger zones EPSG:4513–4554, CGCS2000
geographic EPSG:4490, WGS84, or any other pyproj understands); without a .prj the coordinates must
plainly be longitude/latitude in the county's range.

Libraries: shapely (geometry, repair, overlaps), pyproj (coordinate systems), pyshp (Shapefile).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np
import shapefile
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from zhenjie.kernel.errors import Rejected

from .models import Area

# Bounds on what one upload may make the server do (a county has hundreds of grids, each a few
# hundred vertices; these leave room tenfold and refuse a zip bomb before it is inflated).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 5000
MAX_VERTICES = 1_000_000
MAX_ZIP_ENTRIES = 50
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

# A grid must lie at least this share inside its village's boundary, else it is refused. No
# document sets it and it is not a county's policy but a check that two drawings agree (issue 13:
# "a grid that lies mostly outside its village is refused"): where a county's village polygons are
# rough, it redraws them (the `boundaries` import) rather than loosening the check.
MIN_INSIDE_SHARE = 0.80
# Grids of one village overlapping by more than this (square metres) are flagged: GIS snapping
# leaves slivers of a few square centimetres along shared edges, which are not worth a warning.
OVERLAP_TOLERANCE_M2 = 1.0
# A boundary that moved by less than this (metres, Hausdorff) is the same boundary: a round trip
# through export and import, or a re-export from the GIS, is not a redraw.
UNCHANGED_WITHIN_M = 0.05
# Coordinates are kept to 7 decimals (about a centimetre).
DECIMALS = 7
# Longitude/latitude of mainland China with its islands: coordinates outside are not lon/lat.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
# How far (degrees, about 50 km) a grid may reach beyond the county's known extent.
COUNTY_MARGIN_DEG = 0.5

FIELD_ALIASES = {
    "code": ("网格编码", "网格代码", "WGBM", "WGDM", "GRID_CODE", "CODE"),
    "name": ("网格名称", "WGMC", "GRID_NAME", "NAME"),
    "village_code": ("村社区代码", "村(社区)代码", "所属村代码", "村代码", "CSQDM", "CJDM", "VILLAGE_CODE", "VILLAGE"),
}
FIELD_LABELS = {"code": "网格编码", "name": "网格名称", "village_code": "村社区代码", "geometry": "边界", "file": "文件"}


@dataclass
class Problem:
    """One reason the file is refused: the feature (1-based, as a GIS numbers rows; None for the
    whole file), the field and the reason, for the error report."""

    feature: int | None
    field: str
    reason: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass
class GridFeature:
    number: int
    code: str
    name: str
    village_code: str
    shape: BaseGeometry  # longitude/latitude
    notes: list[str] = field(default_factory=list)  # repairs, worth a look but not refusals

    @property
    def geojson(self) -> dict:
        return as_geojson(self.shape)


@dataclass
class GridFile:
    features: list[GridFeature]
    problems: list[Problem]
    source: str  # "GeoJSON" or "Shapefile"
    crs_name: str


def _refuse(code: str, message: str) -> Rejected:
    return Rejected(f"grid_file.{code}", message, field="file")


# ---------------------------------------------------------------- reading


def read_grid_file(data: bytes, filename: str = "", *, county: Area | None = None) -> GridFile:
    """The grids in an uploaded file, in longitude/latitude. Refuses the whole file (Rejected)
    when it cannot be read at all; problems of single features are listed in `problems`."""
    raw, problems, crs, source = _read_features(data, filename, "网格")
    features = _to_lonlat(raw, crs, problems, county)
    return GridFile(features=features, problems=problems, source=source, crs_name=_crs_label(crs))


def _read_features(data: bytes, filename: str, what: str) -> tuple[list[_Raw], list[Problem], CRS | None, str]:
    """The file's features as they are (attributes, geometry in the file's system), its system,
    and what it was ("GeoJSON" / "Shapefile"); the whole file refused (Rejected) when unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("too_large", f"文件过大：{len(data) / 1048576:.1f} MB，上限为 {MAX_FILE_BYTES // 1048576} MB")
    if not data:
        raise _refuse("empty", "文件为空")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".zip"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _refuse("not_zip", "文件不是有效的 zip 压缩包：Shapefile 请将 .shp、.shx、.dbf、.prj 打包为 zip 后上传")
        raw, problems, crs = _read_zipped_shapefile(data)
        source = "Shapefile"
    elif name.endswith((".geojson", ".json")) or data.lstrip()[:1] == b"{":
        raw, problems, crs = _read_geojson(data)
        source = "GeoJSON"
    else:
        raise _refuse("format", "无法识别的文件格式：请上传 GeoJSON(.geojson)或打包为 zip 的 Shapefile")
    if not raw and not problems:
        raise _refuse("no_features", f"文件中没有任何{what}要素")
    return raw, problems, crs, source


@dataclass
class _Raw:
    number: int
    attributes: dict
    geometry: dict | None


def _read_geojson(data: bytes) -> tuple[list[_Raw], list[Problem], CRS | None]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nesting deeper than any GeoJSON
        raise _refuse("not_json", "文件不是有效的 GeoJSON(UTF-8 编码的 JSON)") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise _refuse("not_feature_collection", "GeoJSON 应为 FeatureCollection，每个网格一个 Feature")
    features = document["features"]
    if len(features) > MAX_FEATURES:
        raise _refuse("too_many_features", f"要素过多：{len(features)} 个，上限为 {MAX_FEATURES} 个")
    crs = None
    named = ((document.get("crs") or {}).get("properties") or {}).get("name") if isinstance(document.get("crs"), dict) else None
    if named:
        # GeoJSON of 2008 could name its system ("urn:ogc:def:crs:EPSG::4527"); RFC 7946 files are lon/lat.
        try:
            crs = CRS.from_user_input(named)
        except CRSError:
            raise _refuse("crs_unknown", f"无法识别 GeoJSON 声明的坐标系：{str(named)[:80]}") from None
    raw = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raw.append(_Raw(number, {}, None))
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else None
        raw.append(_Raw(number, properties, geometry))
    return raw, [], crs


def _zip_entries(data: bytes) -> dict[str, bytes]:
    """The files of the zip by lower-case extension, read with bounds: no more than
    MAX_ZIP_ENTRIES entries, MAX_UNZIPPED_BYTES inflated in all (counted while inflating, not
    taken from the headers), no entry whose name leaves the archive. Nothing touches the disk."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse("zip_too_many", f"压缩包内文件过多：{len(entries)} 个，上限为 {MAX_ZIP_ENTRIES} 个")
    found: dict[str, bytes] = {}
    budget = MAX_UNZIPPED_BYTES
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name:
            raise _refuse("zip_path", f"压缩包内的文件路径不安全：{name[:80]}")
        if entry.is_dir() or name.split("/")[-1].startswith(("._", ".")) or name.startswith("__MACOSX/"):
            continue
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in ("shp", "shx", "dbf", "prj", "cpg"):
            continue
        if extension in found:
            raise _refuse("zip_layers", "压缩包内应只有一个图层(一组 .shp/.shx/.dbf/.prj)")
        try:
            with archive.open(entry) as stream:
                content = stream.read(budget + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            raise _refuse("zip_broken", f"压缩包内的文件 {name[:80]} 无法解压(已损坏或加密)") from None
        budget -= len(content)
        if budget < 0:
            raise _refuse("zip_too_large", f"压缩包解压后过大，上限为 {MAX_UNZIPPED_BYTES // 1048576} MB")
        found[extension] = content
    return found


def _read_zipped_shapefile(data: bytes) -> tuple[list[_Raw], list[Problem], CRS | None]:
    try:
        files = _zip_entries(data)
    except zipfile.BadZipFile:
        raise _refuse("not_zip", "文件不是有效的 zip 压缩包") from None
    missing = [f".{ext}" for ext in ("shp", "shx", "dbf") if ext not in files]
    if missing:
        raise _refuse("shapefile_incomplete", f"压缩包内缺少 Shapefile 的 {'、'.join(missing)} 文件(需 .shp、.shx、.dbf，及坐标系 .prj)")
    crs = None
    if "prj" in files:
        try:
            crs = CRS.from_wkt(files["prj"].decode("utf-8-sig", errors="replace").strip())
        except (CRSError, ValueError, TypeError):
            raise _refuse("crs_unknown", ".prj 文件中的坐标系无法识别") from None
    encodings = [files["cpg"].decode("ascii", errors="ignore").strip()] if "cpg" in files else []
    encodings += [e for e in ("utf-8", "gbk") if e not in encodings]
    last_error: Exception | None = None
    for encoding in encodings:
        try:
            return _shapefile_rows(files, encoding), [], crs
        except (_WrongEncoding, UnicodeDecodeError, LookupError) as error:
            last_error = error
    raise _refuse("dbf_encoding", ".dbf 属性表的文字编码无法识别(应为 UTF-8 或 GBK)") from last_error


class _WrongEncoding(Exception):
    """The .dbf is not in the encoding tried (pyshp says so in a ShapefileException)."""


def _shapefile_rows(files: dict[str, bytes], encoding: str) -> list[_Raw]:
    try:
        reader = shapefile.Reader(shp=io.BytesIO(files["shp"]), shx=io.BytesIO(files["shx"]), dbf=io.BytesIO(files["dbf"]), encoding=encoding)
    except Exception as error:  # noqa: BLE001 — as below: any failure to open a damaged file is a refusal
        if isinstance(error, shapefile.ShapefileException) and "decode" in str(error).lower():
            raise _WrongEncoding(str(error)) from None
        raise _refuse("shapefile_broken", "Shapefile 无法读取：文件已损坏或 .shp/.shx/.dbf 不配套") from None
    try:
        count = len(reader)
        if count > MAX_FEATURES:
            raise _refuse("too_many_features", f"要素过多：{count} 个，上限为 {MAX_FEATURES} 个")
        names = [f[0] for f in reader.fields[1:]]
        rows = []
        for number, item in enumerate(reader.iterShapeRecords(), start=1):
            if number > MAX_FEATURES:
                raise _refuse("too_many_features", f"要素过多，上限为 {MAX_FEATURES} 个")
            attributes = dict(zip(names, list(item.record)))
            geometry = None if item.shape.shapeType == shapefile.NULL else item.shape.__geo_interface__
            rows.append(_Raw(number, attributes, geometry))
        return rows
    except Rejected:
        raise
    except Exception as error:  # noqa: BLE001 — a damaged file breaks pyshp in many ways (struct.error, ValueError …)
        if isinstance(error, UnicodeDecodeError):
            raise
        if isinstance(error, shapefile.ShapefileException) and "decode" in str(error).lower():
            raise _WrongEncoding(str(error)) from None
        raise _refuse("shapefile_broken", "Shapefile 无法读取：文件已损坏或 .shp/.shx/.dbf 不配套") from None


def _attribute(attributes: dict, key: str, aliases: dict[str, tuple[str, ...]] = FIELD_ALIASES) -> str:
    wanted = {alias.upper() for alias in aliases[key]}
    for name, value in attributes.items():
        if str(name).strip().upper() in wanted and value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a numeric .dbf column gives 330102001001001.0
            return str(value).strip()
    return ""


def _crs_label(crs: CRS | None) -> str:
    if crs is None:
        return "经纬度(WGS84/CGCS2000)"
    epsg = crs.to_epsg(min_confidence=70)
    return f"{crs.name}" + (f" (EPSG:{epsg})" if epsg else "")


def _to_lonlat_transformer(crs: CRS | None) -> Transformer | None:
    """None when the file is already in longitude/latitude: WGS84 and CGCS2000 are taken as they
    are (they differ by centimetres); every other system, projected or geographic on another
    datum, is converted."""
    if crs is None or crs.to_epsg(min_confidence=70) in (4326, 4490):
        return None
    try:
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except Exception:  # noqa: BLE001 — pyproj's ProjError and CRSError for a system it cannot convert
        raise _refuse("crs_unsupported", f"坐标系「{crs.name[:60]}」无法换算为经纬度") from None


def _to_lonlat(raw: list[_Raw], crs: CRS | None, problems: list[Problem], county: Area | None) -> list[GridFeature]:
    transformer = _to_lonlat_transformer(crs)
    extent = _county_extent(county)
    vertices = 0
    features = []
    for item in raw:
        code = _attribute(item.attributes, "code")
        name = _attribute(item.attributes, "name")
        village_code = _attribute(item.attributes, "village_code")
        before = len(problems)
        if not code:
            problems.append(Problem(item.number, "code", "缺少网格编码(字段名：网格编码 或 WGBM)"))
        elif not (code.isdigit() and len(code) == 15):
            problems.append(Problem(item.number, "code", f"网格编码「{code[:20]}」应为15位数字(所属村的12位区划代码+3位序号)"))
        elif code.endswith("000"):
            problems.append(Problem(item.number, "code", f"网格编码「{code}」的后3位序号不能为000"))
        if not name:
            problems.append(Problem(item.number, "name", "缺少网格名称(字段名：网格名称 或 WGMC)"))
        elif len(name) > 64:
            problems.append(Problem(item.number, "name", "网格名称超过64字"))
        if village_code and code and village_code != code[:12]:
            problems.append(Problem(item.number, "village_code", f"村社区代码 {village_code[:20]} 与网格编码前12位 {code[:12]} 不一致"))
        geometry, notes = _geometry(item, transformer, problems, extent)
        if geometry is not None:
            vertices += shapely.get_num_coordinates(geometry)
            if vertices > MAX_VERTICES:
                raise _refuse("too_many_vertices", f"边界节点过多，上限为 {MAX_VERTICES} 个，请在 GIS 中简化后上传")
        if geometry is not None and len(problems) == before:
            features.append(GridFeature(item.number, code, name, village_code or code[:12], geometry, notes))
    return features


def _geometry(item: _Raw, transformer, problems: list[Problem], extent) -> tuple[BaseGeometry | None, list[str]]:
    if not item.geometry:
        problems.append(Problem(item.number, "geometry", "缺少边界"))
        return None, []
    kind = item.geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        problems.append(Problem(item.number, "geometry", f"边界应为面(Polygon/MultiPolygon)，此处为 {str(kind)[:20]}"))
        return None, []
    try:
        geometry = shapely.force_2d(shape(item.geometry))
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        problems.append(Problem(item.number, "geometry", "边界坐标不完整(每个环至少4个点，首尾相同)"))
        return None, []
    if geometry.is_empty:
        problems.append(Problem(item.number, "geometry", "边界为空"))
        return None, []
    if transformer is not None:
        try:
            geometry = shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
        except Exception:  # pyproj raises several kinds for points outside its zone
            problems.append(Problem(item.number, "geometry", "边界坐标无法按文件的坐标系换算为经纬度"))
            return None, []
    west, south, east, north = geometry.bounds
    if not np.isfinite([west, south, east, north]).all():
        problems.append(Problem(item.number, "geometry", "边界坐标无法按文件的坐标系换算为经纬度"))
        return None, []
    box = CHINA_BOUNDS if extent is None else extent
    if west < box[0] or south < box[1] or east > box[2] or north > box[3]:
        where = "中国境内" if extent is None else "本县范围"
        hint = "；投影坐标请附带 .prj 坐标系文件" if transformer is None else "；请核对 .prj 坐标系(带号)是否与坐标一致"
        problems.append(Problem(item.number, "geometry", f"边界坐标({west:.4f}, {south:.4f})不在{where}的经纬度内{hint}"))
        return None, []
    geometry = shapely.transform(geometry, lambda xy: np.round(xy, DECIMALS))
    notes = []
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        repaired = polygonal_part(shapely.make_valid(geometry))
        if repaired is None or repaired.is_empty or repaired.area <= 0:
            problems.append(Problem(item.number, "geometry", f"边界无效且无法修复：{_reason_zh(reason)}"))
            return None, []
        notes.append(f"边界无效({_reason_zh(reason)})，已自动修复")
        geometry = repaired
    if geometry.area <= 0:
        problems.append(Problem(item.number, "geometry", "边界面积为0"))
        return None, []
    return geometry, notes


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry | None:
    """What make_valid gives, without the lines and points a collapsed part leaves behind."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def _reason_zh(reason: str) -> str:
    text = (reason or "").split("[")[0].strip()
    return {
        "Self-intersection": "边界自相交",
        "Ring Self-intersection": "边界环自相交",
        "Too few points": "点数过少",
        "Hole lies outside shell": "内环位于外环之外",
        "Nested shells": "外环相互嵌套",
        "Interior is disconnected": "内部不连通",
        "Duplicate Rings": "环重复",
    }.get(text, text or "几何无效")


def _county_extent(county: Area | None):
    """The county's known extent (its own boundary, else its townships' and villages'), widened
    by COUNTY_MARGIN_DEG; None when nothing below it has a boundary yet."""
    if county is None:
        return None
    from . import geo

    boundaries = [county.boundary] if county.boundary else list(
        Area.objects.filter(path__startswith=county.path, level__in=[Area.Level.TOWNSHIP, Area.Level.VILLAGE])
        .exclude(boundary__isnull=True)
        .values_list("boundary", flat=True)
    )
    box = geo.bounds(boundaries)
    if box is None:
        return None
    return (box[0] - COUNTY_MARGIN_DEG, box[1] - COUNTY_MARGIN_DEG, box[2] + COUNTY_MARGIN_DEG, box[3] + COUNTY_MARGIN_DEG)


def shape_of(boundary: dict | None) -> BaseGeometry | None:
    """A stored boundary (GeoJSON) as a valid shapely geometry, or None when there is none or it
    cannot be read."""
    if not boundary:
        return None
    try:
        return shapely.make_valid(shape(boundary))
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException):
        return None


def as_geojson(geometry: BaseGeometry) -> dict:
    return json.loads(json.dumps(mapping(geometry)))  # tuples → lists, as the JSONField gives them back


# ---------------------------------------------------------------- checking against the tree


def metric_transformer(geometries: list[BaseGeometry]) -> Transformer:
    """Lon/lat → metres on a Lambert equal-area plane centred on the geometries: areas and
    distances in square metres and metres, good to a fraction of a percent over a county."""
    center = shapely.union_all(geometries).centroid if geometries else shapely.Point(0, 0)
    plane = CRS.from_proj4(f"+proj=laea +lat_0={center.y:.6f} +lon_0={center.x:.6f} +datum=WGS84 +units=m +no_defs")
    return Transformer.from_crs("EPSG:4326", plane, always_xy=True)


def _metric(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


@dataclass
class PlannedGrid:
    feature: GridFeature
    status: str  # "new", "changed", "unchanged", "refused"
    village: Area | None = None
    grid: Area | None = None
    changes: list[str] = field(default_factory=list)
    name_changed: bool = False
    boundary_changed: bool = False
    boundary_old: str = ""  # "面积 … 平方米", for a field-by-field preview
    boundary_new: str = ""  # "面积 … 平方米，最大偏移 … 米"
    inside_share: float | None = None
    outside: BaseGeometry | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Overlap:
    first: str  # grid codes
    second: str
    first_name: str
    second_name: str
    area_m2: float
    shape: BaseGeometry


@dataclass
class GridPlan:
    """What an import of the file would do. `problems` non-empty: the file is refused whole."""

    county: Area
    source: str
    crs_name: str
    grids: list[PlannedGrid]
    problems: list[Problem]
    overlaps: list[Overlap]
    absent: list[Area]  # the county's grids the file does not name: kept, listed for the record

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def of_status(self, status: str) -> list[PlannedGrid]:
        return [g for g in self.grids if g.status == status]

    @property
    def counts(self) -> dict[str, int]:
        return {s: len(self.of_status(s)) for s in ("new", "changed", "unchanged", "refused")} | {"overlaps": len(self.overlaps), "absent": len(self.absent)}

    def map_features(self) -> dict:
        """GeoJSON for the preview map: the villages concerned, each grid with its status, the
        part of a grid outside its village, and overlaps. Properties are plain text."""
        features = []
        villages = {g.village.pk: g.village for g in self.grids if g.village is not None and g.village.boundary}
        for village in villages.values():
            features.append({"type": "Feature", "geometry": village.boundary, "properties": {"role": "village", "name": village.name, "code": village.code}})
        flagged = {o.first for o in self.overlaps} | {o.second for o in self.overlaps}
        for grid in self.absent:  # the village's other grids, for context
            if grid.boundary:
                features.append({"type": "Feature", "geometry": grid.boundary, "properties": {"role": "existing", "name": grid.name, "code": grid.code, "flagged": grid.code in flagged}})
        for planned in self.grids:
            feature = planned.feature
            features.append({
                "type": "Feature",
                "geometry": feature.geojson,
                "properties": {
                    "role": "grid",
                    "status": planned.status,
                    "flagged": feature.code in flagged,
                    "name": feature.name,
                    "code": feature.code,
                    "inside": None if planned.inside_share is None else round(planned.inside_share * 100, 1),
                },
            })
            if planned.outside is not None and not planned.outside.is_empty:
                features.append({"type": "Feature", "geometry": as_geojson(planned.outside), "properties": {"role": "outside", "name": feature.name, "code": feature.code}})
        for overlap in self.overlaps:
            features.append({"type": "Feature", "geometry": as_geojson(overlap.shape), "properties": {"role": "overlap", "name": f"{overlap.first_name} / {overlap.second_name}", "code": overlap.first, "area": round(overlap.area_m2, 1)}})
        return {"type": "FeatureCollection", "features": features}


def plan_grids(grid_file: GridFile, county: Area, roots: tuple[str, ...] | None = None) -> GridPlan:
    """Compare the file's grids with the county's tree; nothing is written. `roots`: the area
    paths the importer may change (None: the whole county)."""
    problems = list(grid_file.problems)
    extent = _county_extent(county)
    features = grid_file.features
    seen: dict[str, int] = {}
    for feature in features:
        if feature.code in seen:
            problems.append(Problem(feature.number, "code", f"网格编码 {feature.code} 与第{seen[feature.code]}个要素重复"))
        else:
            seen[feature.code] = feature.number
    villages = {
        v.code: v
        for v in Area.objects.filter(level=Area.Level.VILLAGE, path__startswith=county.path, code__in={f.code[:12] for f in features})
    }
    existing = {a.code: a for a in Area.objects.filter(code__in=[f.code for f in features])}
    transformer = metric_transformer([f.shape for f in features])
    planned_grids = []
    for feature in features:
        planned = PlannedGrid(feature=feature, status="new", warnings=list(feature.notes))
        planned_grids.append(planned)
        before = len(problems)
        village = villages.get(feature.code[:12])
        planned.village = village
        if village is None:
            problems.append(Problem(feature.number, "code", f"所属村(社区) {feature.code[:12]} 不在本县区划中，请先导入区划"))
        elif village.retired_on is not None:
            problems.append(Problem(feature.number, "code", f"所属村(社区)「{village.name}」已于{village.retired_on:%Y-%m-%d}因区划调整撤销，请使用调整后的网格编码"))
        elif roots is not None and not any(village.path.startswith(root) for root in roots):
            problems.append(Problem(feature.number, "code", f"所属村(社区)「{village.name}」不在您的管辖范围内"))
        if extent is not None:
            west, south, east, north = feature.shape.bounds
            if west < extent[0] or south < extent[1] or east > extent[2] or north > extent[3]:
                problems.append(Problem(feature.number, "geometry", f"边界坐标({west:.4f}, {south:.4f})不在本县范围的经纬度内；请核对坐标系(.prj)"))
        grid = existing.get(feature.code)
        if grid is not None and (grid.level != Area.Level.GRID or not grid.path.startswith(county.path)):
            problems.append(Problem(feature.number, "code", f"编码 {feature.code} 已被本县以外或非网格的区划使用"))
            grid = None
        elif grid is not None and grid.retired_on is not None:
            problems.append(Problem(feature.number, "code", f"网格「{grid.name}」已于{grid.retired_on:%Y-%m-%d}因区划调整撤销，不能再修改"))
            grid = None
        planned.grid = grid
        if village is not None and village.boundary:
            _check_inside(planned, village, transformer, problems)
        elif village is not None:
            planned.warnings.append(f"所属村(社区)「{village.name}」尚无边界，未核对网格是否在村内")
        if len(problems) > before:
            planned.status = "refused"
            continue
        if grid is not None:
            _compare(planned, grid, transformer)
    overlaps = _overlaps(planned_grids, county, transformer)
    named = {f.code for f in features}
    absent = list(
        Area.objects.live().filter(level=Area.Level.GRID, path__startswith=county.path, parent__code__in=villages.keys()).exclude(code__in=named).order_by("path")
    )
    problems.sort(key=lambda p: p.feature or 0)  # stable: a feature's problems keep their order
    return GridPlan(county=county, source=grid_file.source, crs_name=grid_file.crs_name, grids=planned_grids, problems=problems, overlaps=overlaps, absent=absent)


def inside_share(part: BaseGeometry, whole: BaseGeometry, transformer) -> float:
    """The share of `part`'s area (on `transformer`'s metric plane) that lies inside `whole`."""
    part_m = _metric(part, transformer)
    return _metric(part.intersection(whole), transformer).area / part_m.area if part_m.area else 0.0


def _check_inside(planned: PlannedGrid, village: Area, transformer, problems: list[Problem]) -> None:
    village_shape = shape_of(village.boundary)
    if village_shape is None:
        planned.warnings.append(f"所属村(社区)「{village.name}」的边界无法读取，未核对")
        return
    grid_shape = planned.feature.shape
    share = inside_share(grid_shape, village_shape, transformer)
    planned.inside_share = share
    if share < 1.0 - 1e-6:
        planned.outside = grid_shape.difference(village_shape)
    if share < MIN_INSIDE_SHARE:
        problems.append(Problem(
            planned.feature.number, "geometry",
            f"网格「{planned.feature.name}」仅有 {share * 100:.1f}% 位于所属村(社区)「{village.name}」内，要求不少于 {MIN_INSIDE_SHARE * 100:.0f}%(见预览地图中的红色部分)",
        ))
    elif share < 0.99:
        planned.warnings.append(f"有 {100 - share * 100:.1f}% 位于所属村(社区)之外")


@dataclass
class Shift:
    """How a drawing differs from the stored boundary, in square metres and metres; `moved` is
    None when there was no readable stored boundary (a first drawing)."""

    old_area: float | None
    new_area: float
    moved: float | None

    @property
    def changed(self) -> bool:
        return self.moved is None or self.moved >= UNCHANGED_WITHIN_M


def shift_of(stored: dict | None, drawn: BaseGeometry, transformer) -> Shift:
    """The stored boundary (as it is, unrepaired) against a new drawing: areas and the largest
    shift (Hausdorff) on `transformer`'s metric plane. Shared by the grid and division imports."""
    old = None
    if stored:
        try:
            old = shape(stored)
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException):
            old = None
    new_m = _metric(drawn, transformer)
    if old is None:
        return Shift(None, new_m.area, None)
    old_m = _metric(old, transformer)
    return Shift(old_m.area, new_m.area, shapely.hausdorff_distance(old_m, new_m))


def _compare(planned: PlannedGrid, grid: Area, transformer) -> None:
    feature = planned.feature
    if grid.name != feature.name:
        planned.name_changed = True
        planned.changes.append(f"名称：{grid.name} → {feature.name}")
    shift = shift_of(grid.boundary, feature.shape, transformer)
    if shift.moved is None:
        planned.boundary_changed = True
        planned.boundary_old, planned.boundary_new = "无", "新绘制"
        planned.changes.append("边界：新增")
    elif shift.changed:
        planned.boundary_changed = True
        planned.boundary_old = f"面积 {shift.old_area:,.0f} 平方米"
        planned.boundary_new = f"面积 {shift.new_area:,.0f} 平方米，最大偏移 {shift.moved:,.1f} 米"
        planned.changes.append(f"边界：面积 {shift.old_area:,.0f} → {shift.new_area:,.0f} 平方米，最大偏移 {shift.moved:,.1f} 米")
    planned.status = "changed" if planned.changes else "unchanged"


def _overlaps(planned_grids: list[PlannedGrid], county: Area, transformer) -> list[Overlap]:
    """Pairs of grids of one village that overlap, after the import: the file's grids with each
    other and with the village's grids the file does not name."""
    usable = [p for p in planned_grids if p.status != "refused"]
    by_village: dict[str, list[tuple[str, str, BaseGeometry, bool]]] = {}
    for p in usable:
        by_village.setdefault(p.feature.code[:12], []).append((p.feature.code, p.feature.name, p.feature.shape, True))
    named = {p.feature.code for p in planned_grids}
    for other in Area.objects.filter(level=Area.Level.GRID, parent__code__in=by_village.keys()).exclude(code__in=named).exclude(boundary__isnull=True):
        other_shape = shape_of(other.boundary)
        if other_shape is not None:
            by_village[other.code[:12]].append((other.code, other.name, other_shape, False))
    found = []
    for members in by_village.values():
        shapes = [m[2] for m in members]
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist()):
            if i >= j or not (members[i][3] or members[j][3]):
                continue
            common = shapes[i].intersection(shapes[j])
            area = _metric(common, transformer).area if not common.is_empty else 0.0
            if area > OVERLAP_TOLERANCE_M2:
                found.append(Overlap(members[i][0], members[j][0], members[i][1], members[j][1], area, polygonal_part(common) or common))
    return found


# ---------------------------------------------------------------- writing the same layout


def grids_geojson(grids) -> dict:
    """The county's grids as a GeoJSON FeatureCollection in the layout read_grid_file reads, so
    exporting and importing again changes nothing."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"网格编码": grid.code, "网格名称": grid.name, "村社区代码": grid.code[:12]},
                "geometry": grid.boundary,
            }
            for grid in grids
            if grid.boundary
        ],
    }
