"""Agent points (代办点): setting up and changing a point, the roster, the papers ledger and the
two functions the filing form reads. Actions are tested here; pages and API in test_agent_pages."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_user
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.actions.agents import create_point, record_handover, set_carry_days, set_roster, update_point
from zhenjie.window.models import AgentPoint, Direction, DutySlot, PaperTransfer
from zhenjie.window.points import items_for_point, ledger_for, on_duty, points_for, points_of
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def ww():
    return make_window_world()


def point_fields(ww, **over):
    fields = {"unit": ww.world.committee_a, "name": "甲一村代办点", "villages": [ww.world.village_a], "phone": "0317-1234567",
              "address": "甲一村村委会", "hours": "周一至周五 8:30-17:30"}  # fmt: skip
    return {**fields, **over}


# ---- setting up a point -----------------------------------------------------------------------


def test_a_township_leader_sets_up_a_point_serving_its_villages_and_it_is_journaled(ww):
    point = create_point(ww.world.leader_a, **point_fields(ww))

    assert point.township == ww.world.a
    assert list(point.villages.all()) == [ww.world.village_a]
    assert JournalEntry.objects.filter(verb="window.agent_point.create", subject=f"agent_point:{point.pk}").exists()


def test_a_village_of_another_township_is_refused_and_nothing_is_written(ww):
    with pytest.raises(Rejected) as refused:
        create_point(ww.world.leader_a, **point_fields(ww, villages=[ww.world.village_a, ww.world.village_b]))
    assert refused.value.message == "服务村(社区)须为甲镇所辖的村(社区)"
    assert refused.value.fields == {"villages": "服务村(社区)须为甲镇所辖的村(社区)"}
    assert not AgentPoint.objects.exists()


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"name": "村" * 65}, "name", "代办点名称不能超过64字(现有65字)"),
        ({"name": "  "}, "name", "请填写代办点名称"),
        ({"name": 12}, "name", "代办点名称须为文本"),
        ({"phone": ""}, "phone", "请填写联系电话"),
        ({"villages": []}, "villages", "请选择代办点服务的村(社区)"),
        ({"villages": ["甲一村"]}, "villages", "服务村(社区)无效"),
        ({"unit": None}, "unit", "代办点须设在在用的村(居)民委员会或党群服务中心"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(ww, over, field, message):
    with pytest.raises(Rejected) as refused:
        create_point(ww.world.leader_a, **point_fields(ww, **over))
    assert refused.value.fields == {field: message}
    assert not AgentPoint.objects.exists()


def test_a_police_station_cannot_be_a_point(ww):
    with pytest.raises(Rejected, match="村\\(居\\)民委员会或党群服务中心"):
        create_point(ww.world.leader_a, **point_fields(ww, unit=ww.world.police_station_a))


def test_duplicate_name_and_second_point_in_one_unit_are_refused(ww):
    create_point(ww.world.leader_a, **point_fields(ww))
    with pytest.raises(Rejected) as refused:
        create_point(ww.world.leader_a, **point_fields(ww))
    assert refused.value.message == "甲镇已有名为“甲一村代办点”的代办点"
    with pytest.raises(Rejected, match="甲一村村民委员会已设有代办点"):
        create_point(ww.world.leader_a, **point_fields(ww, name="另一个代办点"))
    assert AgentPoint.objects.count() == 1


def test_township_b_cannot_set_up_a_point_in_township_a_nor_can_an_agent(ww):
    for actor in (ww.world.leader_b, ww.clerk_b, ww.agent_a):
        with pytest.raises(Forbidden):
            create_point(actor, **point_fields(ww))
    assert not AgentPoint.objects.exists()


def test_the_county_administrator_manages_every_townships_points(ww):
    point = create_point(ww.world.county_admin, **point_fields(ww))
    update_point(ww.world.county_admin, point, name="甲一村便民代办点", villages=[ww.world.village_a], phone="1", address="村委会",
                 hours="周一至周五")  # fmt: skip
    point.refresh_from_db()
    assert point.name == "甲一村便民代办点"
    entry = JournalEntry.objects.get(verb="window.agent_point.update")
    assert entry.data["name"] == ["甲一村代办点", "甲一村便民代办点"]


# ---- roster -----------------------------------------------------------------------------------


def test_roster_is_monday_to_friday_agents_of_the_point_only_and_journaled(ww):
    point = make_point(ww)
    assert [s.weekday for s in DutySlot.objects.filter(point=point)] == [0, 1, 2, 3, 4]
    assert JournalEntry.objects.filter(verb="window.agent_point.roster").count() == 1

    saturday = [{"weekday": 5, "starts": "08:30", "ends": "12:00", "agent_id": ww.agent_a.pk}]
    with pytest.raises(Rejected, match="值班日须为周一至周五"):
        set_roster(ww.world.leader_a, point, saturday, expected_version=1)
    stranger = [{"weekday": 0, "starts": "08:30", "ends": "12:00", "agent_id": ww.clerk_a.pk}]
    with pytest.raises(Rejected, match="值班人员须为本代办点的在岗代办员"):
        set_roster(ww.world.leader_a, point, stranger, expected_version=1)
    backwards = [{"weekday": 0, "starts": "12:00", "ends": "08:30", "agent_id": ww.agent_a.pk}]
    with pytest.raises(Rejected, match="结束时间须晚于开始时间"):
        set_roster(ww.world.leader_a, point, backwards, expected_version=1)
    with pytest.raises(Rejected, match="格式不正确"):
        set_roster(ww.world.leader_a, point, [{"weekday": 0, "starts": "8点半", "ends": "12:00", "agent_id": ww.agent_a.pk}], expected_version=1)
    assert DutySlot.objects.filter(point=point).count() == 5


def test_two_managers_editing_the_roster_at_once_the_second_is_refused(ww):
    point = make_point(ww)
    monday = [{"weekday": 0, "starts": "14:00", "ends": "17:30", "agent_id": ww.agent_a.pk}]
    set_roster(ww.world.leader_a, point, monday, expected_version=1)
    with pytest.raises(Conflict, match="值班表已被他人修改"):
        set_roster(ww.world.county_admin, point, [], expected_version=1)
    assert DutySlot.objects.filter(point=point).count() == 1


def test_no_one_is_on_duty_on_a_holiday_or_weekend(ww):
    point = points_for(ww.world.leader_a).get(pk=make_point(ww).pk)
    assert [s.agent for s in on_duty(point, date(2026, 4, 30))] == [ww.agent_a]  # a Thursday
    assert on_duty(point, date(2026, 5, 1)) == []  # 劳动节
    assert on_duty(point, date(2026, 5, 16)) == []  # an ordinary Saturday


def test_on_a_make_up_working_day_the_point_keeps_mondays_roster(ww):
    """2026-09-20 is a Sunday made a working day before 国庆 (国办发明电〔2025〕7号): Monday's duty."""
    point = make_point(ww)
    set_roster(ww.world.leader_a, point, [
        {"weekday": 0, "starts": "08:30", "ends": "12:00", "agent_id": ww.agent_a.pk},
        {"weekday": 2, "starts": "14:00", "ends": "17:30", "agent_id": ww.agent_a.pk},
    ], expected_version=1)  # fmt: skip
    point = points_for(ww.world.leader_a).get(pk=point.pk)
    assert [(s.weekday, f"{s.starts:%H:%M}") for s in on_duty(point, date(2026, 9, 20))] == [(0, "08:30")]
    assert [(s.weekday, f"{s.starts:%H:%M}") for s in on_duty(point, date(2026, 10, 10))] == [(0, "08:30")]  # the Saturday after
    assert on_duty(point, date(2026, 9, 27)) == []  # 中秋节, a Sunday off
    assert on_duty(point, date(2026, 10, 5)) == []  # a Monday of 国庆: no duty


