"""The figures of the analysis pages and the command screen, on a small data set whose every
number is known: township A has five events and a call, township B one event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.calls import actions as calls
from zhenjie.events import actions, analysis
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.kernel import followups
from zhenjie.kernel.models import Case, FollowUp, SupervisionPolicy
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def report(world, category, channel, days_ago=0, reporter=None, lng=116.01, lat=35.01):
    return report_event(reporter or world.grid_worker_a, Report(
        channel=channel, category=Category.objects.get(code=category), description="现场情况", lng=lng, lat=lat,
        reported_at=timezone.now() - timedelta(days=days_ago),
    ))


def dispatch(world, event):
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="清单未列明，由社会治理办处置")


@pytest.fixture
def known(world):
    """e1 today, dispatched, due in 5 hours; e2 today, registered, called the police;
    e3 three days ago, closed today; e4 ten days ago, dispatched and overdue;
    e5 forty days ago, registered; b1 today in township B."""
    now = timezone.now()
    e1 = report(world, "sanitation", "grid")
    dispatch(world, e1)
    Case.objects.filter(pk=e1.case_id).update(due_at=now + timedelta(hours=5))
    e2 = report(world, "noise", "citizen")
    actions.register_event(world.dispatcher_a, e2)
    [call] = calls.call_departments(world.dispatcher_a, e2.case, [world.police], "请派员夜间执法", 3)
    Case.objects.filter(pk=call.case_id).update(due_at=now + timedelta(hours=10))
    e3 = report(world, "dispute", "hotline", days_ago=3)
    dispatch(world, e3)
    actions.acknowledge_event(world.clerk_a, e3)
    actions.start_handling(world.clerk_a, e3)
    actions.report_back(world.clerk_a, e3, "已调解")
    followups.close(world.dispatcher_a, FollowUp.objects.get(case_id=e3.case_id, state="open"), called=True, reached=True, resolved=True)  # the reporter confirmed on a call
    actions.close_event(world.dispatcher_a, e3)
    e4 = report(world, "sanitation", "grid", days_ago=10, lng=116.03, lat=35.03)
    dispatch(world, e4)
    Case.objects.filter(pk=e4.case_id).update(due_at=now - timedelta(hours=3))
    e5 = report(world, "noise", "grid", days_ago=40)
    actions.register_event(world.dispatcher_a, e5)
    b1 = report(world, "sanitation", "grid", reporter=world.dispatcher_b, lng=116.21, lat=35.01)
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "b1": b1, "call": call}


def as_dict(rows):
    return {row["name"]: row["value"] for row in rows}


def test_live_counts_for_township_a(world, known):
    assert analysis.live_counts(world.dispatcher_a) == {
        "reported_today": 2, "closed_today": 1, "open": 4, "overdue": 1, "due_soon": 1, "waiting": 2,
    }


def test_live_counts_of_township_b_and_of_the_liaison_hold_nothing_of_township_a(world, known):
    assert analysis.live_counts(world.dispatcher_b) == {
        "reported_today": 1, "closed_today": 0, "open": 1, "overdue": 0, "due_soon": 0, "waiting": 1,
    }
    assert set(analysis.live_counts(world.liaison).values()) == {0}


def test_the_last_30_days_by_category_channel_and_village(world, known):
    period = analysis.Period.last_days(30)
    assert as_dict(analysis.by_category(world.dispatcher_a, period)) == {"环境卫生": 2, "噪声扰民": 1, "矛盾纠纷": 1}
    assert analysis.by_category(world.dispatcher_a, period)[0] == {"name": "环境卫生", "value": 2}
    assert as_dict(analysis.by_channel(world.dispatcher_a, period)) == {"网格员上报": 2, "群众上报": 1, "12345热线": 1}
    assert analysis.by_area(world.dispatcher_a, period) == [{"id": world.village_a.pk, "name": "甲一村", "value": 4, "open": 3}]
    assert analysis.by_area(world.dispatcher_b, period) == [{"id": world.village_b.pk, "name": "乙一村", "value": 1, "open": 1}]


def test_the_map_shades_each_village_by_its_open_events_whenever_reported(world, known):
    assert analysis.open_by_area(world.dispatcher_a) == [{"id": world.village_a.pk, "open": 4}]  # e5 is 40 days old
    assert analysis.open_by_area(world.county_admin) == [{"id": world.a.pk, "open": 4}, {"id": world.b.pk, "open": 1}]
    assert analysis.open_by_area(world.liaison) == []


def test_a_county_user_sees_townships_and_a_liaison_sees_no_events(world, known):
    period = analysis.Period.last_days(30)
    assert as_dict(analysis.by_area(world.county_admin, period)) == {"甲镇": 4, "乙镇": 1}
    for figure in (analysis.by_category, analysis.by_channel, analysis.by_area):
        assert figure(world.liaison, period) == []


def test_narrowing_to_a_village(world, known):
    period = analysis.Period.last_days(30)
    assert as_dict(analysis.by_area(world.county_admin, period, area=world.village_a)) == {"甲一村第1网格": 4}
    assert analysis.by_category(world.county_admin, period, area=world.village_b) == [{"name": "环境卫生", "value": 1}]


def test_trends_put_each_event_on_its_day_and_week(world, known):
    daily = analysis.daily_trend(world.dispatcher_a, analysis.Period.last_days(30))
    assert len(daily["labels"]) == 30
    assert daily["reported"][-1] == 2 and daily["reported"][-4] == 1 and daily["reported"][-11] == 1 and sum(daily["reported"]) == 4
    assert daily["closed"][-1] == 1 and sum(daily["closed"]) == 1

    weekly = analysis.weekly_trend(world.dispatcher_a, analysis.Period.last_weeks(12))
    assert len(weekly["weeks"]) == 12
    assert sum(weekly["reported"]) == 5 and sum(weekly["closed"]) == 1  # e5 is 40 days old: inside 12 weeks
    today = timezone.localdate()
    this_monday = (today - timedelta(days=today.weekday())).isoformat()
    assert weekly["weeks"][-1] == this_monday and weekly["closed"][-1] == 1


def test_cases_likely_to_go_overdue_are_events_and_calls_not_yet_reported_back(world, known):
    soon = list(analysis.due_soon_for(world.dispatcher_a))
    assert [case.pk for case in soon] == [known["e1"].case_id, known["call"].case_id]
    assert [case.pk for case in analysis.due_soon_for(world.dispatcher_a, overdue=True)] == [known["e4"].case_id]
    assert not analysis.due_soon_for(world.dispatcher_b).exists()
    assert [case.pk for case in analysis.due_soon_for(world.liaison)] == [known["call"].case_id]


def test_the_warning_period_is_the_countys_supervision_setting(world, known):
    SupervisionPolicy.objects.create(county=world.county, yellow_hours=4)
    assert not analysis.due_soon_for(world.dispatcher_a).exists()  # due in 5 and 10 hours: outside 4
    Case.objects.filter(pk=known["e1"].case_id).update(alert="yellow")  # carded by a leader
    assert [case.pk for case in analysis.due_soon_for(world.dispatcher_a)] == [known["e1"].case_id]


def test_reporting_back_or_pausing_takes_a_case_off_the_list(world, known):
    e1 = Event.objects.get(pk=known["e1"].pk)
    actions.acknowledge_event(world.clerk_a, e1)
    actions.start_handling(world.clerk_a, e1)
    actions.pause_event(world.clerk_a, e1, "等待供电公司停电")
    assert known["e1"].case_id not in analysis.due_soon_for(world.dispatcher_a).values_list("pk", flat=True)


def test_the_department_ranking_counts_calls_of_the_users_own_township(world, known):
    [police] = analysis.department_ranking(world.dispatcher_a)
    assert (police.rank, police.name, police.received, police.acknowledged_on_time) == (1, "测试县公安局", 1, 0)
    assert police.acknowledge_rate is None and police.solve_rate is None  # nothing is due yet
    calls.acknowledge_call(world.liaison, known["call"])
    [police] = analysis.department_ranking(world.dispatcher_a)
    assert (police.acknowledged_on_time, police.acknowledge_rate) == (1, 100.0)
    assert analysis.department_ranking(world.dispatcher_b) == []
    assert [row.name for row in analysis.department_ranking(world.liaison)] == ["测试县公安局"]


def test_the_map_shows_open_events_with_a_position_in_the_jurisdiction_only(world, known):
    points = analysis.map_points(world.dispatcher_a)
    assert {p["id"] for p in points} == {known[k].case_id for k in ("e1", "e2", "e4", "e5")}
    overdue = next(p for p in points if p["id"] == known["e4"].case_id)
    assert overdue["overdue"] and overdue["group"] == "handling" and overdue["state_label"] == "已派遣"
    assert [p["id"] for p in analysis.map_points(world.dispatcher_b)] == [known["b1"].case_id]
    assert analysis.map_points(world.liaison) == []
    box = analysis.Box(west=116.02, south=35.02, east=116.05, north=35.05)
    assert [p["id"] for p in analysis.map_points(world.dispatcher_a, box)] == [known["e4"].case_id]


def test_a_map_point_tells_a_paused_clock_from_a_late_one_and_when_it_was_reported(world, known):
    now = timezone.now()
    late, paused = known["e4"].case, known["e1"].case
    Case.objects.filter(pk=paused.pk).update(due_at=now - timedelta(hours=3), paused_at=now - timedelta(hours=1))
    points = {p["id"]: p for p in analysis.map_points(world.dispatcher_a, now=now)}
    assert (points[paused.pk]["group"], points[paused.pk]["overdue"]) == ("paused", False)  # its clock is stopped
    assert points[late.pk]["overdue"] is True and points[late.pk]["group"] != "paused"
    on_time = points[known["e2"].case_id]
    assert on_time["overdue"] is False
    assert points[late.pk]["reported_at"] == timezone.localtime(late.opened_at).strftime("%m-%d %H:%M")


def test_the_map_sends_at_most_the_latest_points(world):
    for _ in range(4):
        make_event(world, category="road_facility")
    latest = analysis.map_points(world.dispatcher_a, limit=3)
    assert len(latest) == 3
    newest_first = list(Event.objects.order_by("-reported_at", "-pk").values_list("case_id", flat=True)[:3])
    assert [p["id"] for p in latest] == newest_first


def test_the_figures_read_exactly_what_events_for_gives_in_the_jurisdiction(world, known):
    from zhenjie.events.queries import events_for

    for person in (world.dispatcher_a, world.leader_b, world.county_admin, world.liaison, world.grid_worker_a):
        assert set(analysis.event_cases(person).values_list("pk", flat=True)) == set(events_for(person).values_list("case_id", flat=True)), person
