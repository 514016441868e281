"""In a real browser (issue 14 item 3): a visitor at the window leaves with a printed receipt
(回执) carrying the number and a tracking code; with them they follow the event on the portal
and, once it is closed, rate it 非常不满意; the dispatcher finds the follow-up (回访) in the inbox,
records the call and reopens the event; the visitor sees it reopened."""

import io
import re

import pytest
from pypdf import PdfReader

from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.kernel.models import Case, Document, FollowUp, Rework
from zhenjie.testing import browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fresh(event_id) -> Event:
    return Event.objects.select_related("case__area", "case__owner_unit", "category", "handling_unit").get(pk=event_id)


def test_a_walk_ins_receipt_lets_the_visitor_rate_and_a_very_dissatisfied_rating_reopens_the_event(chromium, live_server, world, artifacts):
    staff = chromium.new_context(locale="zh-CN")
    page = staff.new_page()
    browser_log_in(page, live_server, world.dispatcher_a.username)

    # At the window: the visitor's name and mobile, not the clerk's.
    page.goto(f"{live_server.url}/events/report/")
    page.select_option("#id_channel", "walk_in")
    page.select_option("#id_category", label="环境卫生")
    page.fill("#id_description", "小区门口垃圾堆积多日")
    page.select_option("#id_area", str(world.village_a.pk))
    page.fill("#id_reporter_name", "王大妈")
    page.fill("#id_reporter_phone", "13912345678")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("[data-testid=documents]")
    event = Event.objects.select_related("case").get()
    assert (event.channel, event.reporter_id, event.reporter_name, event.reporter_phone_masked) == ("walk_in", None, "王大妈", "139****5678")

    # The receipt is a numbered PDF with the event's number and the code.
    link = page.get_by_test_id("documents").get_by_role("link", name="来访登记回执")
    pdf = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.body())).pages).replace(" ", "").replace("\n", "")
    document = Document.objects.get(case=event.case, kind="walk_in_receipt")
    assert document.number in text and event.case.number in text and "王大妈" in text
    code = re.search(r"查询码：([23456789A-HJKMNP-Z]{8})", text).group(1)
    page.screenshot(path=str(artifacts / "walk-in-registered.png"), full_page=True)

    # The event is handled and closed.
    actions.register_event(world.dispatcher_a, fresh(event.pk))
    actions.dispatch_event(world.dispatcher_a, fresh(event.pk), unit=world.office_a, reason="社会治理办处置")
    actions.acknowledge_event(world.clerk_a, fresh(event.pk))
    actions.start_handling(world.clerk_a, fresh(event.pk))
    actions.report_back(world.clerk_a, fresh(event.pk), "已清运")
    actions.verify_event(world.dispatcher_a, fresh(event.pk), passed=True, note="已清理")
    actions.close_event(world.dispatcher_a, fresh(event.pk))

    # The visitor, at home, with the receipt: follows and rates 非常不满意.
    visitor = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(f"{live_server.url}/public/events/track/")
    visitor.fill("#id_number", event.case.number)
    visitor.fill("#id_code", code)
    visitor.click("form button[type=submit]")
    assert visitor.get_by_test_id("public-state").inner_text() == "已办结"
    visitor.get_by_test_id("rating-form").get_by_label("非常不满意").check()
    visitor.get_by_test_id("rating-form").locator("input[name=comment]").fill("垃圾还在")
    visitor.get_by_test_id("rating-form").get_by_role("button", name="提交评价").click()
    visitor.wait_for_selector("text=感谢您的评价")
    assert FollowUp.objects.get(case=event.case).reason == "dissatisfied"

    # The dispatcher sees the follow-up in the inbox and reopens the event.
    page.goto(f"{live_server.url}/inbox/")
    row = page.locator("tr", has_text=event.case.number)
    assert "回访" in row.inner_text()
    row.get_by_role("link").first.click()
    form = page.get_by_test_id("follow-up-form")
    form.locator("#id_called_0").check()
    form.locator("#id_reached_0").check()
    form.locator("#id_words").fill("门口垃圾仍未清完")
    form.locator("#id_note").fill("回访群众不满意，退回重新清运")
    page.screenshot(path=str(artifacts / "follow-up-form.png"), full_page=True)
    form.get_by_role("button", name="重新办理").click()
    page.wait_for_selector("text=已重新办理，事件退回处置单位")
    assert page.get_by_test_id("case-state").inner_text() == "处置中"
    case = Case.objects.get(pk=event.case_id)
    assert (case.state, case.closed_at, case.owner_unit_id, case.rating) == ("handling", None, world.office_a.pk, None)
    assert Rework.objects.filter(case=case, unit=world.office_a, reason="reopen").count() == 1

    # The visitor sees it reopened on the portal.
    visitor.goto(f"{live_server.url}/public/events/track/")
    visitor.fill("#id_number", event.case.number)
    visitor.fill("#id_code", code)
    visitor.click("form button[type=submit]")
    assert "已重新办理" in visitor.get_by_test_id("public-timeline").inner_text()
    assert visitor.get_by_test_id("public-state").inner_text() == "处置中"
    visitor.screenshot(path=str(artifacts / "portal-reopened.png"), full_page=True)
    staff.close()
