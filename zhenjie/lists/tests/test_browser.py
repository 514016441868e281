"""The public list pages in headless Chromium: list and search the demo lists, read and print a
guide, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from zhenjie.testing import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
GUIDE_FIELDS = [
    "code", "service_type", "handling_level", "agent_point", "statutory_days", "promised_days", "visits", "online", "fee", "fee_basis",
    "result", "conditions", "materials", "steps", "place", "hours", "phone", "legal_basis",
]


@pytest.mark.slow  # the demo, built with commits for the live server
def test_citizens_list_search_and_print_the_demo_lists_without_logging_in(chromium, live_server, live_demo, artifacts):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/public/lists/")
    page.get_by_role("link", name=re.compile("柳湾镇")).click()
    assert page.locator("h1").inner_text() == "柳湾镇"
    assert page.get_by_test_id("section-power").locator(".stat-value").inner_text() == "141"
    assert page.get_by_test_id("section-duties").locator(".stat-value").inner_text() == "98"
    assert page.get_by_test_id("section-services").locator(".stat-value").inner_text() == "239"
    assert page.get_by_test_id("delegated").locator("tbody tr").count() == 14  # the developed town's delegations in force

    # the power list, then a search as people type it: pinyin initials, results update in place
    page.get_by_test_id("section-power").click()
    assert page.get_by_test_id("total-count").inner_text() == "141"
    page.get_by_test_id("search").press_sequentially("ltfsjg", delay=60)  # 露天焚烧秸秆
    page.wait_for_url(re.compile(r"q=ltfsjg"))
    wait_until(page, "document.querySelectorAll('[data-testid=items] tbody tr').length < 5")
    found = page.get_by_test_id("items").inner_text()
    assert "对露天焚烧秸秆、落叶等产生烟尘污染物质的行政处罚" in found and "对违法建设的建筑物" not in found

    # the local-duty list searched by name
    page.goto(f"{live_server.url}/public/lists/990121101000/duties/")
    page.get_by_test_id("search").press_sequentially("食品", delay=60)
    page.wait_for_url(re.compile(r"q=%E9%A3%9F%E5%93%81"))
    duties = page.get_by_test_id("items").inner_text()
    assert "食品小作坊、小餐饮和食品摊贩监管" in duties and "县市场监督管理局" in duties

    # the service guides: search by initials, open one, every field is there
    page.goto(f"{live_server.url}/public/lists/990121101000/services/")
    page.get_by_test_id("search").press_sequentially("zdshbz", delay=60)  # 最低生活保障
    page.wait_for_url(re.compile(r"q=zdshbz"))
    page.get_by_role("link", name="最低生活保障申请").first.click()
    guide = page.get_by_test_id("guide")
    guide.wait_for()
    for field in GUIDE_FIELDS:
        cell = guide.locator(f"[data-field={field}]")
        assert cell.count() == 1 and cell.inner_text().strip(), field
    assert "申请人居民身份证" in guide.locator("[data-field=materials]").inner_text()
    assert "容缺(可后补)" in guide.locator("[data-field=materials]").inner_text()
    expect(page.get_by_test_id("print")).to_be_visible()
    page.screenshot(path=str(artifacts / "lists-guide-desktop.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print")).to_be_hidden()
    expect(page.locator(".breadcrumb")).to_be_hidden()
    expect(guide).to_be_visible()
    context.close()

    # on a phone, the same guide reads in one column
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/public/lists/990121102000/services/?f=village")
    assert "村级代办" in page.get_by_test_id("items").inner_text()
    page.get_by_test_id("items").locator("tbody tr a").first.click()
    assert page.get_by_test_id("guide").locator("[data-field=agent_point]").inner_text().startswith("是")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "lists-guide-phone.png"), full_page=True)
    context.close()


def test_a_county_administrator_edits_imports_and_publishes_a_draft_in_the_browser(chromium, live_server, world, artifacts, tmp_path):
    from zhenjie.lists.exports import export_version
    from zhenjie.testing import PASSWORD

    from .builders import township_power_list

    version = township_power_list(world, world.a, count=5)
    exported = tmp_path / "甲镇权责清单.xlsx"
    export_version(version).save(exported)
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "county_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="清单管理").click()
    page.get_by_role("link", name="甲镇权责清单").click()
    page.get_by_role("button", name="建立新草稿").click()
    assert page.get_by_test_id("version-state").inner_text() == "草稿"

    # search as you type, in place
    page.get_by_placeholder("按名称、编码或拼音首字母搜索").press_sequentially("CF004", delay=40)
    wait_until(page, "document.querySelectorAll('[data-testid=items] tbody tr').length === 1")

    # import the exported file and watch the job finish
    page.get_by_role("link", name="从Excel导入").click()
    page.set_input_files("#id_file", str(exported))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("[data-testid=import-status][data-state=done]")
    assert "已导入5项" in page.get_by_test_id("import-message").inner_text()
    page.get_by_role("link", name="返回草稿").click()

    # add an item through the form
    page.get_by_role("link", name="新增事项").click()
    page.fill("#id_code", "JC001")
    page.fill("#id_name", "对农村村民建房的行政检查")
    page.select_option("#id_power_type", label="行政检查")
    page.fill("#id_legal_basis", "《中华人民共和国城乡规划法》第五十三条")
    page.select_option("#id_implementing_unit", label="甲镇人民政府")
    page.select_option("#id_level", label="乡镇")
    page.fill("#id_responsibilities", "检查责任：由两名以上执法人员实施检查。")
    page.fill("#id_accountability", "没有法律依据实施检查的。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已新增：JC001")

    # publish, then compare with the version before
    page.fill("#id_effective_from", "2026-12-01")
    page.fill("#id_note", "新增农村建房检查")
    page.get_by_role("button", name="发布").click()
    page.wait_for_selector("text=已发布第2版，2026-12-01起施行")
    assert page.get_by_test_id("version-state").inner_text() == "已发布"
    page.get_by_role("link", name="与第1版比较").click()
    assert page.get_by_test_id("added-count").inner_text() == "1"
    assert "对农村村民建房的行政检查" in page.get_by_test_id("added").inner_text()
    page.screenshot(path=str(artifacts / "lists-diff.png"), full_page=True)
    context.close()
