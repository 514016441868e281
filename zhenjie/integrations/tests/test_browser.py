"""The county administrator's key page and a dispatcher's 12345 import, in headless Chromium at
phone width: what people on a small screen actually see."""

import pytest

from zhenjie.events.models import Event
from zhenjie.testing import browser_log_in

from .test_hotline_import import order, sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_key_is_created_and_shown_once_and_a_hotline_sheet_is_imported(chromium, live_server, world, artifacts, tmp_path):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    browser_log_in(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/integrations/keys/")
    page.fill("#id_key-name", "市12345热线平台")
    page.select_option("#id_key-channel", "hotline")
    page.get_by_role("button", name="创建密钥").click()
    shown = page.get_by_test_id("new-key").locator("code").inner_text()
    assert shown.startswith("zj_")
    page.screenshot(path=str(artifacts / "integrations-key-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/integrations/keys/")
    assert page.get_by_test_id("new-key").count() == 0 and shown not in page.content()
    context.close()

    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    browser_log_in(page, live_server, "dispatcher_a")
    page.goto(f"{live_server.url}/integrations/hotline/")
    workbook = tmp_path / "工单.xlsx"
    workbook.write_bytes(sheet([order("12345-001"), order("12345-002", 问题分类="市容环境")]))
    page.set_input_files("#id_file", str(workbook))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#import-progress[data-state='refused']")
    assert "发现1处错误，整个文件未导入" in page.get_by_test_id("import-message").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not Event.objects.exists()

    page.goto(f"{live_server.url}/integrations/hotline/")
    workbook.write_bytes(sheet([order("12345-001"), order("12345-002")]))
    page.set_input_files("#id_file", str(workbook))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#import-progress[data-state='succeeded']")
    assert "已导入2件" in page.get_by_test_id("import-message").inner_text()
    page.screenshot(path=str(artifacts / "integrations-import-phone.png"), full_page=True)
    assert sorted(Event.objects.values_list("case__external_id", "channel")) == [("12345-001", "hotline"), ("12345-002", "hotline")]
    context.close()


def test_the_hotline_callback_is_set_and_a_closed_events_answer_shows_on_its_page(chromium, live_server, world, artifacts):
    from zhenjie.integrations.models import HotlineAnswer

    from .test_hotline_answers import SECRET, Receiver, handled, hotline_event

    with Receiver() as hotline:
        context = chromium.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        browser_log_in(page, live_server, "county_admin")
        page.goto(f"{live_server.url}/integrations/keys/")
        page.fill("#id_callback-url", hotline.url)
        page.fill("#id_callback-secret", SECRET)
        page.get_by_test_id("hotline-callback").get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        assert "已保存12345办理结果回传设置" in page.content() and SECRET not in page.content()
        context.close()

        event = handled(world, hotline_event(world))
        context = chromium.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        browser_log_in(page, live_server, "dispatcher_a")
        page.goto(f"{live_server.url}/events/{event.case_id}/")
        page.get_by_role("button", name="结案", exact=True).click()
        page.wait_for_selector("[data-testid=case-state] >> text=已办结")
        page.reload()
        assert page.get_by_test_id("hotline-answer-state").inner_text() == "已送达"
        page.get_by_test_id("event-hotline").screenshot(path=str(artifacts / "integrations-hotline-answer-phone.png"))
        context.close()
        context = chromium.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        browser_log_in(page, live_server, "county_admin")
        page.goto(f"{live_server.url}/integrations/hotline/answers/")
        assert "12345-20261201-0042" in page.get_by_test_id("hotline-answer").inner_text()
        page.screenshot(path=str(artifacts / "integrations-hotline-answers-phone.png"), full_page=True)
        context.close()
    assert HotlineAnswer.objects.get(event=event).state == "delivered" and len(hotline.received) == 1
