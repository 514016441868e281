"""Issue 13 item 5: a base map without the internet. A county drops one raster MBTiles or PMTiles
file into var/ (or names it in ZHENJIE_BASEMAP); the platform serves its tiles at /tiles/z/x/y to
staff, and every map reads one config. The files are built here, tile by tile, in distinct colours."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from zhenjie.testing import make_mbtiles, make_pmtiles, tile_png
from zhenjie.workbench import basemap

pytestmark = pytest.mark.django_db

# XYZ (y from the north) → colour. At z=1 the north-west tile is (1, 0, 0): in MBTiles it is row 1.
COLOURS = {(0, 0, 0): "white", (1, 0, 0): "red", (1, 0, 1): "blue", (1, 1, 0): "green", (2, 3, 1): "yellow"}


def colour_of(response) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(b"".join(response))).convert("RGB").getpixel((128, 128))


RGB = {"white": (255, 255, 255), "red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 128, 0), "yellow": (255, 255, 0)}


@pytest.fixture
def mbtiles(tmp_path, settings):
    path = make_mbtiles(tmp_path / "county.mbtiles", {k: tile_png(c) for k, c in COLOURS.items()}, bounds="115.5,34.5,116.5,35.5", attribution="某县自然资源局")
    settings.BASEMAP_FILE = str(path)
    return path


@pytest.mark.parametrize("kind", ["mbtiles", "pmtiles"])
def test_each_tile_comes_back_in_its_own_colour_with_the_mbtiles_row_flipped(client, world, tmp_path, settings, kind):
    tiles = {k: tile_png(c) for k, c in COLOURS.items()}
    path = make_mbtiles(tmp_path / "c.mbtiles", tiles) if kind == "mbtiles" else make_pmtiles(tmp_path / "c.pmtiles", tiles)
    settings.BASEMAP_FILE = str(path)
    client.force_login(world.grid_worker_a)  # the grid worker's phone draws on it too
    for (z, x, y), colour in COLOURS.items():
        response = client.get(f"/tiles/{z}/{x}/{y}")
        assert response.status_code == 200, (z, x, y)
        assert response["Content-Type"] == "image/png"
        assert colour_of(response) == RGB[colour], (kind, z, x, y)
        assert response["Cache-Control"] == "private, max-age=86400" and response["X-Content-Type-Options"] == "nosniff"


def test_a_missing_tile_is_404_and_coordinates_outside_the_zoom_are_400(client, world, mbtiles):
    client.force_login(world.leader_a)
    assert client.get("/tiles/1/1/1").status_code == 404  # inside the world, not in the file
    assert client.get("/tiles/9/0/0").status_code == 404  # beyond the file's zooms
    for bad in ("/tiles/1/2/0", "/tiles/1/0/2", "/tiles/25/0/0", "/tiles/3/8/0"):
        response = client.get(bad)
        assert response.status_code == 400 and "瓦片坐标超出范围" in response.content.decode(), bad
    for not_a_tile in ("/tiles/1/0/-1", "/tiles/1/0/x", "/tiles/123/0/0", "/tiles/1/0/123456789", "/tiles/1/0/0.png"):
        assert client.get(not_a_tile).status_code == 404, not_a_tile


def test_only_staff_who_are_logged_in_get_tiles(client, world, mbtiles):
    assert client.get("/tiles/0/0/0").status_code == 403
    from zhenjie.accounts.models import User

    citizen = User.objects.create(username="citizen1", kind=User.Kind.CITIZEN)
    client.force_login(citizen)
    assert client.get("/tiles/0/0/0").status_code == 403


def test_without_a_file_every_tile_is_404_and_maps_get_no_base_map(client, world):
    client.force_login(world.leader_a)
    assert client.get("/tiles/0/0/0").status_code == 404
    page = client.get(reverse("workbench:areas")).content.decode()
    assert '<script id="zhenjie-basemap" type="application/json">null</script>' in page


def test_every_map_page_reads_the_one_config_from_the_file(client, world, mbtiles):
    config = basemap.config()
    assert config == {
        "url": "/tiles/{z}/{x}/{y}", "minZoom": 0, "maxNativeZoom": 2, "bounds": (115.5, 34.5, 116.5, 35.5),
        "attribution": "某县自然资源局", "source": "file",
    }
    client.force_login(world.dispatcher_a)
    for url in (reverse("workbench:areas"), reverse("workbench:home"), reverse("dashboard:home"), reverse("dashboard:leader"),
                reverse("grid:grid", args=[world.grid_a.pk])):
        page = client.get(url).content.decode()
        assert '"url": "/tiles/{z}/{x}/{y}"' in page and "zhenjie/basemap.js" in page, url


def test_a_file_dropped_into_var_is_found_and_wins_over_a_tile_server(client, world, tmp_path, settings):
    settings.BASEMAP_DIR = tmp_path
    settings.MAP_TILE_URL = "http://tiles.county.intranet/{z}/{x}/{y}.png"
    assert basemap.config()["source"] == "server"
    make_mbtiles(tmp_path / "territory.mbtiles", {(0, 0, 0): tile_png("white")})
    assert basemap.config()["source"] == "file"
    client.force_login(world.leader_a)
    assert colour_of(client.get("/tiles/0/0/0")) == RGB["white"]


def test_a_vector_or_broken_file_is_not_served_and_maps_fall_back(world, tmp_path, settings):
    vector = make_mbtiles(tmp_path / "vector.mbtiles", {(0, 0, 0): b"\x1a\x00"}, fmt="pbf")
    settings.BASEMAP_FILE = str(vector)
    with pytest.raises(basemap.TileFileError, match="只支持栅格瓦片"):
        basemap.describe(vector)
    assert basemap.config() is None
    assert [w.id for w in basemap.check_basemap()] == ["zhenjie.W102"]  # manage.py check says so
    broken = tmp_path / "broken.pmtiles"
    broken.write_bytes(b"not a tile archive" * 10)
    settings.BASEMAP_FILE = str(broken)
    with pytest.raises(basemap.TileFileError, match="PMTiles"):
        basemap.describe(broken)
    assert basemap.config() is None
    settings.BASEMAP_FILE = str(tmp_path / "absent.mbtiles")
    assert [w.id for w in basemap.check_basemap()] == ["zhenjie.W101"] and basemap.config() is None


def test_a_good_file_or_none_passes_the_check(world, mbtiles, settings):
    assert basemap.check_basemap() == []
    settings.BASEMAP_FILE = ""
    assert basemap.check_basemap() == []


def test_tiles_from_the_local_file_need_no_other_origin_in_the_policy(client, world, mbtiles):
    client.force_login(world.leader_a)
    policy = client.get(reverse("workbench:areas"))["Content-Security-Policy"]
    img_src = next(part.strip() for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img_src == "img-src 'self' data: blob:"
