"""Issue 16's first done-when, in a real browser, through the pages people use (only the world and
the grid worker's event are set up by code): officer A1 opens a lead from an event of illegal
building, registers it under CF001, records a 现场检查笔录 and a 询问笔录 with a second officer and
prints both, tells the party of the intended fine, records the party's written waiver and submits
the case for legal review; reviewer A, who took no part, passes it; leader A decides; the officer
serves the decision on the spot, records the payment in full and closes the case; the package is
archived on the workbench's archive page. Every paper on the case page is a PDF carrying the
number the page shows; the timeline lists each step with who and when, in order. Then an officer of
township B asking for the case gets the 404 page."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from zhenjie.enforcement.testing import make_enforcement_world
from zhenjie.testing import PASSWORD, citizen_id, make_event
from zhenjie.workbench.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Each step renders a PDF and the page again; on CI's shared cores (two suites side by side) that
# can pass Playwright's 5 s default, so the waits here are longer (they return as soon as it holds).
WAIT = 20_000

DESKTOP = {"width": 1280, "height": 900}
# Papers are numbered 〔year〕第N号 after a prefix of the team and the paper; the prefixes are the
# county's to name, so only the part every number shares is matched.
NUMBER = re.compile(r"\S*〔\d{4}〕第\d+号")
FINE = "3000"
PAPERS = (
    "立案审批表",
    "现场检查笔录",
    "询问笔录",
    "行政处罚事先告知书",
    "法制审核意见书",
    "行政处罚决定书",
    "送达回证",
    "结案报告",
)
FACTS = "网格员报告：当事人未经批准在甲一村村口搭建彩钢棚约30平方米。"


def _named(label: str) -> re.Pattern:
    """A button's whole name, after the icon font's character the kit's buttons start with."""
    return re.compile(rf"^[\ue000-\uf8ff]?\s*{re.escape(label)}$")


@pytest.fixture
def contexts():
    """The browser contexts a test opened, closed when it ends so that nothing a page still asks
    for reaches the live server after the test's database is gone."""
    opened = []
    yield opened
    for context in opened:
        context.close()


def _page(chromium, live_server, contexts, username):
    context = chromium.new_context(locale="zh-CN", viewport=DESKTOP)
    contexts.append(context)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.csp_errors = errors
    log_in(page, live_server, username, PASSWORD)
    return page


def _no_csp_errors(page):
    assert not [e for e in page.csp_errors if "Content Security Policy" in e or "Refused" in e]


def _pdf_text(page, href: str) -> str:
    """What the PDF at `href` says, whitespace removed (pypdf breaks lines in CJK text)."""
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))


def _state(page, label: str):
    expect(page.get_by_test_id("case-state")).to_have_text(label, timeout=WAIT)


def _open_lead(page, live_server, event_number: str) -> str:
    """登记线索 from the event by its printed number; returns the case page's address."""
    page.goto(f"{live_server.url}/enforcement/new/")
    page.get_by_label("案件来源").select_option(label="事件转来")
    page.get_by_label("事件编号").fill(event_number)
    page.get_by_label("案由").fill("擅自搭建彩钢棚")
    page.get_by_label("当事人类型").select_option(label="个人")
    page.get_by_label("当事人姓名或名称").fill("李建国")
    page.get_by_label("身份证号或统一社会信用代码").fill(citizen_id(8))
    page.get_by_label("联系电话").fill("13900139000")
    page.get_by_label("违法地点").fill("甲一村村口")
    page.get_by_label("违法行为发生(终了)日期").fill(timezone.localdate().isoformat())
    page.get_by_label("案情摘要").fill(FACTS)
    page.get_by_role("button", name=_named("登记")).click()
    _state(page, "待立案")
    expect(page.get_by_test_id("parent-case")).to_have_text(event_number, timeout=WAIT)
    return page.url


def _register(page):
    page.get_by_test_id("register-link").click()
    page.get_by_test_id("powers").locator("label", has_text="CF001").get_by_role("radio").check()
    page.get_by_role("button", name=_named("立案")).click()
    _state(page, "调查取证")
    expect(page.get_by_test_id("power")).to_contain_text("CF001", timeout=WAIT)


def _record(page, kind: str, title: str, second_officer: str, fill):
    """登记证据 with the recorder and a second certified officer present, then 生成 its paper."""
    page.get_by_test_id("record-evidence").click()
    form = page.get_by_test_id("evidence-form")
    form.get_by_label("证据种类").select_option(label=kind)
    form.get_by_label("证据名称").fill(title)
    form.get_by_label("取证地点").fill("甲一村村口")
    form.get_by_test_id("officer-choices").get_by_label(re.compile(f"^{second_officer}")).check()
    fill(form)
    form.get_by_role("button", name=_named("登记")).click()
    row = page.get_by_test_id("evidence").filter(has_text=title)
    expect(row.get_by_test_id("evidence-record")).to_be_visible(timeout=WAIT)
    case_url = page.url
    with page.expect_response(lambda r: r.headers.get("content-type") == "application/pdf") as printed:
        row.get_by_test_id("issue-record-paper").click()  # the button answers with the paper
    assert printed.value.status == 200
    page.goto(case_url)
    expect(row.get_by_test_id("record-paper")).to_have_text(NUMBER, timeout=WAIT)


