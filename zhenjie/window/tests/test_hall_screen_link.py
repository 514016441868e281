"""The hall screen without a login: a link's token opens its centre's screen read-only, with no
personal data; shown once, kept as a digest; revoked, 404; B's token cannot read A."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.models import JournalEntry
from zhenjie.window.actions import hall, hall_screen
from zhenjie.window.models import ScreenLink

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hw(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at())
    return make_hall_world()


def test_a_link_is_shown_once_and_opens_the_screen_without_login(client, hw):
    ww = hw.ww
    client.force_login(ww.clerk_a)
    page = client.post(reverse("window_hall:screen_link_issue", args=[ww.centre_a.pk]), {"name": "一楼大厅电视"})
    assert page["Cache-Control"] == "no-store"
    url = re.search(r"http://testserver(/public/window/hall/screen/[^<\s]+/)", page.content.decode()).group(1)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = ScreenLink.objects.get()
    assert link.digest == ScreenLink.digest_of(token) and token not in str(JournalEntry.objects.filter(verb="hall.screen_link").values())
    assert token not in client.get(reverse("window_hall:settings", args=[ww.centre_a.pk])).content.decode()  # once only
    client.logout()
    hall.issue_ticket(ww.clerk_a, ww.centre_a, "ZW0001")
    screen = client.get(url)
    assert screen.status_code == 200 and ww.centre_a.name in screen.content.decode()
    assert reverse("window_hall:centre", args=[ww.centre_a.pk]) not in screen.content.decode()  # no way into the workbench
    data = client.get(url + "data/").json()
    assert data["waiting_total"] == 1 and data["items"][0]["name"] == "最低生活保障申请"


def test_a_revoked_or_unknown_token_is_404(client, hw):
    ww = hw.ww
    link, token = hall_screen.issue_screen_link(ww.clerk_a, ww.centre_a, "电视")
    hall_screen.revoke_screen_link(ww.clerk_a, link)
    for path in (reverse("window_public:hall_screen", args=[token]), reverse("window_public:hall_screen_data", args=[token]),
                 reverse("window_public:hall_screen_data", args=["x" * 43])):
        assert client.get(path).status_code == 404


def test_bs_token_reads_only_b_and_as_clerk_cannot_manage_bs_links(client, hw):
    ww = hw.ww
    hall.issue_ticket(ww.clerk_a, ww.centre_a, "ZW0001")
    b_link, b_token = hall_screen.issue_screen_link(ww.clerk_b, ww.centre_b, "乙镇电视")
    data = client.get(reverse("window_public:hall_screen_data", args=[b_token])).json()
    assert data["waiting_total"] == 0 and data["items"] == []
    assert ww.centre_a.name not in client.get(reverse("window_public:hall_screen", args=[b_token])).content.decode()
    client.force_login(ww.clerk_a)
    assert client.post(reverse("window_hall:screen_link_revoke", args=[b_link.pk])).status_code == 404
    assert client.post(reverse("window_hall:screen_link_issue", args=[ww.centre_b.pk]), {"name": "x"}).status_code == 404
    b_link.refresh_from_db()
    assert b_link.revoked_at is None and ScreenLink.objects.count() == 1


def test_a_link_needs_a_name(client, hw):
    client.force_login(hw.ww.clerk_a)
    response = client.post(reverse("window_hall:screen_link_issue", args=[hw.ww.centre_a.pk]), {"name": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert not ScreenLink.objects.exists()