# ---- where an agent files ---------------------------------------------------------------------


def test_an_agent_files_only_at_their_point_and_only_its_agent_point_items(ww):
    point = make_point(ww)
    assert list(points_of(ww.agent_a)) == [point]
    assert list(points_of(ww.clerk_a)) == []
    assert [i.code for i in items_for_point(point, date(2026, 3, 1))] == ["BM001"]
    assert list(items_for_point(point, date(2025, 12, 31))) == []  # the guide is in force from 2026-01-01
    AgentPoint.objects.filter(pk=point.pk).update(is_active=False)
    assert list(points_of(ww.agent_a)) == []


def test_an_agent_sees_only_their_own_point(ww):
    point = make_point(ww)
    party_centre = create_unit(None, name="甲镇党群服务中心", kind=Unit.Kind.CENTRE, area=ww.world.a)
    other = create_point(ww.world.leader_a, **point_fields(ww, unit=party_centre, name="镇党群服务中心代办点"))
    assert list(points_for(ww.agent_a)) == [point]
    assert set(points_for(ww.world.leader_a)) == {point, other}
    assert list(points_for(ww.world.leader_b)) == []
    assert set(points_for(ww.world.county_admin)) == {point, other}


# ---- the papers ledger ------------------------------------------------------------------------


def test_originals_are_overdue_after_three_working_days_skipping_the_may_day_holiday(ww):
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a, received_at=at(2026, 4, 30, 10, 0))
    # Received Thursday 30 April; 1–5 May is 劳动节: the three working days are 6, 7 and 8 May.
    ledger = ledger_for(ww.world.leader_a, point, now=at(2026, 5, 8, 16, 0))
    assert [h.application for h in ledger.held] == [application]
    assert timezone.localtime(ledger.held[0].carry_by).date() == date(2026, 5, 8)
    assert ledger.overdue == []
    assert [h.application for h in ledger_for(ww.world.leader_a, point, now=at(2026, 5, 9, 9, 0)).overdue] == [application]


