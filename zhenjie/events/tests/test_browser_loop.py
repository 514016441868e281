"""Issue 5, first "Done when": at phone width, a grid worker reports an event with a photo and a
position; it reaches the unit the local-duty list names (two categories whose lead departments
differ), is acknowledged, handled, fails verification once, is handled again, passes, closes, and
the reporter rates it; the timeline shows every step with who and when."""

import re

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
INSIDE_LIUWAN_GRID_1 = {"longitude": 117.329, "latitude": 35.425}  # 柳湾社区第1网格 of the demo county


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "现场.jpg"
    Image.new("RGB", (320, 240), (90, 140, 60)).save(path, format="JPEG")
    return str(path)


def phone(chromium, live_server, username, **options):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", **options)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Zhenjie@2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def report(page, live_server, category: str, description: str, photo: str) -> str:
    page.goto(f"{live_server.url}/events/report/")
    page.wait_for_selector("[data-testid=position-status] >> text=已定位")
    page.select_option("#id_category", label=category)
    page.fill("#id_description", description)
    page.set_input_files("#report-form input[type=file]", photo)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-testid=case-state] >> text=待受理")
    return page.url


def click(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_an_event_goes_round_the_whole_loop_at_phone_width(chromium, live_server, live_demo, photo, artifacts):
    geo = {"geolocation": INSIDE_LIUWAN_GRID_1, "permissions": ["geolocation"]}
    worker = phone(chromium, live_server, "liuwan.grid01", **geo)
    url = report(worker, live_server, "食品安全", "小饭馆后厨卫生脏乱，疑似使用过期食材", photo)
    assert worker.locator("img[alt='现场.jpg']").count() == 1

    dispatcher = phone(chromium, live_server, "liuwan.dispatcher")
    dispatcher.goto(url)
    click(dispatcher, "立案")
    route = dispatcher.get_by_test_id("route").inner_text()
    assert "县市场监督管理局" in route and "柳湾市场监管所" in route
    click(dispatcher, "派遣")
    assert dispatcher.get_by_test_id("case-state").inner_text() == "已派遣"
    assert "柳湾市场监管所" in dispatcher.locator("dl").inner_text()

    officer = phone(chromium, live_server, "liuwan.market")
    officer.goto(url)
    click(officer, "签收")
    click(officer, "开始处置")
    officer.fill("#id_result", "已责令停业整改，过期食材当场销毁")
    click(officer, "反馈")
    assert officer.get_by_test_id("case-state").inner_text() == "待核查"

    worker.goto(url)
    worker.get_by_label("核查不通过，退回处置").check()
    worker.fill("#id_note", "后厨仍未清理")
    click(worker, "提交核查结论")
    assert worker.get_by_test_id("case-state").inner_text() == "处置中"

    officer.goto(url)
    officer.fill("#id_result", "复查：后厨已清理消毒，建立进货台账")
    click(officer, "反馈")

    worker.goto(url)
    worker.get_by_label("核查通过").check()
    click(worker, "提交核查结论")

    dispatcher.goto(url)
    click(dispatcher, "结案")
    assert dispatcher.get_by_test_id("case-state").inner_text() == "已办结"

    worker.goto(url)
    worker.get_by_label("非常满意").check()
    click(worker, "提交评价")
    timeline = worker.get_by_test_id("timeline").inner_text()
    steps = ["发起事件", "立案", "派遣至柳湾市场监管所", "签收", "开始处置", "反馈处置结果", "核查不通过", "反馈处置结果", "核查通过", "结案", "评价：非常满意"]
    positions = [timeline.find(step) for step in steps]
    assert all(p >= 0 for p in positions), timeline
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} · ", timeline)  # when, and who, on every line
    worker.screenshot(path=str(artifacts / "event-timeline-phone.png"), full_page=True)

    # A second category whose lead department differs: public security goes to the police station.
    second = report(worker, live_server, "治安隐患", "夜间有人聚集酗酒滋事", photo)
    dispatcher.goto(second)
    click(dispatcher, "立案")
    click(dispatcher, "派遣")
    assert "柳湾派出所" in dispatcher.locator("dl").inner_text()
