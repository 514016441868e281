"""A base map without the internet (issue 13 item 5): the county drops one MBTiles or PMTiles file
of its territory into var/ (or names it in BASEMAP_FILE) and the platform serves its tiles itself
at /tiles/{z}/{x}/{y}; every map reads one config (`config()`, given to the page by
`components/basemap.html` and used by `static/zhenjie/basemap.js`). Without a file, a tile server
on the intranet (MAP_TILE_URL) is used if set; without either, maps draw the polygons alone.

Raster tiles only (PNG, JPEG, WebP): vector tiles would need a style and a renderer the platform
does not ship. MBTiles is SQLite with rows in TMS order (y counted from the south: the row flips);
PMTiles v3 is read with protomaps' `pmtiles` package. Files are opened read-only per request
(the county may replace the file while the platform runs); what a file says about itself is read
once per file version (path, size, modification time)."""

import gzip
import logging
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse

logger = logging.getLogger("zhenjie.basemap")

SUFFIXES = (".mbtiles", ".pmtiles")
MAX_ZOOM = 24  # finer than any county's imagery; bounds the coordinates parsed from the URL
FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class TileFileError(Exception):
    """The file cannot serve raster tiles; the message says why, in Chinese (shown by `check`)."""


@dataclass(frozen=True)
class TileFile:
    path: Path
    kind: str  # "mbtiles" or "pmtiles"
    content_type: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north
    attribution: str


def tile_file_path() -> Path | None:
    """BASEMAP_FILE if set, else the one .mbtiles/.pmtiles file directly in var/ (sorted first if
    a county left several, with a warning in the log)."""
    named = getattr(settings, "BASEMAP_FILE", "")
    if named:
        path = Path(named)
        return path if path.is_file() else None
    var = Path(getattr(settings, "BASEMAP_DIR", settings.VAR_DIR))
    found = sorted(p for p in var.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()) if var.is_dir() else []
    if len(found) > 1:
        logger.warning("var/ holds %d tile files; serving %s", len(found), found[0].name)
    return found[0] if found else None


def current() -> TileFile | None:
    path = tile_file_path()
    if path is None:
        return None
    stat = path.stat()
    try:
        return _describe(str(path), stat.st_size, stat.st_mtime_ns)
    except TileFileError as error:
        logger.error("base map %s not served: %s", path, error)
        return None


@lru_cache(maxsize=4)
def _describe(path: str, size: int, mtime: int) -> TileFile:
    if path.lower().endswith(".pmtiles"):
        return _describe_pmtiles(Path(path))
    return _describe_mbtiles(Path(path))


def describe(path: Path) -> TileFile:
    """What a tile file says about itself; raises TileFileError when it cannot be served."""
    stat = path.stat()
    return _describe(str(path), stat.st_size, stat.st_mtime_ns)