def _inspection(form):
    form.get_by_label("检查对象").fill("李建国搭建的彩钢棚")
    form.get_by_label("在场人员").fill("李建国")
    form.get_by_label("检查情况").fill("村口东侧有新建彩钢棚一处，长6米、宽5米，当事人未能出示规划许可。")


def _interview(form):
    form.get_by_label("被询问人(询问笔录)", exact=True).fill("李建国")
    form.get_by_label("被询问人身份").fill("当事人")
    form.get_by_label("第1问", exact=True).fill("村口的彩钢棚是谁搭建的？")
    form.get_by_label("第1答", exact=True).fill("是我搭的，用来堆放农具。")
    form.get_by_label("第2问", exact=True).fill("搭建前是否办理了规划许可？")
    form.get_by_label("第2答", exact=True).fill("没有办理。")


def _notify_and_waive(page):
    """事先告知 of a fine below the hearing threshold; the party waives in writing."""
    page.get_by_label("罚款", exact=True).check()
    page.get_by_label("罚款金额(元)").fill(FINE)
    expect(page.get_by_label("违法事实")).to_have_value(FACTS, timeout=WAIT)  # the case's facts, to be corrected if need be
    page.get_by_role("button", name=_named("事先告知")).click()
    _state(page, "已告知")
    expect(page.get_by_test_id("notice-document")).to_have_text(NUMBER, timeout=WAIT)
    waiver = page.get_by_test_id("hearing-form-waive")
    waiver.locator("summary").click()
    waiver.get_by_label("书面放弃声明").fill("当事人书面表示放弃陈述、申辩的权利")
    waiver.get_by_role("button", name=_named("提交")).click()
    expect(page.get_by_test_id("reply-until")).to_contain_text("书面放弃", timeout=WAIT)
    page.get_by_role("button", name=_named("提交法制审核")).click()
    _state(page, "法制审核")


def _review(page, case_url: str):
    page.goto(case_url)
    form = page.locator("form", has=page.get_by_role("button", name=_named("审核通过")))
    for point in ("事实清楚", "证据确凿充分", "程序合法", "适用依据正确", "处罚适当"):
        form.get_by_label(point).check()
    form.get_by_label("审核意见").fill("事实清楚，证据充分，程序合法，同意拟作出的处罚。")
    form.get_by_role("button", name=_named("审核通过")).click()
    _state(page, "待决定")
    expect(page.get_by_test_id("decision-panel")).to_contain_text("法制审核通过", timeout=WAIT)


def _decide(page, case_url: str):
    page.goto(case_url)
    form = page.locator("form", has=page.get_by_role("button", name=_named("作出处罚决定")))
    form.get_by_label("罚款", exact=True).check()
    form.get_by_label("罚款金额(元)").fill(FINE)
    form.get_by_label("处罚理由").fill("当事人未经批准搭建，情节较轻，且主动配合调查。")
    form.get_by_role("button", name=_named("作出处罚决定")).click()
    _state(page, "待送达")
    expect(page.get_by_test_id("decision-document")).to_have_text(NUMBER, timeout=WAIT)


def _serve_pay_close(page, case_url: str):
    page.goto(case_url)
    today = timezone.localdate().isoformat()
    serve = page.locator("form", has=page.get_by_role("button", name=_named("送达")))
    serve.get_by_label("送达方式").select_option(label="当场交付")
    serve.get_by_label("送达日期").fill(today)
    serve.get_by_label("签收人").fill("李建国")
    serve.get_by_role("button", name=_named("送达")).click()
    _state(page, "执行中")
    expect(page.get_by_test_id("service")).to_contain_text("当场交付", timeout=WAIT)

    payment = page.get_by_test_id("execution-panel").locator("details", has_text="登记缴款")
    payment.locator("summary").click()
    payment.get_by_label("缴款金额(元)").fill(FINE)
    payment.get_by_label("缴款日期").fill(today)
    payment.get_by_label("缴款凭证号").fill("NS20260001")
    payment.get_by_role("button", name=_named("提交")).click()
    expect(page.get_by_test_id("balance")).to_have_text(f"{FINE}.00元 / 0.00元", timeout=WAIT)

    close = page.locator("form", has=page.get_by_role("button", name=_named("结案")))
    close.get_by_label("罚款已全部缴清").check()
    close.get_by_role("button", name=_named("结案")).click()
    _state(page, "已结案")


