"""乡呼县应 to stationed units (派驻机构) as well as county departments, with the same figures; and
response limits in working hours where the county sets them so (issue 14 item 7)."""

from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.calls.queries import calls_for
from zhenjie.events import actions
from zhenjie.events.analysis import department_ranking
from zhenjie.kernel import supervision
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.deadlines import OFFICE_HOURS, add_working_hours
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.models import JournalEntry, SupervisionPolicy
from zhenjie.testing import make_event, make_user
from zhenjie.units.actions import create_unit

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def open_event(world, **where):
    event = make_event(world, category="public_security", **where)
    actions.register_event(world.dispatcher_a if not where else world.dispatcher_b, event)
    return event


@pytest.fixture
def station(world):
    world.officer_a = make_user("officer_a", world.police_station_a, ["enforcement_officer"], world.a)
    return world


def test_a_call_to_a_stationed_unit_works_end_to_end_and_shows_in_the_figures(station, client):
    world = station
    event = open_event(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police_station_a], "请派员到歌舞厅现场处置", 2)
    # whoever is posted at the station answers it (a station has no department liaison)
    assert [a.todo for a in inbox_for(world.officer_a)] == ["respond"]
    assert list(calls_for(world.officer_a)) == [call] and not calls_for(world.liaison).exists()
    calls.acknowledge_call(world.officer_a, call)
    calls.report_call(world.officer_a, call, "已到场处置，责令停业整改")
    calls.confirm_call(world.dispatcher_a, call)
    calls.rate_call(world.dispatcher_a, Call.objects.get(pk=call.pk), 5, "到场迅速")

    [figures] = calls.department_figures(Call.objects.all())
    assert figures["department__name"] == "甲镇派出所" and figures["department__kind"] == "stationed"
    assert (figures["received"], figures["acknowledged_on_time"], figures["solved_on_time"], figures["average_rating"]) == (1, 1, 1, 5)
    [row] = department_ranking(world.leader_a)
    assert row.name == "甲镇派出所" and row.stationed and row.acknowledge_rate == 100.0 and row.solve_rate == 100.0

    client.force_login(world.leader_a)
    page = client.get(reverse("dashboard:departments")).content.decode()
    assert "甲镇派出所" in page and "派驻机构" in page
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("calls:home")).content.decode()
    assert "甲镇派出所" in page and "派驻" in page


def test_the_event_page_offers_the_townships_stationed_units_and_the_page_calls_them(station, client):
    world = station
    other_station = create_unit(None, name="乙镇派出所", kind="stationed", area=world.b, home_department=world.police)
    event = open_event(world)
    client.force_login(world.dispatcher_a)
    page = client.get(f"/events/{event.case_id}/").content.decode()
    assert "甲镇派出所" in page and "乙镇派出所" not in page
    response = client.post(f"/events/{event.case_id}/act/call/", {"departments": [world.police_station_a.pk], "request": "请派员", "working_days": 2})
    assert response.status_code == 302
    assert Call.objects.get().department == world.police_station_a
    # another township's station cannot be called, whatever is posted
    with pytest.raises(Rejected) as error:
        calls.call_departments(world.dispatcher_a, open_event(world).case, [other_station], "请派员", 2)
    assert error.value.message == "只能呼叫本县的县直部门或派驻本乡镇(街道)的机构"
    with pytest.raises(Rejected):
        calls.call_departments(world.dispatcher_a, open_event(world).case, [world.office_a], "请派员", 2)


def test_the_api_calls_a_stationed_unit_and_its_staff_answer(station, client):
    from zhenjie.testing import Api

    world, api = station, Api(client)
    event = open_event(world)
    made = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/calls",
                                        {"department_ids": [world.police_station_a.pk], "request": "请派员", "working_days": 2})
    assert made.status_code in (200, 201), made.content
    call = Call.objects.get()
    assert api.as_("officer_a").post(f"/api/calls/{call.case_id}/acknowledge").json()["state"] == "acknowledged"
    assert api.as_("dispatcher_b").get(f"/api/calls/{call.case_id}").status_code == 404


# ---- working hours --------------------------------------------------------------------------


