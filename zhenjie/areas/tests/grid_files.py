"""Builders of real grid files for the tests: GeoJSON, and zipped Shapefiles written with pyshp,
in longitude/latitude or in a projected system computed with pyproj."""

import io
import json
import zipfile

import shapefile
from pyproj import CRS, Transformer


def geojson_file(grids: list[tuple[str, str, dict]], *, fields=("网格编码", "网格名称")) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {fields[0]: code, fields[1]: name}, "geometry": geometry} for code, name, geometry in grids],
        },
        ensure_ascii=False,
    ).encode()


def shapefile_zip(grids: list[tuple[str, str, dict]], *, epsg: int | None = 4490, omit: tuple[str, ...] = (), folder: str = "网格/",
                  encoding: str = "utf-8", fields: tuple[str, str] = ("WGBM", "WGMC")) -> bytes:
    """A zip with grids.shp/.shx/.dbf(/.prj): the geometries are given in lon/lat and written in
    the coordinate system `epsg` (its ESRI WKT in the .prj), as ArcGIS exports them."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True) if epsg not in (None, 4326, 4490) else None
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding) as writer:
        writer.field(fields[0], "C", 20)
        writer.field(fields[1], "C", 80)
        for code, name, geometry in grids:
            rings = geometry["coordinates"]
            if transformer is not None:
                rings = [[list(transformer.transform(x, y)) for x, y in ring] for ring in rings]
            # Shapefile outer rings run clockwise.
            writer.poly([list(reversed(rings[0]))] + [list(ring) for ring in rings[1:]])
            writer.record(code, name)
    files = {"shp": shp.getvalue(), "shx": shx.getvalue(), "dbf": dbf.getvalue(), "cpg": encoding.upper().encode()}
    if epsg is not None:
        files["prj"] = CRS.from_epsg(epsg).to_wkt("WKT1_ESRI").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for extension, content in files.items():
            if extension not in omit:
                archive.writestr(f"{folder}grids.{extension}", content)
    return out.getvalue()