def _archive(page, case_url: str):
    """Closing asked for the package; 归档 on the archive page keeps it (nothing new since) and
    the package verifies."""
    page.get_by_test_id("archive-link").first.click()
    page.get_by_test_id("archive-button").click()
    packages = page.get_by_test_id("archive-packages").locator("tbody tr")
    expect(packages).to_have_count(1, timeout=WAIT)
    expect(packages.first).to_contain_text("第1版", timeout=WAIT)
    page.get_by_test_id("archive-verify").click()
    expect(page.get_by_test_id("archive-check")).to_contain_text("校验通过", timeout=WAIT)
    page.goto(case_url)


def _timeline_shows_each_step(page, ew):
    """Each step in the order taken, with who took it and when (the papers beside their steps)."""
    officer, reviewer, leader = ew.officer_a1.display_name, ew.reviewer_a.display_name, ew.leader_a.display_name
    steps = [
        ("发起执法案件", officer), ("立案：CF001", officer), ("出具立案审批表", officer),
        ("登记证据：村口彩钢棚现场检查", officer), ("出具现场检查笔录", officer),
        ("登记证据：询问当事人李建国", officer), ("出具询问笔录", officer),
        ("事先告知：罚款人民币3000.00元", officer), ("出具行政处罚事先告知书", officer), ("当事人书面放弃", officer),
        ("提交法制审核", officer), ("法制审核通过", reviewer), ("出具法制审核意见书", reviewer),
        ("作出处罚决定", leader), ("出具行政处罚决定书", leader),
        ("送达处罚决定(当场交付)", officer), ("出具送达回证", officer), ("登记缴款3000.00元", officer),
        ("结案：罚款已全部缴清", officer), ("出具结案报告", officer), ("归档(第1版", officer),
    ]  # fmt: skip
    items = page.get_by_test_id("timeline").get_by_role("listitem")
    entries = []
    for n in range(items.count()):
        when, _, who = items.nth(n).locator(".tl-time").inner_text().partition(" · ")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", when), when
        entries.append((items.nth(n).locator(".fw-semibold").inner_text(), when, who))
    assert [when for _, when, _ in entries] == sorted(when for _, when, _ in entries)
    remaining = iter(entries)
    for summary, actor in steps:
        found = next((e for e in remaining if e[0].startswith(summary)), None)
        assert found is not None, f"{summary} missing or out of order in {[e[0] for e in entries]}"
        assert found[2] == actor, (summary, found)


def test_a_case_runs_from_an_event_to_the_archive_in_the_browser(chromium, live_server, artifacts, contexts):
    ew = make_enforcement_world()
    event = make_event(ew.world, category="illegal_construction", description="甲一村村口有人搭建彩钢棚")

    officer = _page(chromium, live_server, contexts, ew.officer_a1.username)
    case_url = _open_lead(officer, live_server, event.case.number)
    _register(officer)
    _record(officer, "现场检查笔录", "村口彩钢棚现场检查", ew.officer_a2.username, _inspection)
    _record(officer, "询问笔录", "询问当事人李建国", ew.officer_a2.username, _interview)
    _notify_and_waive(officer)

    reviewer = _page(chromium, live_server, contexts, ew.reviewer_a.username)
    _review(reviewer, case_url)
    leader = _page(chromium, live_server, contexts, ew.leader_a.username)
    _decide(leader, case_url)
    _serve_pay_close(officer, case_url)
    officer.screenshot(path=str(artifacts / "enforcement-e2e-closed.png"), full_page=True)

    # Every paper of the case, each once, each a PDF printing the number the page shows for it.
    papers = officer.get_by_test_id("papers").get_by_role("listitem")
    titles = []
    for n in range(papers.count()):
        link, number = papers.nth(n).get_by_test_id("paper"), papers.nth(n).get_by_test_id("paper-number").inner_text()
        assert NUMBER.fullmatch(number), number
        assert number in _pdf_text(officer, link.evaluate("a => a.href")), (link.inner_text(), number)
        titles.append(link.inner_text())
    assert sorted(titles) == sorted(PAPERS), titles

    _archive(officer, case_url)
    _timeline_shows_each_step(officer, ew)

    # The refusal: township B's officer asking for A's case gets the 404 page, nothing of the case.
    stranger = _page(chromium, live_server, contexts, ew.officer_b1.username)
    response = stranger.goto(case_url)
    assert response.status == 404
    expect(stranger.get_by_role("heading", name="页面不存在")).to_be_visible(timeout=WAIT)
    expect(stranger.locator("body")).not_to_contain_text("李建国")
    for page in (officer, reviewer, leader, stranger):
        _no_csp_errors(page)
