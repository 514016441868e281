"""The hall over the API: a clerk takes a number and calls it, B's clerk gets 404 for all of A's
hall, bad input is 400 and writes nothing, a citizen books and cancels."""

from datetime import time

import pytest
from django.utils import timezone

from zhenjie.accounts.models import ApiToken, User
from zhenjie.testing import Api
from zhenjie.window.actions import hall
from zhenjie.window.models import Appointment, Ticket

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hw(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at())
    return make_hall_world()


@pytest.fixture
def api(client):
    return Api(client)


def test_take_call_and_finish_over_the_api_and_b_gets_404(api, hw):
    ww = hw.ww
    made = api.as_("window_a").post(f"/api/window/hall/centres/{ww.centre_a.pk}/tickets", {"item_code": "ZW0001", "priority": "pregnant"})
    assert made.status_code == 201 and made.json()["code"] == "Y001"
    called = api.post(f"/api/window/hall/counters/{hw.counter_a1.pk}/call")
    assert called.status_code == 200 and called.json()["state"] == "called"
    assert api.post(f"/api/window/hall/counters/{hw.counter_a1.pk}/call").status_code == 409  # finish first
    ticket = called.json()["id"]
    assert api.as_("window_b").post(f"/api/window/hall/tickets/{ticket}/finish").status_code == 404
    assert api.get(f"/api/window/hall/centres/{ww.centre_a.pk}/screen").status_code == 404
    assert api.post(f"/api/window/hall/counters/{hw.counter_a1.pk}/call").status_code == 404
    assert api.post(f"/api/window/hall/centres/{ww.centre_a.pk}/tickets", {"item_code": "ZW0001"}).status_code == 404
    assert api.as_("window_a").post(f"/api/window/hall/tickets/{ticket}/finish").json()["state"] == "done"
    assert api.get(f"/api/window/hall/centres/{ww.centre_a.pk}/screen").json()["loads"][0]["value"] == 1


@pytest.mark.parametrize("body", [{}, {"item_code": ""}, {"item_code": "ZW0001", "priority": "vip"}, {"item_code": 5}, {"item_code": "x" * 65}])
def test_bad_ticket_input_is_400_and_writes_nothing(api, hw, body):
    response = api.as_("window_a").post(f"/api/window/hall/centres/{hw.ww.centre_a.pk}/tickets", body)
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_citizen_books_and_cancels_over_the_api(api, hw, client):
    slot = hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(9), ends=time(10), capacity=1)
    citizen = User.objects.create_user("citizen_zhao", kind=User.Kind.CITIZEN)
    _, token = ApiToken.issue(citizen, timezone.timedelta(hours=1))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"day": "2026-12-08", "item_code": "ZW0001", "person_name": "赵敏", "phone": "13900000002"}
    booked = client.post(f"/api/window/hall/slots/{slot.pk}/appointments", body, content_type="application/json", **headers)
    assert booked.status_code == 201, booked.content
    full = client.post(f"/api/window/hall/slots/{slot.pk}/appointments", body, content_type="application/json", **headers)
    assert full.status_code == 400 and full.json()["code"] == "hall.slot_full"
    assert client.post("/api/window/hall/slots/999999/appointments", body, content_type="application/json", **headers).status_code == 400
    cancelled = client.post(f"/api/window/hall/appointments/{booked.json()['id']}/cancel", **headers)
    assert cancelled.json()["state"] == "cancelled"
    assert Appointment.objects.count() == 1
