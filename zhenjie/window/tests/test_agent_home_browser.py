"""The agent's own page on a phone (390×844): their point, the originals held, and recording
that they were carried to the centre; an agent of two points files at the one they choose."""

import pytest
from playwright.sync_api import expect

from zhenjie.testing import PASSWORD, citizen_id
from zhenjie.window.models import Application, PaperTransfer
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State
from zhenjie.workbench.tests.test_browser import log_in

from .two_posts import make_second_post

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


def test_an_agent_of_two_points_files_at_the_second_from_their_phone(chromium, live_server, artifacts):
    ww = make_window_world()
    make_second_post(ww)

    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, "agent_a", PASSWORD)
    page.goto(f"{live_server.url}/window/points/mine/")
    expect(page.get_by_test_id("agent-point")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="在甲二村代办点收件").click()

    # Step one: the choice of point, the second one marked; the item list is that point's.
    choice = page.get_by_test_id("point-choice")
    expect(choice.locator("[aria-current=true]")).to_have_text("甲二村代办点")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "agent-point-choice-phone.png"), full_page=True)
    page.get_by_test_id("item-choice").filter(has_text="老年人优待证代办").click()

    # Step two: the form names the point and may still change it.
    assert page.get_by_label("受理代办点").locator("option:checked").inner_text() == "甲二村代办点"
    page.get_by_label("申请人姓名或单位名称").fill("王秀英")
    page.get_by_label("公民身份号码或统一社会信用代码").fill(citizen_id(21))
    page.get_by_label("联系电话").fill("13800138000")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("file-application").click()
    page.get_by_test_id("filed-code").wait_for()

    assert Application.objects.get().intake_unit.name == "甲二村村民委员会"
    page.screenshot(path=str(artifacts / "agent-two-points-phone.png"), full_page=True)
    context.close()