def _open_mbtiles(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


def _describe_mbtiles(path: Path) -> TileFile:
    try:
        with closing(_open_mbtiles(path)) as connection:
            meta = dict(connection.execute("SELECT name, value FROM metadata").fetchall())
            zooms = connection.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    except sqlite3.Error as error:
        raise TileFileError(f"不是可读取的 MBTiles 文件（{error}）") from None
    fmt = str(meta.get("format", "png")).lower()
    if fmt not in FORMATS:
        raise TileFileError(f"瓦片格式为 {fmt}：只支持栅格瓦片(png、jpg、webp)")
    if zooms[0] is None:
        raise TileFileError("文件中没有瓦片")
    return TileFile(
        path=path, kind="mbtiles", content_type=FORMATS[fmt],
        min_zoom=_int(meta.get("minzoom"), zooms[0]), max_zoom=_int(meta.get("maxzoom"), zooms[1]),
        bounds=_bounds(meta.get("bounds")), attribution=_plain(meta.get("attribution", "")),
    )


def _describe_pmtiles(path: Path) -> TileFile:
    from pmtiles.tile import TileType, deserialize_header

    try:
        with path.open("rb") as handle:
            header = deserialize_header(handle.read(127))
    except Exception as error:  # the package raises its own, ValueError and struct errors alike
        raise TileFileError(f"不是可读取的 PMTiles v3 文件（{type(error).__name__}）") from None
    types = {TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp"}
    if header["tile_type"] not in types:
        raise TileFileError(f"瓦片类型为 {header['tile_type'].name}：只支持栅格瓦片(png、jpg、webp)")
    bounds = tuple(header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
    attribution = ""
    reader = _pmtiles_reader(path)
    try:
        attribution = _plain(reader.metadata().get("attribution", ""))
    except Exception:  # metadata is optional; a file without readable metadata still serves tiles
        pass
    finally:
        reader.close()
    return TileFile(
        path=path, kind="pmtiles", content_type=types[header["tile_type"]], min_zoom=header["min_zoom"],
        max_zoom=header["max_zoom"], bounds=bounds if bounds[0] < bounds[2] and bounds[1] < bounds[3] else None,
        attribution=attribution,
    )


def _pmtiles_reader(path: Path):
    from pmtiles.reader import Reader

    handle = path.open("rb")

    def get_bytes(offset, length):
        handle.seek(offset)
        return handle.read(length)

    reader = Reader(get_bytes)
    reader.close = handle.close
    return reader


# What reading a tile may raise when the file changes or breaks under a running server.
UNREADABLE = (sqlite3.Error, OSError, ValueError, KeyError, IndexError, EOFError, gzip.BadGzipFile)


def _plain(text) -> str:
    """A tile file's attribution as plain text: Leaflet writes it into the page as HTML, so tags
    and entities are dropped here (the file is the county's own, but it is still input)."""
    return re.sub(r"[<>&\"']", "", re.sub(r"<[^>]*>", "", str(text or "")))[:200]


def read_tile(tiles: TileFile, z: int, x: int, y: int) -> bytes | None:
    """The tile at z/x/y in the XYZ scheme maps use (y from the north), or None."""
    if not tiles.min_zoom <= z <= tiles.max_zoom:
        return None
    if tiles.kind == "mbtiles":
        # MBTiles keeps TMS rows, counted from the south (MBTiles 1.3 spec): flip.
        row = (1 << z) - 1 - y
        with closing(_open_mbtiles(tiles.path)) as connection:
            found = connection.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", (z, x, row)
            ).fetchone()
        return bytes(found[0]) if found else None
    reader = _pmtiles_reader(tiles.path)
    try:
        data = reader.get(z, x, y)
    finally:
        reader.close()
    if data and data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return bytes(data) if data else None


def content_type_of(tiles: TileFile, data: bytes) -> str:
    """From the bytes where they say it (a file may mix PNG and JPEG), else what the file declares."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return tiles.content_type


def config() -> dict | None:
    """The one base-map config every map reads: a URL template, zooms, bounds, attribution; None
    when maps draw polygons alone. A local tile file wins over a tile server."""
    tiles = current()
    if tiles is not None:
        root = reverse("workbench:tile", kwargs={"z": "0", "x": "0", "y": "0"}).removesuffix("0/0/0")
        return {
            "url": root + "{z}/{x}/{y}", "minZoom": tiles.min_zoom, "maxNativeZoom": tiles.max_zoom,
            "bounds": tiles.bounds, "attribution": tiles.attribution, "source": "file",
        }
    url = getattr(settings, "MAP_TILE_URL", "")
    if url:
        return {"url": url, "minZoom": 0, "maxNativeZoom": 19, "bounds": None, "attribution": "", "source": "server"}
    return None


def _int(value, default: int) -> int:
    try:
        return max(0, min(MAX_ZOOM, int(value)))
    except (TypeError, ValueError):
        return default


def _bounds(value) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(part) for part in str(value).split(","))
    except (TypeError, ValueError):
        return None
    if -180 <= west < east <= 180 and -90 <= south < north <= 90:
        return (west, south, east, north)
    return None


def check_basemap(app_configs=None, **kwargs):
    """`manage.py check` says when a base-map file is named or dropped in but cannot be served, so
    the county learns it before a map draws without its imagery."""
    from django.core.checks import Warning

    named = getattr(settings, "BASEMAP_FILE", "")
    if named and not Path(named).is_file():
        return [Warning(f"ZHENJIE_BASEMAP 指向的底图文件不存在：{named}", hint="检查路径，或取消该设置", id="zhenjie.W101")]
    path = tile_file_path()
    if path is None:
        return []
    try:
        describe(path)
    except (TileFileError, OSError) as error:
        return [Warning(f"底图文件 {path.name} 无法使用：{error}", hint="换用栅格 MBTiles 或 PMTiles 文件(docs/DEPLOYMENT.md)", id="zhenjie.W102")]
    return []
