"""A grid worker's day on a phone, in headless Chromium: record a visit with a camera photo and
see the overdue list empty; walk a patrol whose track the township then sees on the map."""

from datetime import date

import pytest
from playwright.sync_api import expect

from zhenjie.grid.models import Patrol, Visit
from zhenjie.testing import browser_log_in, make_key_person, make_resident, wait_until

from .conftest import days_ago, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_grid_worker_records_a_visit_with_a_photo_and_the_overdue_list_empties(chromium, live_server, gw, artifacts, tmp_path):
    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    make_key_person(resident, w.grid_worker_a, "subsistence", since=days_ago(100))
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes(color="green", size=(640, 480)))

    context = chromium.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/grid/")
    assert page.get_by_test_id("my-overdue").inner_text() == "1"
    page.get_by_test_id("my-overdue").click()
    page.wait_for_selector("[data-testid=ledger-row]")
    assert "超期10天" in page.get_by_test_id("ledger-row").inner_text()
    page.get_by_test_id("visit-button").click()

    page.wait_for_selector("text=记录走访")
    page.get_by_label("需持续关注").check()
    page.fill("#id_findings", "老伴住院，本人生活能自理，已联系村医上门随访。")
    page.set_input_files("#id_photo", str(photo))
    page.screenshot(path=str(artifacts / "grid-visit-phone.png"), full_page=True)
    page.get_by_role("button", name="保存走访记录").click()

    page.wait_for_selector("text=已记录对 李大爷 的走访")
    assert page.locator("[data-testid=ledger-row]").count() == 0
    page.goto(f"{live_server.url}/grid/overdue/")
    assert page.locator("[data-testid=overdue-row]").count() == 0
    page.goto(f"{live_server.url}/grid/")
    assert page.get_by_test_id("my-overdue").inner_text() == "0"

    visit = Visit.objects.get()
    assert visit.situation == "attention" and visit.visitor == w.grid_worker_a
    stored = visit.photos.get()
    assert stored.name == "现场.png" and stored.blob.content_type == "image/png"
    page.goto(f"{live_server.url}/grid/ledger/{visit.key_person_id}/")
    page.wait_for_selector("[data-testid=visit-photo]")
    # The thumbnail loads lazily: the element is there before its bytes are.
    wait_until(page, "document.querySelector('[data-testid=visit-photo]').complete")
    assert page.locator("[data-testid=visit-photo]").evaluate("img => img.naturalWidth") == 640
    context.close()


def test_a_patrol_records_the_phones_track_and_the_township_sees_it_on_the_map(chromium, live_server, gw, artifacts):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", geolocation={"longitude": 116.01, "latitude": 35.01}, permissions=["geolocation"])
    page = context.new_page()
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/grid/patrol/")
    page.get_by_role("button", name="开始巡查").click()
    page.wait_for_selector("text=巡查中 · 甲一村第1网格")
    # The phone walks: each new position far enough from the last is sent to the API.
    counter = "document.querySelector('[data-point-count]').textContent"
    for lng, lat in ((116.015, 35.012), (116.02, 35.016), (116.026, 35.02)):
        before = page.evaluate(counter)
        context.set_geolocation({"longitude": lng, "latitude": lat})
        wait_until(page, f"{counter} !== '{before}'", timeout=20000)
    assert int(page.get_by_test_id("point-count").inner_text()) >= 3
    page.get_by_role("button", name="结束巡查").click()
    page.wait_for_selector("text=巡查已结束")
    context.close()

    patrol = Patrol.objects.get()
    assert patrol.track["type"] == "LineString" and patrol.distance_m > 500
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    browser_log_in(page, live_server, "dispatcher_a")
    page.goto(f"{live_server.url}/grid/patrols/{patrol.pk}/")
    page.wait_for_selector("#patrol-map[data-ready='1']")
    assert page.locator("#patrol-map").get_attribute("data-track-drawn") == "1"
    assert page.locator("#patrol-map path.leaflet-interactive").count() >= 3  # two grids and the track
    page.screenshot(path=str(artifacts / "grid-patrol-map.png"), full_page=True)
    context.close()


def test_a_due_visit_in_the_inbox_opens_the_form_and_a_need_is_referred(chromium, live_server, gw, artifacts):
    """Issue 14 item 5 on the phone: the nightly job's task in the inbox, the visit form's referral
    fields appearing only for 需要帮扶, and the referral linked from the person's page."""
    from zhenjie.grid.actions.visitwork import create_due_visit_tasks
    from zhenjie.grid.models import Referral, VisitTask

    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    person = make_key_person(resident, w.grid_worker_a, "subsistence", since=days_ago(90))
    create_due_visit_tasks()
    task = VisitTask.objects.get()

    context = chromium.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/inbox/")
    page.locator(f"a[href='/grid/visit-tasks/{task.case_id}/']").first.click()
    page.wait_for_selector("[data-testid=visit-task]")
    assert page.url.endswith(f"/grid/ledger/{person.pk}/visit/")
    # need.js hides the referral fields once it runs: wait for it rather than read the page before it has
    expect(page.get_by_test_id("need-fields")).to_be_hidden()
    page.get_by_label("需要帮扶").check()
    expect(page.get_by_test_id("need-fields")).to_be_visible()
    page.fill("#id_findings", "老伴住院，家中无收入。")
    page.select_option("#id_need", "living")
    page.fill("#id_need_description", "申请临时救助，请核实家庭收入。")
    page.select_option("#id_need_unit", label=w.office_a.name)
    page.screenshot(path=str(artifacts / "grid-visit-referral-phone.png"), full_page=True)
    page.get_by_role("button", name="保存走访记录").click()

    page.wait_for_selector(f"text=已转介{w.office_a.name}")
    referral = Referral.objects.select_related("case").get()
    assert not VisitTask.objects.get().is_open
    page.get_by_test_id("visit-referral").get_by_role("link").click()
    page.wait_for_selector("[data-testid=referral-source]")
    assert "李大爷" in page.get_by_test_id("referral-source").inner_text() and referral.case.number in page.content()
    context.close()
