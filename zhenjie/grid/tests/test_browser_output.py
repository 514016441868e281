"""Stored script injection, in headless Chromium (issue 12, item 2; ASVS 3.2.2, 3.4.3; 等保 8.1.4.4):
a grid worker's patrol finding and an area's name carrying `<img src=x onerror=…>` are shown on
the leaders' maps and charts as text, the script never runs, the Content-Security-Policy header
is on the page, and nothing on these pages trips the policy (no inline script or style is left)."""

import pytest

from zhenjie.areas.models import Area
from zhenjie.events.models import Category
from zhenjie.grid import actions
from zhenjie.testing import browser_log_in, make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = "<img src=x onerror=window.__pwned=1>"
AREA_NAME = f"{PAYLOAD}第1网格"
DESKTOP = {"width": 1280, "height": 800}

# Every Content-Security-Policy violation on the page is recorded (the listener is installed by
# the browser driver, outside the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def open_page(chromium, live_server, username):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    browser_log_in(page, live_server, username)
    return context, page


def tooltips_on_hover(page, map_selector: str) -> list[str]:
    """Point at every shape of the map (the mouse events Leaflet listens for) and collect what its
    tooltip says; an element inside a tooltip (the payload's <img>, had it been written as HTML)
    fails the test at once."""
    texts = []
    shapes = page.locator(f"{map_selector} path.leaflet-interactive")
    for index in range(shapes.count()):
        shapes.nth(index).dispatch_event("mouseover")
        # Read the open tooltips without waiting on any one of them: Leaflet removes the previous
        # shape's tooltip on its own schedule, and inner_text() on a vanished one waits out the
        # whole timeout (it did, once, under load in CI).
        tooltips = page.locator(".leaflet-tooltip")
        assert tooltips.locator("img").count() == 0
        texts.extend(tooltips.all_inner_texts())
        shapes.nth(index).dispatch_event("mouseout")
    return texts


def assert_unharmed(page) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations") == []


def test_a_findings_text_and_a_grids_name_are_shown_as_text_on_the_patrol_map(chromium, live_server, gw, artifacts):
    w = gw.world
    Area.objects.filter(pk=w.grid_a.pk).update(name=AREA_NAME)
    grid = Area.objects.get(pk=w.grid_a.pk)
    patrol = actions.start_patrol(w.grid_worker_a, grid, lng=116.01, lat=35.01)
    actions.add_positions(w.grid_worker_a, patrol, [{"lng": 116.02, "lat": 35.02}, {"lng": 116.03, "lat": 35.03}])
    actions.add_finding(w.grid_worker_a, patrol, description=PAYLOAD, needs_handling=True, lng=116.04, lat=35.04)
    actions.stop_patrol(w.grid_worker_a, patrol, summary=PAYLOAD)

    context, page = open_page(chromium, live_server, "dispatcher_a")
    response = page.goto(f"{live_server.url}/grid/patrols/{patrol.pk}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.wait_for_selector("#patrol-map[data-ready='1']")

    texts = tooltips_on_hover(page, "#patrol-map")
    assert PAYLOAD in texts and AREA_NAME in texts
    assert page.get_by_text(PAYLOAD).count() >= 1  # the summary and finding on the page, as text
    page.screenshot(path=str(artifacts / "xss-patrol-map.png"), full_page=True)
    assert_unharmed(page)

    # The areas map draws the same grid's name from the areas' GeoJSON (areamap.js).
    page.goto(f"{live_server.url}/areas/{w.village_a.pk}/")
    page.wait_for_selector("[data-geojson][data-ready='1']")
    assert AREA_NAME in tooltips_on_hover(page, "[data-geojson]")
    assert_unharmed(page)
    context.close()


def test_a_category_and_an_area_named_with_a_payload_stay_text_on_the_command_screen_and_charts(chromium, live_server, gw, artifacts):
    w = gw.world
    Category.objects.filter(code="sanitation").update(name=PAYLOAD[:40])
    Area.objects.filter(pk=w.village_a.pk).update(name=f"{PAYLOAD}村")
    for _ in range(3):
        make_event(w, description=PAYLOAD)

    context, page = open_page(chromium, live_server, "leader_a")
    page.set_viewport_size({"width": 1920, "height": 1080})
    response = page.goto(f"{live_server.url}/dashboard/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_selector("#screen-map[data-ready='1']")
    page.locator("[data-chart][data-drawn='1']").nth(3).wait_for()  # (no wait_for_function: its eval is refused by the CSP)
    for chart in page.locator("[data-chart]").all():  # each chart's tooltip (canvas text, not HTML)
        box = chart.bounding_box()
        for fraction in (0.3, 0.5, 0.7):
            page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * fraction)
            page.wait_for_timeout(100)
    # A township's few villages are named on the map itself (permanent tooltips).
    labels = [label.inner_text() for label in page.locator("#screen-map .leaflet-tooltip").all()]
    assert any(label.startswith(f"{PAYLOAD}村") for label in labels), labels
    assert page.locator("#screen-map .leaflet-tooltip img, #screen-map .leaflet-popup img").count() == 0
    page.screenshot(path=str(artifacts / "xss-screen.png"))
    assert_unharmed(page)

    page.goto(f"{live_server.url}/analysis/")
    page.locator("[data-chart][data-drawn='1']").first.wait_for()
    assert_unharmed(page)
    context.close()
