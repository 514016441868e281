"""Appointments by time slot: booking by a citizen or by a clerk for a caller, capacity, closed
days, cancelling, and check-in turning the booking into a priority ticket."""

from datetime import date, datetime, time

import pytest

from zhenjie.accounts.models import User
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.window import hall_queries
from zhenjie.window.actions import hall
from zhenjie.window.models import Appointment, AppointmentState, Priority

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db
TUESDAY = date(2026, 12, 8)


@pytest.fixture
def hw():
    return make_hall_world()


@pytest.fixture
def slot(hw):
    return hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(9), ends=time(10), capacity=2)


@pytest.fixture
def citizen():
    return User.objects.create_user("citizen_li", kind=User.Kind.CITIZEN)


def book(actor, slot, day=TUESDAY, **fields):
    values = {"item_code": "ZW0001", "person_name": "李桂兰", "phone": "13900000001", **fields}
    return hall.book_appointment(actor, slot, day=day, now=at(), **values)


def test_a_full_slot_is_refused(hw, slot, citizen):
    book(citizen, slot)
    book(hw.ww.clerk_a, slot, person_name="张强")  # for a caller on the phone
    with pytest.raises(Rejected, match="已约满"):
        book(citizen, slot)
    assert Appointment.objects.filter(slot=slot).count() == 2
    first = Appointment.objects.filter(citizen=citizen).get()
    hall.cancel_appointment(citizen, first)  # a cancelled place is free again
    assert book(citizen, slot).state == AppointmentState.BOOKED


def test_no_booking_on_a_closed_day_or_outside_the_hours(hw, slot, citizen):
    with pytest.raises(Rejected, match="国庆节"):
        hall.book_appointment(citizen, slot, day=date(2026, 10, 1), item_code="ZW0001", person_name="李", phone="13900000001",
                              now=at(datetime(2026, 9, 25)))
    with pytest.raises(Rejected, match="不办公"):
        book(citizen, slot, day=date(2026, 12, 13))  # Sunday
    evening = hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(18), ends=time(19), capacity=5)
    with pytest.raises(Rejected, match="08:30-12:00"):
        book(citizen, evening)
    assert not Appointment.objects.exists()


def test_bad_booking_input_is_refused(hw, slot, citizen):
    for fields in ({"phone": "12345"}, {"phone": None}, {"person_name": ""}, {"person_name": "李" * 40}, {"item_code": "NOPE"}):
        with pytest.raises(Rejected):
            book(citizen, slot, **fields)
    for day in (date(2026, 12, 1), date(2027, 3, 1), "2026-12-08", None):
        with pytest.raises(Rejected):
            book(citizen, slot, day=day)
    with pytest.raises(Forbidden):  # B's clerk books nothing in A's centre
        book(hw.ww.clerk_b, slot)
    with pytest.raises(Rejected):
        hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(10), ends=time(9), capacity=1)
    with pytest.raises(Rejected):
        hall.save_slot(hw.ww.clerk_a, hw.ww.centre_a, starts=time(9), ends=time(10), capacity=0)
    assert not Appointment.objects.exists()


def test_check_in_turns_the_booking_into_a_priority_ticket_called_first(hw, slot, citizen):
    appointment = book(citizen, slot)
    hall.issue_ticket(None, hw.ww.centre_a, "ZW0001", now=at(TUESDAY_AT := datetime(2026, 12, 8), hour=8, minute=40))
    with pytest.raises(Rejected, match="提前30分钟"):
        hall.check_in(hw.ww.clerk_a, appointment, now=at(TUESDAY_AT, hour=8, minute=20))
    ticket = hall.check_in(hw.ww.clerk_a, appointment, now=at(TUESDAY_AT, hour=8, minute=45))
    assert ticket.code == "P001" and ticket.priority == Priority.APPOINTMENT
    with pytest.raises(Conflict):
        hall.check_in(hw.ww.clerk_a, appointment, now=at(TUESDAY_AT, hour=8, minute=46))
    with pytest.raises(Conflict):
        hall.cancel_appointment(citizen, appointment)
    assert hall.call_next(hw.ww.clerk_a, hw.counter_a1, now=at(TUESDAY_AT, hour=8, minute=50)).pk == ticket.pk


def test_a_citizen_sees_and_cancels_only_their_own(hw, slot, citizen):
    mine = book(citizen, slot)
    other = User.objects.create_user("citizen_wang", kind=User.Kind.CITIZEN)
    with pytest.raises(NotFound):
        hall_queries.get_appointment_for(other, mine.pk)
    with pytest.raises(Forbidden):
        hall.cancel_appointment(other, mine)
    with pytest.raises(NotFound):
        hall_queries.get_appointment_for(hw.ww.clerk_b, mine.pk)
    assert hall_queries.get_appointment_for(hw.ww.clerk_a, mine.pk) == mine
