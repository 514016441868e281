"""The agent's own page on a phone (390×844): their point, the originals held, and recording
that they were carried to the centre."""

import pytest
from playwright.sync_api import expect

from zhenjie.testing import PASSWORD
from zhenjie.window.models import PaperTransfer
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State
from zhenjie.workbench.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_an_agent_records_carrying_originals_from_their_phone(chromium, live_server, artifacts):
    ww = make_window_world()
    make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)

    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "agent_a", PASSWORD)
    page.goto(f"{live_server.url}/window/points/mine/")

    assert page.locator("h1").inner_text() == "我的代办点"
    assert page.get_by_test_id("held-count").inner_text() == "1"
    held_card = page.get_by_test_id("held")
    expect(held_card.get_by_text(held.case.number)).to_be_visible()
    expect(page.get_by_test_id("to-bring").get_by_text("登记送回")).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling on the agent's page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    held_card.get_by_label("中心签收人").fill("窗口张三")
    held_card.get_by_role("button", name="登记送交").click()
    page.wait_for_selector("text=交接已登记")
    assert page.get_by_test_id("held-count").inner_text() == "0"
    assert PaperTransfer.objects.get().received_by == "窗口张三"
    page.screenshot(path=str(artifacts / "agent-home-phone.png"), full_page=True)
    context.close()
