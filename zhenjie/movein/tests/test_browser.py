"""An administrator uploads the division file, sees the preview, confirms and sees the tree —
in headless Chromium, with a console watching for CSP violations and script errors."""

import pytest

from zhenjie.areas.models import Area
from zhenjie.testing import browser_log_in

from .builders import AREA_HEADERS, county_tree, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


def test_the_county_administrator_uploads_the_division_file_previews_confirms_and_sees_the_tree(chromium, live_server, world, artifacts, tmp_path):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    browser_log_in(page, live_server, "county_admin")

    page.get_by_role("link", name="迁入(数据导入)").click()
    page.get_by_test_id("movein-kind-areas").click()
    bad = tmp_path / "区划-有误.xlsx"
    bad.write_bytes(xlsx(AREA_HEADERS, [["990199009000", "九镇", "镇", "", "", ""]]))
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并预览").click()
    assert "发现1处错误，整个文件未导入" in page.get_by_test_id("movein-refused").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.goto(f"{live_server.url}/console/movein/areas/")
    good = tmp_path / "区划.xlsx"
    good.write_bytes(county_tree(rename_b="乙乡"))
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="上传并预览").click()
    assert page.get_by_test_id("count-new").inner_text() == "3"
    assert page.get_by_test_id("count-changed").inner_text() == "1"
    preview = page.get_by_test_id("movein-preview").inner_text()
    assert "城关街道(990199001000)" in preview and "乙镇" in preview and "乙乡" in preview
    page.screenshot(path=str(artifacts / "movein-preview.png"), full_page=True)
    assert not Area.objects.filter(code="990199001000").exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server.url}/areas/{world.county.pk}/")
    tree = page.locator(".list-group").first.inner_text()
    assert "城关街道" in tree and "乙乡" in tree and "甲镇" in tree
    page.get_by_role("link", name="城关街道").click()
    assert "东门社区" in page.locator(".list-group").first.inner_text()
    page.screenshot(path=str(artifacts / "movein-tree.png"), full_page=True)
    assert problems == []
    context.close()
