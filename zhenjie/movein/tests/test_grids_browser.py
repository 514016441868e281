"""The county administrator uploads grid files in a real browser: a zipped Shapefile in a
projected system with a grid that strays out of its village is refused with the stray part on the
map; a GeoJSON with two overlapping grids is previewed on the map, confirmed and written."""

import pytest

from zhenjie.areas.models import Area
from zhenjie.areas.tests.grid_files import geojson_file, shapefile_zip
from zhenjie.testing import browser_log_in, square

from .test_browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, live_server, path):
    page.goto(f"{live_server.url}/console/movein/grids/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("[data-grid-preview][data-ready='1']")


def test_the_preview_map_draws_the_grids_over_their_village_with_what_is_refused_or_flagged(chromium, live_server, world, artifacts, tmp_path):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    browser_log_in(page, live_server, "county_admin")

    stray = tmp_path / "网格-越界.zip"
    stray.write_bytes(shapefile_zip([
        ("990199101201002", "甲一村第2网格", square(116.05, 35.0, 0.05)),
        ("990199101201003", "越界网格", square(116.08, 35.05, 0.05)),
    ], epsg=4527))
    upload(page, live_server, stray)
    assert "发现1处错误，整个文件未导入" in page.get_by_test_id("movein-refused").inner_text()
    assert "仅有 40.0% 位于所属村(社区)「甲一村」内" in page.locator("table").first.inner_text()
    assert page.locator("path.grid-preview-village").count() == 1
    assert page.locator("path.grid-preview-existing").count() == 1  # 第1网格, kept
    assert page.locator("path.grid-preview-refused").count() == 1
    assert page.locator("path.grid-preview-outside").count() == 1
    page.screenshot(path=str(artifacts / "grids-refused-map.png"), full_page=True)
    assert not Area.objects.filter(code="990199101201002").exists()

    good = tmp_path / "网格.geojson"
    good.write_bytes(geojson_file([
        ("990199101201002", "甲一村第2网格", square(116.05, 35.0, 0.05)),
        ("990199101201003", "甲一村第3网格", square(116.0, 35.045, 0.05)),  # overlaps 第1网格 by a strip
    ]))
    upload(page, live_server, good)
    assert page.get_by_test_id("count-new").inner_text() == "2"
    assert page.locator("path.grid-preview-new").count() == 2
    assert page.locator("path.grid-preview-overlap").count() == 1
    assert "网格重叠：「甲一村第3网格」(990199101201003)与「甲一村第1网格」(990199101201001)重叠约" in page.content()
    page.locator("path.grid-preview-overlap").hover()
    assert "重叠约" in page.locator(".leaflet-tooltip").inner_text()
    page.screenshot(path=str(artifacts / "grids-preview-map.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector(".alert-success")
    assert Area.objects.filter(level="grid", parent=world.village_a).count() == 3
    assert problems == []
    context.close()
