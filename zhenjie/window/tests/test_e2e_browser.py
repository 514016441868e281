"""The issue's first done-when, in a real browser, through the pages people use (nothing but the
world is set up by code): a clerk takes an application with one paper missing; the one-time
notice lists exactly that paper and prints as PDF; the applicant supplements it; the back office
decides within the deadline; the result is handed over at the village agent point and the
applicant rates it on the portal with the number and code from the receipt. Then the same from a
phone, by the agent at the village agent point. (It replaces the first round's test_browser.py,
which walked the filing and the notice only.)"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from zhenjie.testing import PASSWORD, citizen_id
from zhenjie.window.testing import make_point, make_window_world
from zhenjie.workbench.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _page(chromium, live_server, viewport, username=None):
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.csp_errors = errors
    if username:
        log_in(page, live_server, username, PASSWORD)
    return page


def _no_csp_errors(page):
    assert not [e for e in page.csp_errors if "Content Security Policy" in e or "Refused" in e]


def _pdf_text(page, link) -> str:
    """What the PDF behind `link` says, whitespace removed (pypdf breaks lines in CJK text)."""
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))


def _file(page, live_server, search: str, *, collect_at: str | None = None) -> tuple[str, str]:
    """收件 with 申请表 missing; returns (number, tracking code) as the sheet shows them once."""
    page.goto(f"{live_server.url}/window/new/?q={search}")
    page.get_by_test_id("item-choice").first.click()
    page.get_by_label("申请人姓名或单位名称").fill("王秀英")
    page.get_by_label("公民身份号码或统一社会信用代码").fill(citizen_id(21))
    page.get_by_label("联系电话").fill("13800138000")
    form_row = page.locator("[data-testid^='material-']").nth(2)  # 申请表, the guide's third
    form_row.locator("select[name$='_status']").select_option("missing")
    if collect_at:
        page.get_by_label("领取地点").select_option(label=collect_at)
    page.get_by_test_id("file-application").click()
    page.get_by_test_id("filed-code").wait_for()
    number, code = page.get_by_test_id("case-number").inner_text(), page.get_by_test_id("tracking-code").inner_text()
    # The receipt the applicant takes home prints the number and the code.
    receipt = _pdf_text(page, page.get_by_test_id("intake-receipt"))
    assert "收件回执" in receipt and number in receipt and code in receipt
    assert page.get_by_test_id("case-state").inner_text() == "待受理"
    return number, code


def _notice_and_supplement(page):
    """The one-time notice names exactly 申请表; the applicant brings it; the desk accepts."""
    page.get_by_label(re.compile("^申请表")).fill("未提交申请表，请到窗口领取填写并签名")
    page.get_by_role("button", name="一次性告知").click()
    page.get_by_test_id("notice-pdf").wait_for()
    assert page.get_by_test_id("case-state").inner_text() == "待补正"
    notice = _pdf_text(page, page.get_by_test_id("notice-pdf"))
    assert "一次性告知" in notice and "未提交申请表，请到窗口领取填写并签名" in notice
    assert "居民身份证" not in notice and "户口簿" not in notice

    page.get_by_label(re.compile("^已补正：申请表")).check()
    page.get_by_role("button", name="补正材料").click()
    page.wait_for_selector("[data-testid=case-state]:text('待受理')")
    page.get_by_test_id("accept").click()
    page.wait_for_selector("[data-testid=case-state]:text('审批中')")  # back on the sheet, not a side page
    assert page.get_by_role("link", name=re.compile("受理通知书")).count() == 1


def _back_office_approves(page, live_server, number: str):
    page.goto(f"{live_server.url}/window/backoffice/")
    page.get_by_role("row").filter(has_text=number).get_by_role("link").first.click()
    page.get_by_test_id("decide-form").wait_for()
    expect(page.get_by_test_id("backoffice-panel").locator("[data-field=promised]")).to_be_visible()  # within the deadline
    page.get_by_label("准予").check()
    page.get_by_label("审批意见或不予理由").fill("材料齐全，符合条件")
    page.get_by_role("button", name="作出决定并出具决定书").click()
    page.wait_for_selector("[data-testid=case-state]:text('待出件')")
    assert page.get_by_test_id("decision").inner_text() == "准予"  # no 超期决定 badge: within the deadline
    assert page.get_by_test_id("hand-over-form").count() == 0  # the point hands it over, not the back office


def _agent_hands_over(page, live_server, number: str):
    """The agent brings the result from the centre to the point, then hands it to the applicant."""
    page.goto(f"{live_server.url}/window/points/mine/")
    to_bring = page.get_by_test_id("to-bring").get_by_role("listitem").filter(has_text=number)
    to_bring.get_by_label("代办点签收人").fill("代办员李四")
    to_bring.get_by_role("button", name="登记送回").click()
    page.wait_for_selector("text=交接已登记")
    page.get_by_test_id("waiting").get_by_role("listitem").filter(has_text=number).get_by_test_id("hand-over-link").click()
    form = page.get_by_test_id("hand-over-form")
    form.wait_for()
    assert form.get_by_label("出件方式").input_value() == "agent_point"
    form.get_by_label("领取人").fill("王秀英")
    form.get_by_role("button", name="出件并出具送达回证").click()
    page.wait_for_selector("[data-testid=case-state]:text('已办结')")
    assert page.get_by_test_id("handover").inner_text().startswith("代办点领取")


def _applicant_rates(page, live_server, number: str, code: str):
    page.goto(f"{live_server.url}/public/window/rate/")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.locator("select[name=rating]").select_option(label="非常满意")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_test_id("rated").wait_for()


def test_a_clerk_takes_it_in_and_the_agent_point_hands_it_over(chromium, live_server, artifacts):
    ww = make_window_world()
    make_point(ww)
    clerk = _page(chromium, live_server, DESKTOP, ww.clerk_a.username)
    number, code = _file(clerk, live_server, "zdsh", collect_at="甲一村代办点领取")
    _notice_and_supplement(clerk)
    clerk.screenshot(path=str(artifacts / "window-e2e-accepted.png"), full_page=True)
    _no_csp_errors(clerk)

    back_office = _page(chromium, live_server, DESKTOP, ww.backoffice_a.username)
    _back_office_approves(back_office, live_server, number)

    agent = _page(chromium, live_server, DESKTOP, ww.agent_a.username)
    _agent_hands_over(agent, live_server, number)

    applicant = _page(chromium, live_server, DESKTOP)
    _applicant_rates(applicant, live_server, number, code)
    for page in (back_office, agent, applicant):
        _no_csp_errors(page)


def test_the_agent_does_it_all_from_a_phone(chromium, live_server, artifacts):
    ww = make_window_world()
    make_point(ww)
    agent = _page(chromium, live_server, PHONE, ww.agent_a.username)
    number, code = _file(agent, live_server, "lnr")  # 老年人优待证代办, a village item
    _notice_and_supplement(agent)
    assert agent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    back_office = _page(chromium, live_server, DESKTOP, ww.backoffice_a.username)
    _back_office_approves(back_office, live_server, number)

    _agent_hands_over(agent, live_server, number)
    agent.screenshot(path=str(artifacts / "window-e2e-agent-phone.png"), full_page=True)
    assert agent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    applicant = _page(chromium, live_server, PHONE)
    _applicant_rates(applicant, live_server, number, code)
    for page in (agent, back_office, applicant):
        _no_csp_errors(page)