def test_a_make_up_saturday_counts_as_a_working_day(ww):
    point = make_point(ww)
    make_application(ww, "BM001", at_point=ww.world.committee_a, received_at=at(2026, 5, 6, 9, 0))
    held = ledger_for(ww.world.leader_a, point, now=at(2026, 5, 6, 10, 0)).held
    assert timezone.localtime(held[0].carry_by).date() == date(2026, 5, 9)  # 7, 8 and the make-up Saturday 9 May


def test_the_county_sets_the_carry_limit_as_data(ww):
    point = make_point(ww)
    make_application(ww, "BM001", at_point=ww.world.committee_a, received_at=at(2026, 5, 6, 9, 0))
    set_carry_days(ww.world.county_admin, ww.world.county, 1)
    held = ledger_for(ww.world.leader_a, point, now=at(2026, 5, 6, 10, 0)).held
    assert timezone.localtime(held[0].carry_by).date() == date(2026, 5, 7)
    with pytest.raises(Forbidden):
        set_carry_days(ww.world.leader_a, ww.world.county, 2)
    with pytest.raises(Rejected, match="1至30"):
        set_carry_days(ww.world.county_admin, ww.world.county, "三")


def test_hand_over_rules(ww):
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    with pytest.raises(Conflict, match="尚未作出决定"):
        record_handover(ww.agent_a, application, Direction.TO_POINT, received_by="李四")
    record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="窗口张三")
    with pytest.raises(Conflict, match="已登记过“原件送交中心”"):
        record_handover(ww.clerk_a, application, Direction.TO_CENTRE, received_by="窗口张三")
    with pytest.raises(Rejected, match="签收人"):
        record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="")
    assert ledger_for(ww.agent_a, point).held == []
    assert [e.verb for e in journal.entries_for_case(application.case)].count("window.handover") == 1
    with pytest.raises(Rejected, match="不在您的辖区内"):
        record_handover(ww.clerk_b, application, Direction.TO_CENTRE, received_by="王五")
    window_application = make_application(ww, "ZW0001")
    with pytest.raises(Rejected, match="不是在代办点受理的"):
        record_handover(ww.clerk_a, window_application, Direction.TO_CENTRE, received_by="王五")
    assert PaperTransfer.objects.count() == 1


def test_the_result_goes_back_to_the_point_and_waits_there(ww):
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    assert [a.pk for a in ledger_for(ww.agent_a, point).to_bring] == [application.pk]
    record_handover(ww.clerk_a, application, Direction.TO_POINT, received_by="代办员")
    ledger = ledger_for(ww.agent_a, point)
    assert ledger.to_bring == [] and [a.pk for a in ledger.waiting] == [application.pk]


def test_township_b_sees_nothing_of_a_points_ledger(ww):
    point = make_point(ww)
    make_application(ww, "BM001", at_point=ww.world.committee_a)
    ledger = ledger_for(ww.world.leader_b, point)
    assert ledger.held == [] and ledger.waiting == []


def test_a_second_agent_in_another_unit_does_not_see_the_point(ww):
    make_point(ww)
    committee_b = create_unit(None, name="乙一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=ww.world.village_b)
    agent_b = make_user("agent_b", committee_b, [R.VILLAGE_AGENT], ww.world.village_b)
    assert list(points_for(agent_b)) == [] and list(points_of(agent_b)) == []
