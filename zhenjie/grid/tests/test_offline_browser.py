"""A grid worker in a village without signal (issue 14 item 9), in headless Chromium at phone
width: the report page opens again with the network cut, a report with a photo waits on the
phone and arrives once when the signal returns, its photo made smaller on the phone; a patrol's
track survives a reload without signal and reaches the server once the signal is back."""

import pytest
from django.utils import timezone
from PIL import Image

from zhenjie.events.models import Category, Event
from zhenjie.grid.models import Patrol, PatrolPoint, Visit
from zhenjie.kernel import attachments
from zhenjie.kernel.models import Attachment
from zhenjie.testing import browser_log_in, make_key_person, make_resident, wait_until

from .conftest import days_ago
from .test_browser_output import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KEPT = "caches.open('zhenjie-offline-v1').then(c => c.match(location.href, {ignoreVary: true})).then(r => !!r)"


def camera_photo(path) -> int:
    """A phone camera's picture: 3000×2000, noisy enough to weigh what such pictures weigh."""
    Image.effect_noise((3000, 2000), 60).convert("RGB").save(path, format="JPEG", quality=95)
    return path.stat().st_size


def phone(chromium, lng, lat):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", has_touch=True, is_mobile=True,
                                   geolocation={"longitude": lng, "latitude": lat}, permissions=["geolocation"])
    context.add_init_script(RECORD_VIOLATIONS)  # nothing the policy refuses, the worker included
    return context, context.new_page()


def test_a_report_filed_without_signal_waits_on_the_phone_and_arrives_once(chromium, live_server, gw, artifacts, tmp_path):
    photo = tmp_path / "现场.jpg"
    original = camera_photo(photo)
    context, page = phone(chromium, 116.02, 35.02)
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/events/report/")
    wait_until(page, KEPT)  # the service worker keeps the page once it has been opened

    context.set_offline(True)
    page.reload()  # no network: the page comes from the phone
    page.wait_for_selector("text=已定位")
    page.select_option("#id_category", str(Category.objects.get(code="sanitation").pk))
    page.fill("#id_description", "村口桥面塌陷一角，<b>车辆</b>绕行")
    page.set_input_files("input[type=file]", str(photo))
    page.get_by_role("button", name="上报").click()
    waiting = page.get_by_test_id("offline-waiting")
    waiting.wait_for()
    assert waiting.inner_text() == "已保存在手机上，待网络恢复后自动上报（1条待上报）"
    assert page.input_value("#id_description") == ""  # the form is free for the next report
    page.screenshot(path=str(artifacts / "offline-report-waiting.png"), full_page=True)
    assert not Event.objects.exists()

    context.set_offline(False)  # the signal returns: the queue goes out by itself
    wait_until(page, "document.querySelector('[data-testid=offline-note]').textContent.startsWith('已自动上报')")
    assert page.get_by_test_id("offline-waiting").inner_text() == ""
    page.reload()  # another page load sends nothing more
    page.wait_for_selector("text=已定位")
    event = Event.objects.get()
    assert event.description == "村口桥面塌陷一角，<b>车辆</b>绕行" and event.reporter.username == "grid_worker_a"
    stored = Attachment.objects.select_related("blob").get(case=event.case)
    assert stored.blob.content_type == "image/jpeg" and stored.blob.size < original / 2
    with attachments.open_blob(stored.blob) as file, Image.open(file) as picture:
        assert picture.size == (1600, 1067)  # the longest side 1600 px, the shape kept
    assert page.evaluate("window.__violations") == []
    context.close()


def test_a_visit_filed_without_signal_keeps_its_time_and_arrives_once(chromium, live_server, gw):
    from datetime import date

    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    person = make_key_person(resident, gw.world.grid_worker_a, "subsistence", since=days_ago(100))
    context, page = phone(chromium, 116.01, 35.01)
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/grid/ledger/{person.pk}/visit/")
    wait_until(page, KEPT)
    context.set_offline(True)
    page.reload()
    page.get_by_label("需持续关注").check()
    page.fill("#id_findings", "老伴住院，本人生活能自理")
    page.get_by_role("button", name="保存走访记录").click()
    page.get_by_test_id("offline-waiting").wait_for()
    assert "1条待上报" in page.get_by_test_id("offline-waiting").inner_text()
    filed = page.evaluate("new Date().getHours() * 60 + new Date().getMinutes()")
    context.set_offline(False)
    wait_until(page, "document.querySelector('[data-testid=offline-note]').textContent.startsWith('已自动上报：走访记录')")
    visit = Visit.objects.get()
    assert visit.findings == "老伴住院，本人生活能自理" and visit.situation == "attention"
    local = timezone.localtime(visit.visited_at)
    assert abs(local.hour * 60 + local.minute - filed) <= 1  # the phone's time of filing, to the minute
    assert page.evaluate("window.__violations") == []
    context.close()


def test_a_patrols_track_survives_a_reload_without_signal(chromium, live_server, gw, artifacts):
    context, page = phone(chromium, 116.01, 35.01)
    browser_log_in(page, live_server, "grid_worker_a")
    page.goto(f"{live_server.url}/grid/patrol/")
    page.get_by_role("button", name="开始巡查").click()
    page.wait_for_selector("text=巡查中 · 甲一村第1网格")
    wait_until(page, KEPT)
    local = "document.querySelector('[data-local-track]')"
    wait_until(page, f"{local}.textContent.startsWith('本机已记录 1 个点') && !{local}.textContent.includes('待上传')")

    context.set_offline(True)
    for n, (lng, lat) in enumerate(((116.015, 35.012), (116.02, 35.016), (116.026, 35.02)), start=2):
        context.set_geolocation({"longitude": lng, "latitude": lat})
        wait_until(page, f"{local}.dataset.points === '{n}'", timeout=20000)
    assert "3 个待上传" in page.get_by_test_id("local-track").inner_text()

    page.goto(f"{live_server.url}/grid/")  # a page never kept: the worker says so
    assert page.locator("h1").inner_text() == "没有网络"
    page.goto(f"{live_server.url}/grid/patrol/")  # the kept page from the phone, the track from IndexedDB
    wait_until(page, f"Number({local}.dataset.points) >= 4")
    assert "待上传" in page.get_by_test_id("local-track").inner_text()
    assert int(page.get_by_test_id("live-map").get_attribute("data-drawn")) >= 4
    assert page.locator("[data-live-map] path.leaflet-interactive").count() == 1
    page.screenshot(path=str(artifacts / "offline-patrol-restored.png"), full_page=True)

    context.set_offline(False)
    wait_until(page, f"!{local}.textContent.includes('待上传')", timeout=40000)
    kept = int(page.get_by_test_id("local-track").get_attribute("data-points"))
    patrol = Patrol.objects.get()
    # Every point the phone kept, once, beside the one the patrol started at.
    assert PatrolPoint.objects.filter(patrol=patrol).count() == kept + 1 == patrol.point_count
    assert page.evaluate("window.__violations") == []
    page.get_by_role("button", name="结束巡查").click()
    page.wait_for_selector("text=巡查已结束")
    patrol.refresh_from_db()
    assert len(patrol.track["coordinates"]) == kept + 1
    context.close()
