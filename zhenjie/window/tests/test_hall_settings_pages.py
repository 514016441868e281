"""The centre's hall settings as pages: counters (AB岗), weekday hours (错时服务), the holiday
rota (节假日轮班), appointment slots; bad input answers with the action's Chinese message and
writes nothing; B's settings are 404 to A's clerk; the writes are journaled."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_user
from zhenjie.window.models import AppointmentSlot, Counter, HolidayDuty, OpeningHours

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db
NATIONAL_DAY = date(2026, 10, 2)  # kernel.calendar: a statutory holiday


@pytest.fixture
def hw(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at())
    return make_hall_world()


@pytest.fixture
def clerk(client, hw):
    client.force_login(hw.ww.clerk_a)
    return client


def test_the_settings_page_lists_the_centres_counters_hours_and_forms(clerk, hw):
    page = clerk.get(reverse("window_hall:settings", args=[hw.ww.centre_a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1号 社会保障" in text and "12:00-14:00(错时服务)" in text and "安排值班" in text and "生成链接" in text
    assert "乙镇" not in text


def test_a_counter_is_made_and_changed_through_its_form(clerk, hw):
    ww = hw.ww
    response = clerk.post(reverse("window_hall:counter_new", args=[ww.centre_a.pk]),
                          {"number": 3, "name": "不动产", "item_codes": ["ZW0002"], "clerk": hw.clerk_a2.pk, "alternate": ww.clerk_a.pk, "is_active": "on"})
    assert response.status_code == 302
    counter = Counter.objects.get(centre=ww.centre_a, number=3)
    assert (counter.item_codes, counter.clerk, counter.alternate) == (["ZW0002"], hw.clerk_a2, ww.clerk_a)
    assert JournalEntry.objects.filter(verb="hall.counter", data__counter=counter.pk).exists()
    clerk.post(reverse("window_hall:counter_edit", args=[counter.pk]), {"number": 3, "name": "不动产登记", "clerk": hw.clerk_a2.pk})
    counter.refresh_from_db()
    assert (counter.name, counter.item_codes, counter.alternate, counter.is_active) == ("不动产登记", [], None, False)


@pytest.mark.parametrize("fields, message", [
    ({"number": 1, "name": "重复"}, "1号窗口已存在"),
    ({"number": 0, "name": "零号"}, "确保该值大于或等于1"),
    ({"number": "三", "name": "文字"}, "输入整数"),
    ({"number": 4, "name": "长" * 40}, "不超过 32 字符"),
    ({"number": 4, "name": "同人", "clerk": "CLERK", "alternate": "CLERK"}, "AB岗人员不能是窗口人员本人"),
    ({"number": 4, "name": "外人", "clerk": "B"}, "选择一个有效的选项"),
])
def test_bad_counter_input_is_refused_in_chinese_and_writes_nothing(clerk, hw, fields, message):
    people = {"CLERK": hw.ww.clerk_a.pk, "B": hw.ww.clerk_b.pk}
    fields = {key: people.get(value, value) for key, value in fields.items()}
    before = list(Counter.objects.values_list("pk", "number", "name"))
    response = clerk.post(reverse("window_hall:counter_new", args=[hw.ww.centre_a.pk]), fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert list(Counter.objects.values_list("pk", "number", "name")) == before


def test_weekday_hours_with_a_staggered_stretch_and_overlaps_refused(clerk, hw):
    centre = hw.ww.centre_a
    url = reverse("window_hall:weekday_hours", args=[centre.pk, 5])
    assert "09:00" in clerk.get(url).content.decode()  # the Saturday's current stretch, prefilled
    ok = clerk.post(url, {"opens_0": "09:00", "closes_0": "12:00", "staggered_0": "on", "opens_1": "14:00", "closes_1": "16:00"})
    assert ok.status_code == 302
    assert list(OpeningHours.objects.filter(centre=centre, weekday=5).values_list("staggered", flat=True)) == [True, False]
    overlap = clerk.post(url, {"opens_0": "09:00", "closes_0": "12:00", "opens_1": "11:00", "closes_1": "13:00"})
    assert overlap.status_code == 400 and "同一天的办公时段不能重叠" in overlap.content.decode()
    half = clerk.post(url, {"opens_0": "09:00"})
    assert half.status_code == 400 and "请同时填写开始和结束时间" in half.content.decode()
    backwards = clerk.post(url, {"opens_0": "12:00", "closes_0": "09:00"})
    assert "结束时间须晚于开始时间" in backwards.content.decode()
    assert OpeningHours.objects.filter(centre=centre, weekday=5).count() == 2
    assert clerk.post(url, {}).status_code == 302  # nothing filled: closed on Saturdays
    assert not OpeningHours.objects.filter(centre=centre, weekday=5).exists()


def test_the_holiday_rota_only_on_a_statutory_holiday_and_removable(clerk, hw):
    ww = hw.ww
    url = reverse("window_hall:duty_add", args=[ww.centre_a.pk])
    workday = clerk.post(url, {"day": "2026-12-08", "staff": ww.clerk_a.pk, "opens": "09:00", "closes": "12:00"})
    assert workday.status_code == 400 and "不是法定节假日" in workday.content.decode()
    outsider = clerk.post(url, {"day": "2026-10-02", "staff": ww.clerk_b.pk, "opens": "09:00", "closes": "12:00"})
    assert outsider.status_code == 400 and "选择一个有效的选项" in outsider.content.decode()
    assert not HolidayDuty.objects.exists()
    assert clerk.post(url, {"day": "2026-10-02", "staff": ww.world.leader_a.pk, "opens": "09:00", "closes": "12:00"}).status_code == 302
    duty = HolidayDuty.objects.get()
    assert (duty.day, duty.staff) == (NATIONAL_DAY, ww.world.leader_a)
    clerk.post(reverse("window_hall:duty_remove", args=[duty.pk]))
    assert not HolidayDuty.objects.exists()
    assert JournalEntry.objects.filter(verb="hall.duty_removed").count() == 1


def test_a_slot_with_its_items_and_capacity(clerk, hw):
    centre = hw.ww.centre_a
    url = reverse("window_hall:slot_new", args=[centre.pk])
    bad = clerk.post(url, {"starts": "10:00", "ends": "09:00", "capacity": 5})
    assert bad.status_code == 400 and "结束时间须晚于开始时间" in bad.content.decode()
    assert clerk.post(url, {"starts": "09:00", "ends": "10:00", "capacity": 0}).status_code == 400
    assert not AppointmentSlot.objects.exists()
    assert clerk.post(url, {"starts": "09:00", "ends": "10:00", "capacity": 5, "item_codes": ["ZW0001"], "is_active": "on"}).status_code == 302
    slot = AppointmentSlot.objects.get()
    assert (slot.capacity, slot.item_codes, slot.is_active) == (5, ["ZW0001"], True)
    clerk.post(reverse("window_hall:slot_edit", args=[slot.pk]), {"starts": "09:00", "ends": "10:30", "capacity": 3})
    slot.refresh_from_db()
    assert (slot.capacity, slot.item_codes, slot.is_active) == (3, [], False)


def test_township_bs_settings_are_404_to_as_clerk(clerk, hw):
    ww = hw.ww
    b_slot = AppointmentSlot.objects.create(centre=ww.centre_b, starts="09:00", ends="10:00", capacity=1)
    b_duty = HolidayDuty.objects.create(centre=ww.centre_b, day=NATIONAL_DAY, opens="09:00", closes="12:00", staff=ww.clerk_b)
    for name, args in (("settings", [ww.centre_b.pk]), ("counter_new", [ww.centre_b.pk]), ("counter_edit", [hw.counter_b1.pk]),
                       ("weekday_hours", [ww.centre_b.pk, 0]), ("slot_new", [ww.centre_b.pk]), ("slot_edit", [b_slot.pk])):
        assert clerk.get(reverse(f"window_hall:{name}", args=args)).status_code == 404, name
    assert clerk.post(reverse("window_hall:counter_edit", args=[hw.counter_b1.pk]), {"number": 9, "name": "x"}).status_code == 404
    assert clerk.post(reverse("window_hall:duty_remove", args=[b_duty.pk])).status_code == 404
    assert clerk.post(reverse("window_hall:duty_add", args=[ww.centre_b.pk]), {}).status_code == 404
    assert HolidayDuty.objects.filter(pk=b_duty.pk).exists() and Counter.objects.get(pk=hw.counter_b1.pk).number == 1


def test_staff_who_may_not_keep_see_the_settings_without_forms_and_are_refused(client, hw):
    ww = hw.ww
    client.force_login(make_user("handler_a", ww.centre_a, [R.BACK_OFFICE_HANDLER], ww.world.a))  # reaches the centre, keeps nothing
    page = client.get(reverse("window_hall:settings", args=[ww.centre_a.pk]))
    assert page.status_code == 200 and "您可以查看" in page.content.decode() and "生成链接" not in page.content.decode()
    refused = client.post(reverse("window_hall:counter_new", args=[ww.centre_a.pk]), {"number": 7, "name": "后台"})
    assert refused.status_code == 400 and "只有本中心窗口人员或乡镇(街道)领导可以设置窗口" in refused.content.decode()
    assert not Counter.objects.filter(number=7).exists()
