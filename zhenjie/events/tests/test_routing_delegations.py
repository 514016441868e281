"""Routing reads the delegations too (issue 14 item 6): an event of a category whose power was
delegated to the township goes to the township's receiving unit from the delegation's effective
date — judged on the day the event was reported, not the day it is dispatched — and whoever is
sent an event that exercises a power must be allowed to exercise it (lists.queries.may_exercise)."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from zhenjie.events import actions, routing
from zhenjie.events.models import Category, Event
from zhenjie.events.policy import save_category
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case, JournalEntry
from zhenjie.lists.models import ListKind
from zhenjie.lists.tests.builders import county_power_list, duty_row, published_list
from zhenjie.lists.tests.test_delegations import EFFECTIVE, delegate
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

POWER = "GA-CF-003"  # 对娱乐场所违反治安管理规定的行政处罚, the police's (lists builders)


@pytest.fixture
def county(world):
    county_power_list(world)
    world.team_a = create_unit(None, name="甲镇综合执法队", kind=Unit.Kind.CENTRE, area=world.a)
    world.team_b = create_unit(None, name="乙镇综合执法队", kind=Unit.Kind.CENTRE, area=world.b)
    published_list(world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county,
                   rows=[duty_row("SD002", "治安隐患排查整治", world.police, "public_security", domain="社会治安")])
    category = Category.objects.get(code="public_security")
    save_category(world.county_admin, category, **{f: getattr(category, f) for f in (
        "name", "urgency", "acknowledge_amount", "acknowledge_unit", "handle_amount", "handle_unit", "verify_amount", "verify_unit",
        "needs_verification", "is_active")}, parent=None, power_code=f"  {POWER} ")
    delegate(world)  # to 甲镇, in force from 2026-07-01, received by 甲镇综合执法队
    return world


def reported_on(world, day: date, **where) -> Event:
    event = make_event(world, category="public_security", description="歌舞厅深夜违规营业", **where)
    Event.objects.filter(pk=event.pk).update(reported_at=timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=22))))
    event.refresh_from_db()
    dispatcher = world.dispatcher_a if event.case.area.path.startswith(world.a.path) else world.dispatcher_b
    actions.register_event(dispatcher, event)
    return event


def test_the_county_links_a_category_to_its_power_and_the_change_is_journaled(county):
    assert Category.objects.get(code="public_security").power_code == POWER
    entry = JournalEntry.objects.filter(verb="settings.category_update").latest("pk")
    assert entry.data["after"]["power_code"] == POWER and entry.data["before"]["power_code"] == ""
    with pytest.raises(Rejected) as error:
        save_category(county.county_admin, Category.objects.get(code="noise"), name="噪声扰民", urgency="normal",
                      acknowledge_amount=2, acknowledge_unit="hours", handle_amount=3, handle_unit="working_days",
                      verify_amount=1, verify_unit="working_days", needs_verification=True, is_active=True, parent=None,
                      power_code="X" * 65)
    assert error.value.field == "power_code" and "64" in error.value.message


def test_a_delegated_power_routes_the_event_to_the_townships_receiving_unit(county):
    event = reported_on(county, EFFECTIVE)
    found = routing.route(event.category, event.case.area, routing.report_day(event))
    assert found.unit == county.team_a and found.delegated and found.lead_department == county.police
    assert "第1批" in found.explanation and "自2026-07-01起由甲镇行使" in found.explanation

    actions.dispatch_event(county.dispatcher_a, event)  # no unit: the lists decide
    event.refresh_from_db()
    assert event.handling_unit == county.team_a and Case.objects.get(pk=event.case_id).owner_unit == county.team_a
    entry = JournalEntry.objects.filter(case=event.case, verb="dispatch").get()
    assert entry.data["power"] == POWER and entry.data["delegated"] is True and entry.summary == "派遣至甲镇综合执法队"


def test_reported_the_day_before_the_delegation_takes_effect_it_stays_the_departments_however_late_dispatched(county):
    event = reported_on(county, date(2026, 6, 30))
    assert timezone.localdate() > EFFECTIVE  # dispatched now, months later: the delegation is in force today
    actions.dispatch_event(county.dispatcher_a, event)
    event.refresh_from_db()
    # the local-duty list: the police lead, through their station in 甲镇
    assert event.handling_unit == county.police_station_a and event.lead_department == county.police
    assert event.duty_item_code == "SD002"

    # …and the township may not take it: on the report day the power was not yet theirs.
    later = reported_on(county, date(2026, 6, 30))
    with pytest.raises(Rejected) as error:
        actions.dispatch_event(county.dispatcher_a, later, county.team_a, reason="镇执法队就近处置")
    assert error.value.field == "unit"
    assert error.value.message == "甲镇综合执法队不能处置该事件：「对娱乐场所违反治安管理规定的行政处罚」赋予甲镇自2026-07-01起施行，2026-06-30尚不能行使"
    assert Case.objects.get(pk=later.case_id).state == "registered"


def test_dispatch_refuses_a_township_that_may_not_exercise_the_power_in_the_lists_words(county):
    event = reported_on(county, date(2026, 8, 3), lng=116.21, lat=35.01, reporter=county.dispatcher_b, channel="walk_in")  # 乙镇: not delegated
    assert routing.route(event.category, event.case.area, routing.report_day(event)).unit == county.police  # no delegation, no station in 乙镇
    with pytest.raises(Rejected) as error:
        actions.dispatch_event(county.dispatcher_b, event, county.team_b, reason="镇执法队就近处置")
    assert error.value.message == "乙镇综合执法队不能处置该事件：编码为GA-CF-003的事项未列入乙镇权责清单，也未赋予乙镇"
    assert Case.objects.get(pk=event.case_id).state == "registered"
    # a village committee exercises no administrative power at all
    own = reported_on(county, date(2026, 8, 3))
    with pytest.raises(Rejected) as error:
        actions.dispatch_event(county.dispatcher_a, own, county.committee_a, reason="村里先处理")
    assert error.value.message == "甲一村村民委员会不能处置该事件：甲一村村民委员会是基层群众性自治组织，不行使行政权力"
    # the department holding the power may always be sent it
    actions.dispatch_event(county.dispatcher_b, event, county.police, reason="乙镇无派出所，县局处置")
    event.refresh_from_db()
    assert event.handling_unit == county.police


def test_reassigning_checks_the_power_too(county):
    event = reported_on(county, EFFECTIVE)
    actions.dispatch_event(county.dispatcher_a, event)
    with pytest.raises(Rejected) as error:
        actions.reassign_event(county.dispatcher_a, event, county.committee_a, reason="村里处理")
    assert "不行使行政权力" in error.value.message
    actions.reassign_event(county.dispatcher_a, event, county.police_station_a, reason="涉及刑事线索")
    event.refresh_from_db()
    assert event.handling_unit == county.police_station_a


def test_the_api_refuses_with_the_lists_words_and_the_page_shows_the_route(county, api, client):
    event = reported_on(county, date(2026, 6, 30))
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/dispatch", {"unit_id": county.team_a.pk, "reason": "就近"})
    assert response.status_code == 400
    assert response.json()["message"].endswith("2026-06-30尚不能行使") and "unit" in response.json()["fields"]
    assert Case.objects.get(pk=event.case_id).state == "registered"

    client.force_login(county.dispatcher_a)
    page = client.get(f"/events/{event.case_id}/").content.decode()
    assert "属地管理事项「治安隐患排查整治」(SD002)" in page  # the report day's route, not today's
    delegated = reported_on(county, date(2026, 7, 2))
    page = client.get(f"/events/{delegated.case_id}/").content.decode()
    assert "自2026-07-01起由甲镇行使，由甲镇综合执法队处置" in page


def test_a_category_without_a_power_routes_and_dispatches_as_before(county):
    event = make_event(county, category="sanitation")
    actions.register_event(county.dispatcher_a, event)
    actions.dispatch_event(county.dispatcher_a, event, county.committee_a, reason="村内保洁")
    assert Event.objects.get(pk=event.pk).handling_unit == county.committee_a
