"""The workbench and a task's life, in headless Chromium at desktop and phone width."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.slow]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page, live_server, username, password="Zhenjie@2026"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_the_workbench_looks_finished_on_desktop_and_phone(chromium, live_server, live_demo, artifacts):
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        log_in(page, live_server, "liuwan.leader")
        assert page.locator("h1").inner_text() == "工作台"
        pending = int(page.get_by_test_id("count-pending").inner_text())
        assert pending >= 1
        expect(page.locator("#my-posts").get_by_text("柳湾镇人民政府")).to_be_visible()
        page.wait_for_selector("#jurisdiction-map[data-ready='1']")
        assert page.locator("#jurisdiction-map path.leaflet-interactive").count() == 8  # the town's eight villages
        if name == "phone":
            expect(page.locator("#sidebar")).to_be_hidden()
            page.get_by_label("打开菜单").click()
            page.wait_for_selector("#sidebar.show")
            expect(page.locator("#sidebar").get_by_text("我的待办")).to_be_visible()
            page.keyboard.press("Escape")
            page.wait_for_selector("#sidebar", state="hidden")
        else:
            expect(page.locator("#sidebar").get_by_text("交办件")).to_be_visible()
        page.screenshot(path=str(artifacts / f"workbench-{name}.png"), full_page=True)
        context.close()


def test_a_task_goes_from_leader_to_office_and_back_in_the_browser(chromium, live_server, live_demo):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    leader = context.new_page()
    log_in(leader, live_server, "dongxi.leader")
    leader.goto(f"{live_server.url}/tasks/new/")
    leader.fill("#id_title", "排查村内危旧房屋")
    leader.select_option("#id_assignee_unit", label="上溪村村民委员会")
    leader.fill("#id_working_days", "3")
    leader.fill("#id_description", "对村内危旧房屋逐户排查，建立台账。")
    leader.get_by_role("button", name="交办").click()
    leader.wait_for_selector("[data-testid=case-state]")
    assert leader.get_by_test_id("case-state").inner_text() == "待签收"
    task_url = leader.url
    context.close()

    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    agent = context.new_page()
    log_in(agent, live_server, "dongxi.agent02")
    agent.goto(f"{live_server.url}/inbox/")
    agent.get_by_role("link", name="排查村内危旧房屋").click()
    agent.get_by_role("button", name="签收").click()
    agent.wait_for_selector("text=办理中")
    agent.fill("#id_report_back_result", "已排查32户，发现危房2处，已设置警示。")
    agent.get_by_role("button", name="反馈").click()
    agent.wait_for_selector("[data-testid=case-state] >> text=已反馈")
    timeline = agent.get_by_test_id("timeline").inner_text()
    assert "签收" in timeline and "反馈" in timeline
    assert agent.url == task_url
    context.close()
