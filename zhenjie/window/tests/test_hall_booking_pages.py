"""Appointment pages: a citizen books a slot for an item some slot takes, sees and cancels it; a
clerk books for a caller and checks a visitor in; the kiosk checks in by the booking's mobile;
no booking on a closed day (the message gives the hours); the phone is sealed (kernel.pii)."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.kernel import pii
from zhenjie.window.actions import hall
from zhenjie.window.models import Appointment, AppointmentState, Ticket

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db
PHONE = "13900000001"


@pytest.fixture
def hw(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(hour=8, minute=45))  # Monday 2026-12-07
    world = make_hall_world()
    world.slot = hall.save_slot(world.ww.clerk_a, world.ww.centre_a, starts=time(9), ends=time(10), capacity=2, item_codes=["ZW0001"])
    return world


@pytest.fixture
def citizen(client):
    user = User.objects.create_user("citizen_li", kind=User.Kind.CITIZEN)
    client.force_login(user)
    return user


def booking(hw, **fields):
    return {"item_code": "ZW0001", "day": "2026-12-08", "slot": hw.slot.pk, "person_name": "李桂兰", "phone": PHONE, **fields}


def test_a_citizen_books_sees_and_cancels_a_booking(client, hw, citizen):
    centre = hw.ww.centre_a
    listing = client.get(reverse("window_public:appointments")).content.decode()
    assert centre.name in listing and hw.ww.centre_b.name not in listing  # B takes no bookings
    form = client.get(reverse("window_public:book", args=[centre.pk])).content.decode()
    assert "最低生活保障申请" in form and "高龄津贴申请" not in form  # only the items a slot takes
    assert "周六 09:00-12:00(错时服务)" in form
    assert client.post(reverse("window_public:book", args=[centre.pk]), booking(hw)).status_code == 302
    mine = Appointment.objects.get()
    assert (mine.citizen, mine.booked_by, mine.state) == (citizen, None, AppointmentState.BOOKED)
    assert PHONE not in client.get(reverse("window_public:appointments")).content.decode()
    client.post(reverse("window_public:cancel_appointment", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.state == AppointmentState.CANCELLED


def test_the_phone_is_sealed_and_shown_masked(client, hw, citizen):
    client.post(reverse("window_public:book", args=[hw.ww.centre_a.pk]), booking(hw))
    row = Appointment.objects.get()
    assert PHONE not in (row.phone_cipher + row.phone_digest) and row.phone_masked == "139****0001"
    assert pii.decrypt(row.phone_cipher, hall.PHONE_CONTEXT) == PHONE


@pytest.mark.parametrize("fields, message", [
    ({"day": "2026-12-13"}, "12月13日不办公"),  # a Sunday: the hours are in the message
    ({"day": "2026-10-01"}, "只能预约今天起30天内的时段"),
    ({"phone": "12345"}, "手机号应为11位数字"),
    ({"person_name": "李" * 40}, "不超过 32 字符"),
    ({"item_code": "ZW0002"}, "选择一个有效的选项"),
    ({"slot": "999999"}, "选择一个有效的选项"),
    ({"day": "明天"}, "输入一个有效的日期"),
])
def test_bad_bookings_are_refused_in_chinese_and_write_nothing(client, hw, citizen, fields, message):
    response = client.post(reverse("window_public:book", args=[hw.ww.centre_a.pk]), booking(hw, **fields))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_citizen_cannot_see_or_cancel_anothers_booking(client, hw, citizen):
    other = User.objects.create_user("citizen_wang", kind=User.Kind.CITIZEN)
    theirs = hall.book_appointment(other, hw.slot, day=timezone.localdate() + timezone.timedelta(days=1), item_code="ZW0001", person_name="王", phone="13900000009")
    assert "王" not in client.get(reverse("window_public:appointments")).content.decode()
    assert client.post(reverse("window_public:cancel_appointment", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == AppointmentState.BOOKED


def test_staff_cannot_use_the_citizens_booking_page(client, hw):
    client.force_login(hw.ww.clerk_a)
    assert client.get(reverse("window_public:appointments")).status_code == 302


def test_a_clerk_books_for_a_caller_and_checks_the_visitor_in(client, hw):
    ww = hw.ww
    client.force_login(ww.clerk_a)
    url = reverse("window_hall:appointments", args=[ww.centre_a.pk])
    assert client.post(url, booking(hw, day="2026-12-07", person_name="张强")).status_code == 302
    row = Appointment.objects.get()
    assert row.booked_by == ww.clerk_a and row.citizen is None
    page = client.get(url).content.decode()
    assert "张强" in page and "139****0001" in page and PHONE not in page
    client.post(reverse("window_hall:appointment_step", args=[row.pk, "check-in"]))
    row.refresh_from_db()
    assert row.state == AppointmentState.CHECKED_IN and row.ticket.code == "P001"
    again = client.post(reverse("window_hall:appointment_step", args=[row.pk, "cancel"]), follow=True)
    assert "该预约已签到或已取消" in again.content.decode()
    assert client.post(reverse("window_hall:appointment_step", args=[row.pk, "delete"])).status_code == 404


def test_the_kiosk_checks_a_booking_in_by_its_mobile(client, hw):
    ww = hw.ww
    row = hall.book_appointment(ww.clerk_a, hw.slot, day=timezone.localdate(), item_code="ZW0001", person_name="张强", phone=PHONE)
    url = reverse("window_hall:kiosk", args=[ww.centre_a.pk])
    wrong = client.post(url, {"step": "check_in", "phone": "13900000002"})
    assert "未找到该手机号今日待签到的预约" in wrong.content.decode()
    bad = client.post(url, {"step": "check_in", "phone": "abc"})
    assert "手机号应为11位数字" in bad.content.decode()
    done = client.post(url, {"step": "check_in", "phone": PHONE}).content.decode()
    assert "P001" in done and "张强" not in done and PHONE not in done
    row.refresh_from_db()
    assert row.state == AppointmentState.CHECKED_IN and Ticket.objects.get().issued_by is None


def test_township_bs_appointments_are_404_to_as_clerk(client, hw):
    ww = hw.ww
    b_slot = hall.save_slot(ww.clerk_b, ww.centre_b, starts=time(9), ends=time(10), capacity=2)
    theirs = hall.book_appointment(ww.clerk_b, b_slot, day=timezone.localdate(), item_code="ZW0001", person_name="赵敏", phone=PHONE)
    client.force_login(ww.clerk_a)
    assert client.get(reverse("window_hall:appointments", args=[ww.centre_b.pk])).status_code == 404
    for step in ("check-in", "cancel"):
        assert client.post(reverse("window_hall:appointment_step", args=[theirs.pk, step])).status_code == 404
    assert "赵敏" not in client.get(reverse("window_hall:appointments", args=[ww.centre_a.pk])).content.decode()
    theirs.refresh_from_db()
    assert theirs.state == AppointmentState.BOOKED


def _queries(client, url) -> int:
    client.get(url)  # warm the session and the user
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_booking_lists_run_a_fixed_number_of_queries_whatever_the_rows(client, hw, citizen):
    ww, day = hw.ww, timezone.localdate() + timezone.timedelta(days=1)
    big = hall.save_slot(ww.clerk_a, ww.centre_a, starts=time(10), ends=time(11), capacity=50)

    def book_one(n):
        return hall.book_appointment(citizen, big, day=day, item_code="ZW0001", person_name=f"李{n}", phone=f"139000000{n:02d}")

    book_one(0)
    mine_one = _queries(client, reverse("window_public:appointments"))
    client.force_login(ww.clerk_a)
    staff_one = _queries(client, reverse("window_hall:appointments", args=[ww.centre_a.pk]))
    for n in range(1, 7):
        book_one(n)
    assert _queries(client, reverse("window_hall:appointments", args=[ww.centre_a.pk])) == staff_one
    client.force_login(citizen)
    assert _queries(client, reverse("window_public:appointments")) == mine_one
