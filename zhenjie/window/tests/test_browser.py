"""Intake in a real browser, at phone width: a window clerk finds the item by its pinyin initials,
files it with one paper missing, issues the one-time notice, and the notice's link serves a PDF
naming that paper. No console error (CSP: no inline script or style)."""

import pytest

from zhenjie.testing import PASSWORD, citizen_id
from zhenjie.window.models import Application, Notice
from zhenjie.window.testing import make_window_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_files_with_a_paper_missing_and_issues_the_notice(chromium, live_server, artifacts):
    ww = make_window_world()
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", ww.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/window/new/")
    page.get_by_test_id("item-search").fill("zdsh")
    page.get_by_test_id("item-search").press("Enter")
    page.get_by_test_id("item-choice").first.click()
    page.get_by_label("申请人姓名或单位名称").fill("王秀英")
    page.get_by_label("公民身份号码或统一社会信用代码").fill(citizen_id(21))
    page.get_by_label("联系电话").fill("13800138000")
    form_row = page.locator("[data-testid^='material-']").nth(2)  # 申请表, the guide's third
    form_row.locator("select[name$='_status']").select_option("missing")
    page.screenshot(path=str(artifacts / "window-intake-phone.png"), full_page=True)
    page.get_by_test_id("file-application").click()
    page.get_by_test_id("case-number").wait_for()
    application = Application.objects.get()
    assert page.get_by_test_id("case-state").inner_text() == "待受理"

    material = application.materials.get(name="申请表")
    page.locator(f"#id_p{material.pk}").fill("未提交申请表，请到窗口领取填写并签名")
    page.get_by_role("button", name="一次性告知").click()
    page.get_by_test_id("notice-pdf").wait_for()
    assert page.get_by_test_id("case-state").inner_text() == "待补正"
    notice = Notice.objects.get()
    response = page.request.get(f"{live_server.url}/documents/{notice.document_id}/pdf/")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    page.screenshot(path=str(artifacts / "window-notice.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    context.close()
