"""At phone width, a citizen without an account reports a problem with the phone's position and
a photo, gets the number and code, and follows it to the dispatcher's registration."""

import pytest
from PIL import Image

from zhenjie.events import actions
from zhenjie.events.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_citizen_reports_from_the_phone_and_follows_it(chromium, live_server, world, tmp_path, artifacts):
    photo = tmp_path / "路灯.jpg"
    Image.new("RGB", (320, 240), (40, 40, 60)).save(photo, format="JPEG")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", geolocation={"longitude": 116.01, "latitude": 35.01}, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/public/events/")
    assert page.get_by_test_id("position-status").inner_text() == "未定位（可选）"  # not asked for until wanted
    page.get_by_role("button", name="使用当前位置").click()
    page.wait_for_selector("[data-testid=position-status] >> text=已定位")
    page.select_option("#id_village", label="甲镇 · 甲一村")
    page.select_option("#id_category", label="道路设施")
    page.fill("#id_description", "村口路灯坏了一周")
    page.set_input_files("#report-form input[type=file]", str(photo))
    page.fill("#id_phone", "13812345678")
    page.click("#report-form button[type=submit]")
    code = page.get_by_test_id("tracking-code").inner_text()
    assert len(code) == 8 and page.get_by_test_id("event-number").inner_text().startswith("甲镇")
    page.screenshot(path=str(artifacts / "portal-reported-phone.png"), full_page=True)
    event = Event.objects.select_related("case").get()
    assert (event.channel, event.case.area_id, event.lng) == ("citizen", world.grid_a.pk, 116.01)

    actions.register_event(world.dispatcher_a, event)
    page.get_by_test_id("track-link").click()
    assert page.get_by_test_id("public-state").inner_text() == "已立案"
    assert page.get_by_test_id("public-timeline").locator("li").count() == 2
    page.screenshot(path=str(artifacts / "portal-track-phone.png"), full_page=True)
    context.close()
