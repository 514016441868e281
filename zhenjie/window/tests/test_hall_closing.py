"""Skipped numbers and no-shows: a skipped number is put back once (回号) behind those waiting;
at closing, numbers never called are void and bookings not checked in are missed."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.models import JournalEntry
from zhenjie.window.actions import hall
from zhenjie.window.actions.hall_closing import sweep_closing
from zhenjie.window.models import AppointmentState, TicketState

from .hall_world import MONDAY, at, make_hall_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hw():
    return make_hall_world()


def test_a_skipped_number_is_put_back_once_behind_those_waiting(hw):
    ww, counter = hw.ww, hw.counter_a2
    first = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(minute=0))
    second = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(minute=1))
    called = hall.call_next(hw.clerk_a2, counter, now=at(minute=5))
    assert called.pk == first.pk
    hall.skip(hw.clerk_a2, called, now=at(minute=6))
    back = hall.requeue(ww.clerk_a, called, now=at(minute=7))
    assert (back.state, back.counter, back.requeued_by) == (TicketState.WAITING, None, ww.clerk_a)
    assert hall.call_next(hw.clerk_a2, counter, now=at(minute=8)).pk == second.pk  # behind those waiting
    hall.finish(hw.clerk_a2, second.__class__.objects.get(pk=second.pk), now=at(minute=9))
    again = hall.call_next(hw.clerk_a2, counter, now=at(minute=10))
    assert again.pk == first.pk and again.called_at == at(minute=5)  # the wait ended at the first call
    hall.skip(hw.clerk_a2, again, now=at(minute=11))
    with pytest.raises(Conflict, match="已回号过一次"):
        hall.requeue(ww.clerk_a, again, now=at(minute=12))


def test_requeue_refused_for_a_waiting_number_another_day_or_another_township(hw):
    ww = hw.ww
    waiting = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at())
    with pytest.raises(Conflict, match="只有已过号的号码可以回号"):
        hall.requeue(ww.clerk_a, waiting, now=at())
    hall.skip(hw.clerk_a2, hall.call_next(hw.clerk_a2, hw.counter_a2, now=at()), now=at())
    waiting.refresh_from_db()
    with pytest.raises(Forbidden):
        hall.requeue(ww.clerk_b, waiting, now=at())
    with pytest.raises(Conflict, match="不是今日的号码"):
        hall.requeue(ww.clerk_a, waiting, now=at(MONDAY.replace(day=8)))
    waiting.refresh_from_db()
    assert waiting.state == TicketState.SKIPPED and waiting.requeued_at is None


def test_requeue_from_the_centre_page_and_bs_ticket_is_404(client, hw, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at())
    ww = hw.ww
    ticket = hall.issue_ticket(None, ww.centre_a, "ZW0001")
    hall.skip(hw.clerk_a2, hall.call_next(hw.clerk_a2, hw.counter_a2))
    b_ticket = hall.issue_ticket(None, ww.centre_b, "ZW0001")
    hall.skip(ww.clerk_b, hall.call_next(ww.clerk_b, hw.counter_b1))
    client.force_login(ww.clerk_a)
    page = client.get(reverse("window_hall:centre", args=[ww.centre_a.pk])).content.decode()
    assert "回号" in page and ticket.code in page
    assert client.post(reverse("window_hall:requeue", args=[b_ticket.pk])).status_code == 404
    client.post(reverse("window_hall:requeue", args=[ticket.pk]))
    ticket.refresh_from_db()
    b_ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING and b_ticket.state == TicketState.SKIPPED


def test_at_closing_waiting_numbers_are_void_and_bookings_missed(hw):
    ww = hw.ww
    slot = hall.save_slot(ww.clerk_a, ww.centre_a, starts=time(9), ends=time(10), capacity=3)
    missed = hall.book_appointment(ww.clerk_a, slot, day=MONDAY.date(), item_code="ZW0001", person_name="张", phone="13900000001", now=at(hour=8))
    skipped = hall.issue_ticket(None, ww.centre_a, "ZW0002", now=at(hour=16))
    waiting_a = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(hour=16))
    hall.skip(hw.clerk_a2, hall.call_next(hw.clerk_a2, hw.counter_a2, now=at(hour=16, minute=1)), now=at(hour=16, minute=2))
    assert sweep_closing(at(hour=17)) == (0, 1)  # the hall is open till 17:30; the 9–10 slot is over
    missed.refresh_from_db()
    assert missed.state == AppointmentState.MISSED
    assert sweep_closing(at(hour=17, minute=30)) == (1, 0)
    waiting_a.refresh_from_db()
    skipped.refresh_from_db()
    assert (waiting_a.state, waiting_a.finished_at) == (TicketState.VOID, at(hour=17, minute=30))
    assert skipped.state == TicketState.SKIPPED  # 过号 stays 过号
    entry = JournalEntry.objects.get(verb="hall.closing")
    assert entry.data == {"day": "2026-12-07", "voided": 1} and entry.subject == f"unit:{ww.centre_a.pk}"
    assert sweep_closing(at(hour=18)) == (0, 0)
