"""The hall's pages: the screen's data runs a fixed number of queries whatever the tickets, B's
screen answers 404 to A's clerk, the public kiosk issues numbers (rate-limited, no login), and
the counter desk calls and finishes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.errors import Rejected
from zhenjie.window.actions import hall
from zhenjie.window.models import Ticket, TicketState

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hw(monkeypatch):
    # The pages read the clock: a fixed working Monday morning, whatever day the tests run.
    monkeypatch.setattr(timezone, "now", lambda: at())
    return make_hall_world()


def logged_in(client, user):
    client.force_login(user)
    return client


def screen_queries(client, centre) -> tuple[int, dict]:
    url = reverse("window_hall:screen_data", args=[centre.pk])
    client.get(url)  # warm the session and the user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def test_screen_data_runs_a_fixed_number_of_queries_whatever_the_tickets(client, hw):
    ww = hw.ww
    logged_in(client, ww.clerk_a)
    hall.issue_ticket(None, ww.centre_a, "ZW0001")
    one, _ = screen_queries(client, ww.centre_a)
    for _ in range(6):
        hall.issue_ticket(None, ww.centre_a, "ZW0002")
    ticket = hall.call_next(ww.clerk_a, hw.counter_a1)
    hall.finish(ww.clerk_a, ticket)
    hall.call_next(hw.clerk_a2, hw.counter_a2)
    many, data = screen_queries(client, ww.centre_a)
    assert many == one
    assert data["waiting_total"] == 5
    assert data["calls"] == [{"ticket": "A002", "counter": "2号窗口", "counter_name": "综合受理"}]
    assert {row["name"]: row["value"] for row in data["loads"]} == {"1号 社会保障": 1, "2号 综合受理": 0}


def test_a_clerk_of_a_gets_404_for_bs_screen_and_hall(client, hw):
    ww = hw.ww
    logged_in(client, ww.clerk_a)
    for name in ("screen_data", "screen", "centre"):
        assert client.get(reverse(f"window_hall:{name}", args=[ww.centre_b.pk])).status_code == 404
    assert client.get(reverse("window_hall:desk", args=[hw.counter_b1.pk])).status_code == 404
    page = client.get(reverse("window_hall:home")).content.decode()
    assert ww.centre_a.name in page and ww.centre_b.name not in page


def test_the_public_kiosk_issues_numbers_without_login_and_is_rate_limited(client, hw):
    url = reverse("window_hall:kiosk", args=[hw.ww.centre_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"item_code": "ZW0001", "priority": ""})
    assert "A001" in response.content.decode()
    assert Ticket.objects.get().issued_by is None
    bad = client.post(url, {"item_code": "<script>", "priority": ""})
    assert bad.status_code == 200 and "清单中没有该事项" in bad.content.decode()
    for _ in range(4):
        client.post(url, {"item_code": "ZW0002"})
    limited = client.post(url, {"item_code": "ZW0002"})
    assert limited.status_code == 429 and "取号过于频繁" in limited.content.decode()
    assert Ticket.objects.count() == 5
    assert client.get(reverse("window_hall:kiosk", args=[hw.ww.world.gov_a.pk])).status_code == 404  # not a centre


def test_the_desk_calls_recalls_and_finishes(client, hw):
    ww = hw.ww
    logged_in(client, ww.clerk_a)
    hall.issue_ticket(None, ww.centre_a, "ZW0001")
    url = reverse("window_hall:desk", args=[hw.counter_a1.pk])
    page = client.post(url, {"step": "call"}, follow=True).content.decode()
    assert "请 A001 号到1号窗口办理" in page
    ticket = Ticket.objects.get()
    client.post(url, {"step": "recall", "ticket": ticket.pk})
    client.post(url, {"step": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DONE and ticket.recalls == 1
    refused = client.post(url, {"step": "finish", "ticket": "abc"}, follow=True).content.decode()
    assert "排队号不存在" in refused
    page = client.post(url, {"step": "call"}, follow=True).content.decode()
    assert "暂无等候" in page


def test_the_centre_page_issues_a_number_for_a_visitor(client, hw):
    ww = hw.ww
    logged_in(client, ww.clerk_a)
    url = reverse("window_hall:centre", args=[ww.centre_a.pk])
    page = client.post(url, {"item_code": "ZW0002", "priority": "elderly"}, follow=True).content.decode()
    assert "已取号 Y001" in page and "08:30-12:00" in page
    assert "优先" in client.post(url, {"item_code": "ZW0002", "priority": "vip"}, follow=True).content.decode()


def test_the_hall_home_lists_the_service_centre_and_not_the_command_centre(client, hw):
    ww = hw.ww
    page = logged_in(client, ww.world.leader_a).get(reverse("window_hall:home")).content.decode()

    assert ww.centre_a.name in page
    assert ww.world.centre_a.name not in page  # 甲镇社会治理综合指挥中心 has no counters
    assert ww.centre_b.name not in page
    # Nor can its hall be opened by address, nor a number taken there.
    assert client.get(reverse("window_hall:centre", args=[ww.world.centre_a.pk])).status_code == 404
    with pytest.raises(Rejected, match="只有便民服务中心设有服务大厅"):
        hall.issue_ticket(None, ww.world.centre_a, "ZW0001")