def test_working_hours_skip_the_night_and_the_weekend():
    # Friday 16:30 + 2 working hours: one hour on Friday, one from Monday's opening
    assert add_working_hours(local(2026, 3, 13, 16, 30), 2)[0] == local(2026, 3, 16, 9, 30)
    # the lunch break is not counted
    assert add_working_hours(local(2026, 3, 16, 11, 0), 2)[0] == local(2026, 3, 16, 15, 0)
    # a call made at night starts counting at the next opening
    assert add_working_hours(local(2026, 3, 16, 22, 0), 1)[0] == local(2026, 3, 17, 9, 30)
    assert add_working_hours(local(2026, 3, 14, 10, 0), 3)[0] == local(2026, 3, 16, 11, 30)  # Saturday


def test_working_hours_skip_a_holiday_and_count_a_make_up_working_day():
    # 2025: 10月1日–8日 国庆中秋放假, 10月11日(星期六)上班
    assert add_working_hours(local(2025, 9, 30, 16, 30), 3)[0] == local(2025, 10, 9, 10, 30)
    # Friday 10月10日 17:00 + 2h: half an hour that day, the rest on Saturday the 11th (a make-up day)
    assert add_working_hours(local(2025, 10, 10, 17, 0), 2)[0] == local(2025, 10, 11, 10, 0)
    # a year the calendar does not know is flagged
    assert add_working_hours(local(2031, 1, 6, 9, 0), 1)[1] is True and add_working_hours(local(2025, 1, 6, 9, 0), 1)[1] is False


def test_a_county_with_working_hour_limits_gets_a_call_due_in_office_hours(station, client):
    world = station
    client.force_login(world.county_admin)
    page = client.get(reverse("workbench:supervision")).content.decode()
    assert "乡呼县应响应时限按工作时间计" in page
    response = client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": 4, "call_working_hours": "on"})
    assert response.status_code == 302
    policy = SupervisionPolicy.objects.get(county=world.county)
    assert policy.call_working_hours and policy.call_acknowledge_hours == 4
    entry = JournalEntry.objects.filter(verb="settings.supervision").latest("pk")
    assert entry.data["before"]["call_working_hours"] is False and entry.data["after"]["call_working_hours"] is True

    # made on a Friday at 16:00: 1½ hours that day, 2½ from Monday's opening — due Monday 11:00, not Friday 20:00
    assert supervision.call_acknowledge_due(world.a, local(2026, 3, 13, 16, 0)) == local(2026, 3, 16, 11, 0)
    # end to end, now: the due time falls in office hours of a working day, the same as the arithmetic
    [call] = calls.call_departments(world.dispatcher_a, open_event(world).case, [world.police_station_a], "请派员", 2)
    due = timezone.localtime(call.acknowledge_due)
    assert current_calendar().is_workday(due.date()) and any(opens < due.time() <= closes for opens, closes in OFFICE_HOURS)
    assert call.acknowledge_due > call.case.opened_at
    [respond] = inbox_for(world.officer_a)
    assert respond.due_at == call.acknowledge_due

    # a county that has not chosen working hours keeps the clock's
    client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": 4})
    assert supervision.call_acknowledge_due(world.a, local(2026, 3, 13, 16, 0)) == local(2026, 3, 13, 20, 0)


def test_the_working_hours_setting_refuses_what_is_not_yes_or_no(world):
    with pytest.raises(Rejected) as error:
        supervision.update_policy(world.county_admin, 24, True, 4, call_working_hours="yes")
    assert error.value.field == "call_working_hours" and not SupervisionPolicy.objects.exists()
    with pytest.raises(Exception) as refused:
        supervision.update_policy(world.dispatcher_a, 24, True, 4, call_working_hours=True)
    assert "县级管理员" in str(refused.value.message)


def test_other_townships_see_no_stationed_calls(station):
    world = station
    [call] = calls.call_departments(world.dispatcher_a, open_event(world).case, [world.police_station_a], "请派员", 2)
    assert not calls_for(world.dispatcher_b).exists()
    from zhenjie.calls.queries import get_call_for

    with pytest.raises(NotFound):
        get_call_for(world.dispatcher_b, call.case_id)
    assert time(8, 30) == OFFICE_HOURS[0][0]
