"""Issue 13 item 5, in headless Chromium: with a tile file of the county in place, the areas map,
the grid's map and the command screen draw the file's tiles, fetched from the platform itself
(/tiles/…, 200, PNG), under the strict Content-Security-Policy; without one, the polygons alone."""

import pytest

from zhenjie.testing import browser_log_in, make_mbtiles, tile_png, tiles_covering

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__violations.push(e.violatedDirective + " " + e.blockedURI); });
"""


def logged_in(chromium, live_server, username):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    browser_log_in(page, live_server, username)
    return context, page


@pytest.fixture
def county_tiles(tmp_path, settings):
    """The test county's territory (make_world: 116.0–116.4 E, 35.0–35.4 N) at zooms 0–9, each
    zoom in its own colour; maps zoomed in further draw the zoom-9 tiles enlarged."""
    colours = ["#999999", "#888888", "#777777", "#666666", "#555555", "#444444", "#333333", "#225588", "#228855", "#aa5522"]
    tiles = {(z, x, y): tile_png(colours[z]) for z, x, y in tiles_covering(115.9, 34.9, 116.5, 35.5, range(10))}
    path = make_mbtiles(tmp_path / "county.mbtiles", tiles, bounds="115.9,34.9,116.5,35.5")
    settings.BASEMAP_FILE = str(path)
    return path


def tiles_drawn(page, map_selector, responses) -> int:
    page.wait_for_selector(f"{map_selector} .basemap-tiles img.leaflet-tile-loaded")
    loaded = page.locator(f"{map_selector} .basemap-tiles img.leaflet-tile-loaded").count()
    ok = [r for r in responses if "/tiles/" in r.url and r.status == 200 and r.headers.get("content-type") == "image/png"]
    assert ok, "no tile came from the platform"
    assert all(r.url.startswith(responses[0].url.split("/", 3)[0]) for r in ok)  # same origin, no outside host
    return loaded


def test_maps_draw_tiles_served_from_the_local_tile_file(chromium, live_server, world, county_tiles, artifacts):
    context, page = logged_in(chromium, live_server, "dispatcher_a")
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto(f"{live_server.url}/areas/")
    page.wait_for_selector("[data-geojson][data-ready='1']")
    assert tiles_drawn(page, "[data-geojson]", responses) >= 1
    assert page.locator("[data-geojson] path.leaflet-interactive").count() >= 1  # the polygons over the tiles
    page.screenshot(path=str(artifacts / "basemap-areas.png"))

    responses.clear()
    page.goto(f"{live_server.url}/grid/grids/{world.grid_a.pk}/")
    assert tiles_drawn(page, "[data-geojson]", responses) >= 1

    responses.clear()
    page.goto(f"{live_server.url}/dashboard/")
    assert tiles_drawn(page, "#screen-map", responses) >= 1
    page.screenshot(path=str(artifacts / "basemap-screen.png"))
    assert page.evaluate("window.__violations") == []
    context.close()


def test_without_a_tile_file_maps_draw_the_polygons_alone(chromium, live_server, world):
    context, page = logged_in(chromium, live_server, "dispatcher_a")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/areas/")
    page.wait_for_selector("[data-geojson][data-ready='1']")
    assert page.locator("[data-geojson] path.leaflet-interactive").count() >= 1
    assert page.locator(".leaflet-tile").count() == 0 and not [url for url in requested if "/tiles/" in url]
    assert page.evaluate("window.__violations") == []
    context.close()
