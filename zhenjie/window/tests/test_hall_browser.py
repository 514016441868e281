"""The hall screen in a real browser: a number called at a counter shows in the calls list, and
an item name carrying markup is shown as text, never parsed (the JS builds text nodes)."""

import pytest
from django.utils import timezone

from zhenjie.lists.models import ServiceItem
from zhenjie.testing import browser_log_in
from zhenjie.window.actions import hall

from .hall_world import at, make_hall_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">低保'


def test_the_hall_screen_shows_the_called_number_and_item_names_as_text(chromium, live_server, monkeypatch, artifacts):
    monkeypatch.setattr(timezone, "now", lambda: at())
    hw = make_hall_world()
    ww = hw.ww
    ServiceItem.objects.filter(pk=ww.items_a["ZW0001"].pk).update(name=HOSTILE)
    hall.issue_ticket(None, ww.centre_a, "ZW0001")
    hall.issue_ticket(None, ww.centre_a, "ZW0001")
    called = hall.call_next(ww.clerk_a, hw.counter_a1)
    hall.issue_ticket(None, ww.centre_b, "ZW0002")  # B's hall: nothing of it on A's screen

    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    browser_log_in(page, live_server, "window_a")
    page.goto(f"{live_server.url}/window/hall/{ww.centre_a.pk}/screen/")
    page.wait_for_selector("[data-hall-screen][data-ready='1']")
    calls = page.get_by_test_id("hall-calls").inner_text()
    assert called.code in calls and "1号窗口" in calls
    items = page.get_by_test_id("hall-items").inner_text()
    assert HOSTILE in items and "高龄津贴" not in items
    assert page.get_by_test_id("waiting-total").inner_text() == "1"
    assert page.locator("[data-hall-screen] img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    page.wait_for_selector("[data-chart='counter_loads'][data-drawn='1']")
    page.screenshot(path=str(artifacts / "hall-screen.png"))
    assert problems == []
    context.close()
