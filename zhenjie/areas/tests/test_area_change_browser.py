"""The county administrator moves a village to the other township in headless Chromium, and
the old township's leader sees it greyed under their township."""

import pytest
from playwright.sync_api import expect

from zhenjie.areas.models import Area
from zhenjie.testing import browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


def test_a_village_is_moved_from_the_page_and_greyed_under_its_old_township(chromium, live_server, world, artifacts):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_log_in(page, live_server, "county_admin")
    page.get_by_role("link", name="区划调整").click()
    page.wait_for_selector("[data-area-change-form]")
    # Only the fields the kind uses are shown.
    page.select_option("#id_kind", "rename")
    expect(page.locator("#id_new_name")).to_be_visible()
    expect(page.locator("#id_target")).to_be_hidden()
    page.select_option("#id_kind", "move")
    expect(page.locator("#id_target")).to_be_visible()
    expect(page.locator("#id_new_code")).to_be_visible()
    assert page.locator("label[for='id_target']").inner_text().startswith("新隶属的乡镇(街道)")

    page.select_option("#id_area", label="甲镇 · 甲一村（村 990199101201）")
    page.select_option("#id_target", label="乙镇（镇 990199102000）")
    page.fill("#id_new_code", "990199101205")  # wrong township prefix first
    page.fill("#id_document_number", "测民〔2026〕8号")
    page.get_by_role("button", name="登记").click()
    assert "应以上级「乙镇」的代码 990199102 开头" in page.locator("[data-field-error='new_code']").inner_text()
    expect(page.locator("#id_target")).to_be_visible()  # the form keeps its kind's fields after a refusal

    page.fill("#id_new_code", "990199102205")
    page.get_by_role("button", name="登记").click()
    page.wait_for_selector("[data-testid=area-change-row]")
    assert "甲一村调整隶属乙镇(新代码990199102205)" in page.get_by_test_id("area-change-row").inner_text()
    assert "已生效" in page.get_by_test_id("area-change-row").inner_text()
    page.screenshot(path=str(artifacts / "area-change.png"), full_page=True)
    context.close()
    assert Area.objects.get(code="990199102205").parent_id == world.b.pk

    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    browser_log_in(page, live_server, "leader_a")
    page.goto(f"{live_server.url}/areas/{world.a.pk}/")
    retired = page.get_by_test_id("retired-child")
    assert "甲一村" in retired.inner_text() and "→ 甲一村" in retired.inner_text()
    retired.click()
    page.wait_for_selector("[data-testid=area-retired]")
    assert "撤销" in page.get_by_test_id("area-retired").inner_text()
    assert "甲一村调整隶属乙镇" in page.get_by_test_id("area-history").inner_text()
    context.close()
    assert not errors, errors
