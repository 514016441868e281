"""The command screen in headless Chromium: the wall screen at 1920×1080 draws its map and
charts and picks up a newly reported event by itself; a phone gets the leader's version."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhenjie.calls import actions as calls
from zhenjie.events import actions
from zhenjie.kernel.models import Case
from zhenjie.testing import PASSWORD, make_event, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def log_in(page, live_server, username, next_path):
    """Through the login form, straight on to the screen (as a bookmarked wall screen does)."""
    page.goto(f"{live_server.url}/accounts/login/?next={quote(next_path)}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def township_a_at_work(world):
    """A morning in township A: reports from several channels and places, some dispatched, one
    late, one call to the police; and one event in township B that A must not see."""
    places = [(116.01, 35.01), (116.03, 35.02), (116.02, 35.04), (116.04, 35.03), (116.012, 35.035)]
    kinds = [("sanitation", "grid"), ("noise", "citizen"), ("street_vending", "grid"), ("road_facility", "hotline"),
             ("safety_hazard", "grid"), ("sanitation", "walk_in"), ("river_lake", "grid")]
    events = []
    for index, (category, channel) in enumerate(kinds):
        lng, lat = places[index % len(places)]
        reporter = world.clerk_a if channel == "walk_in" else world.grid_worker_a
        events.append(make_event(world, category=category, channel=channel, lng=lng, lat=lat, reporter=reporter))
    for event in events[:4]:
        actions.register_event(world.dispatcher_a, event)
        actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="由社会治理办处置")
    Case.objects.filter(pk=events[0].case_id).update(due_at=timezone.now() - timedelta(hours=2))
    calls.call_departments(world.dispatcher_a, events[1].case, [world.police], "夜间噪声，请派员执法", 3)
    make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, description="乙镇的事件")


def test_the_wall_screen_draws_and_counts_a_new_event_without_reloading(chromium, live_server, world, artifacts):
    township_a_at_work(world)
    context = chromium.new_context(viewport=WALL, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    log_in(page, live_server, "dispatcher_a", "/dashboard/?refresh=2")
    page.wait_for_url(f"{live_server.url}/dashboard/?refresh=2")

    page.wait_for_selector("#screen-map[data-ready='1']")
    wait_until(page, "document.querySelectorAll('[data-chart][data-drawn=\"1\"]').length === 4")
    assert page.locator("#screen-map").get_attribute("data-areas") == "1"  # township A's one village
    assert page.locator("#screen-map").get_attribute("data-points") == "7"  # B's event is not on A's map
    assert page.get_by_test_id("count-reported-today").inner_text() == "7"
    assert page.get_by_test_id("count-overdue").inner_text() == "1"
    expect(page.get_by_test_id("ranking").get_by_text("测试县公安局")).to_be_visible()
    # Nothing on a wall screen may need scrolling.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    page.wait_for_timeout(700)  # let the charts' entry animation finish before the picture
    page.screenshot(path=str(artifacts / "dashboard-wall-1920x1080.png"))

    page.evaluate("window.stillTheSamePage = true")
    make_event(world, category="forest_fire", lng=116.045, lat=35.045, description="山脚有烟")

    wait_until(page, "document.querySelector('[data-testid=count-reported-today]').textContent === '8'", timeout=15000)
    assert page.evaluate("window.stillTheSamePage === true")  # updated in place, not reloaded
    wait_until(page, "document.querySelector('#screen-map').dataset.points === '8'", timeout=15000)
    context.close()


def test_a_leader_on_a_phone_gets_the_leaders_version(chromium, live_server, world, artifacts):
    township_a_at_work(world)
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, "leader_a", "/dashboard/")
    page.wait_for_url(f"{live_server.url}/dashboard/leader/")

    page.wait_for_selector("#leader-map[data-ready='1']")
    wait_until(page, "document.querySelectorAll('[data-chart][data-drawn=\"1\"]').length === 4")
    assert page.get_by_test_id("count-reported_today").inner_text() == "7"
    expect(page.get_by_test_id("count-overdue")).to_be_visible()
    # Made for the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_timeout(700)
    page.screenshot(path=str(artifacts / "dashboard-leader-phone.png"), full_page=True)
    context.close()


def test_the_analysis_page_draws_its_charts_and_a_warning_is_acknowledged_in_place(chromium, live_server, world, artifacts):
    township_a_at_work(world)
    for _ in range(3):
        make_event(world, category="street_vending", lng=116.02, lat=35.02)
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    log_in(page, live_server, "leader_a", "/analysis/")
    wait_until(page, "document.querySelectorAll('[data-chart][data-drawn=\"1\"]').length === 4")
    assert page.get_by_test_id("total-reported").inner_text() == "10"
    page.wait_for_timeout(700)
    page.screenshot(path=str(artifacts / "dashboard-analysis.png"), full_page=True)

    page.get_by_test_id("analysis-tabs").get_by_role("link", name="预警").click()
    row = page.get_by_test_id("warning-row")
    assert "甲一村 7天内发生 3 起占道经营" in row.inner_text()
    page.evaluate("window.stillTheSamePage = true")
    row.get_by_label("研判意见").fill("已安排执法队错时巡查")
    row.get_by_role("button", name="确认").click()
    page.wait_for_selector("[data-testid=warning-row] >> text=已确认 · leader_a")
    assert page.evaluate("window.stillTheSamePage === true")  # the row was swapped by HTMX
    context.close()
