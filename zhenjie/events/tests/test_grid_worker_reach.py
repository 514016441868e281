"""A grid worker's reach is the grids they cover (kernel.scoping, accounts.Coverage): in a grid of
another village they are put on, they report, verify and read the registers; in the rest of their
village they see nothing unless it is sent to them; when the stint ends, the grid leaves them."""

import pytest
from django.urls import reverse

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.events import actions
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.events.queries import events_for
from zhenjie.grid import actions as grid_actions
from zhenjie.grid.queries import residents_for
from zhenjie.kernel.assignments import Assign, create, inbox_for
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import reach_of, report_areas
from zhenjie.testing import Api, make_event, make_grid_world, make_resident, make_user, square


pytestmark = pytest.mark.django_db

# 甲二村 lies east of 甲一村 in 甲镇; its grid is covered by 甲一村's grid worker.
IN_OTHER_VILLAGE = {"lng": 116.12, "lat": 35.02}


@pytest.fixture
def gw(world):
    gw = make_grid_world(world)
    w = gw.world
    village, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=w.a, village_kind="village", boundary=square(116.1, 35.0, 0.1))
    gw.other_grid, _ = create_area(None, code="990199101202001", name="甲二村第1网格", level="grid", parent=village, boundary=square(116.1, 35.0, 0.05))
    grid_actions.set_lead_worker(w.leader_a, gw.other_grid, w.grid_worker_a, expected_lead=None, note="甲二村网格员空缺，暂由甲一村网格员负责")
    return gw


def fresh(user) -> User:
    """The user as their next request loads them (reach is read once per request)."""
    return User.objects.get(pk=user.pk)


def sanitation():
    return Category.objects.get(code="sanitation")


def test_a_worker_covering_a_grid_of_another_village_reports_there_through_intake(gw):
    event = report_event(gw.world.grid_worker_a, Report(channel="grid", category=sanitation(), description="路灯损坏", **IN_OTHER_VILLAGE))
    assert event.case.area == gw.other_grid and event.case.number.startswith("甲镇事〔")
    # 甲一村's other worker covers no grid there: the position lies outside their reach.
    with pytest.raises(Rejected) as refused:
        report_event(gw.grid_worker_a2, Report(channel="grid", category=sanitation(), description="路灯损坏", **IN_OTHER_VILLAGE))
    assert (refused.value.code, refused.value.message) == ("event.position_outside", "上报位置不在您的辖区(网格)内，请确认定位后重试")


def test_the_report_page_offers_the_covered_grids_and_files_there(client, gw):
    worker = gw.world.grid_worker_a
    assert set(report_areas(worker)) == {gw.world.grid_a, gw.other_grid}
    client.force_login(worker)
    page = client.get(reverse("events:report")).content.decode()
    assert "甲二村第1网格" in page and "甲一村第2网格" not in page
    response = client.post(reverse("events:report"), {
        "category": sanitation().pk, "description": "井盖缺失", "area": gw.other_grid.pk, "channel": "grid",
    })
    event = Event.objects.get()
    assert response.status_code == 302 and event.case.area == gw.other_grid


def test_the_api_accepts_the_covered_grid_and_refuses_the_next_one(client, gw):
    api = Api(client).as_("grid_worker_a")
    body = {"category": "sanitation", "description": "占道经营"}
    assert api.post_form("/api/events", {**body, "area_id": gw.other_grid.pk}).status_code == 201
    by_position = api.post_form("/api/events", {**body, "lng": "116.12", "lat": "35.02"})
    assert by_position.status_code == 201 and by_position.json()["area"]["name"] == "甲二村第1网格"
    refused = api.post_form("/api/events", {**body, "area_id": gw.grid_a2.pk})
    assert refused.status_code == 400 and refused.json()["code"] == "event.area_unknown"


def test_verification_goes_to_the_grids_lead_worker_who_may_verify(gw):
    w = gw.world
    # A second worker posted on the grid itself, who used to receive the verification.
    posted = make_user("posted_worker", w.gov_a, [R.GRID_WORKER], gw.other_grid)
    event = report_event(w.dispatcher_a, Report(channel="walk_in", category=sanitation(), description="垃圾堆积", **IN_OTHER_VILLAGE))
    actions.register_event(w.dispatcher_a, event)
    actions.dispatch_event(w.dispatcher_a, event, unit=w.office_a, reason="由社会治理办处置")
    actions.acknowledge_event(w.clerk_a, event)
    actions.start_handling(w.clerk_a, event)
    actions.report_back(w.clerk_a, event, "已清运")
    assert [(a.todo, a.user_id) for a in inbox_for(fresh(w.grid_worker_a))] == [("verify", w.grid_worker_a.pk)]
    assert not inbox_for(posted).filter(todo="verify").exists()
    actions.verify_event(fresh(w.grid_worker_a), event, passed=True, note="现场已清理")
    assert Case.objects.get(pk=event.case_id).state == "verified"


def test_without_a_lead_the_covering_workers_verify_and_without_them_the_command_centre(gw):
    w = gw.world
    grid_actions.add_helper(w.leader_a, w.grid_a, gw.grid_worker_a2)
    grid_actions.set_lead_worker(w.leader_a, w.grid_a, gw.grid_worker_a2, expected_lead=gw.world.grid_a.grid_coverages.get(is_lead=True, ended_at__isnull=True).pk)
    from zhenjie.accounts.queries import grid_workers_of

    assert [p.user for p in grid_workers_of(w.grid_a)] == [gw.grid_worker_a2]
    assert [p.user for p in grid_workers_of(gw.other_grid)] == [w.grid_worker_a]
    bare, _ = create_area(None, code="990199101202002", name="甲二村第2网格", level="grid", parent=gw.other_grid.parent, boundary=square(116.15, 35.0, 0.05))
    assert grid_workers_of(bare) == []


def test_the_worker_reads_the_registers_of_the_covered_grid(gw):
    resident = make_resident(gw.other_grid, gw.world.grid_worker_a, 7, name="甲二居民")
    assert resident in residents_for(fresh(gw.world.grid_worker_a))
    assert resident not in residents_for(gw.grid_worker_a2) and resident not in residents_for(gw.grid_worker_b)


def test_a_worker_sees_no_event_outside_their_grids_unless_it_is_sent_to_their_unit(gw):
    w = gw.world
    # A worker whose post is the whole village but who covers only grid 1 of it.
    village_worker = make_user("village_worker", w.committee_a, [R.GRID_WORKER], w.village_a)
    grid_actions.add_helper(w.leader_a, w.grid_a, village_worker)
    in_my_grid = make_event(w)
    in_next_grid = make_event(w, reporter=gw.grid_worker_a2, lng=116.07, lat=35.02)
    in_other_village = make_event(w, **IN_OTHER_VILLAGE)
    assert in_next_grid.case.area == gw.grid_a2
    worker = fresh(village_worker)
    assert set(events_for(worker)) == {in_my_grid}
    assert R.GRID_WORKER not in reach_of(worker).roles_in(w.village_a) and reach_of(worker).paths == (w.grid_a.path,)
    # Sent to their village committee, it is theirs to see wherever it is.
    create(in_next_grid.case, Assign(w.committee_a, "assist"))
    assert set(events_for(fresh(village_worker))) == {in_my_grid, in_next_grid}
    assert in_other_village not in events_for(fresh(village_worker))


def test_when_the_stint_ends_the_grid_leaves_the_workers_reach_on_their_next_request(gw):
    w = gw.world
    event = make_event(w, **IN_OTHER_VILLAGE)
    assert event in events_for(fresh(w.grid_worker_a))
    lead = gw.other_grid.grid_coverages.get(is_lead=True, ended_at__isnull=True)
    grid_actions.set_lead_worker(w.leader_a, gw.other_grid, gw.grid_worker_a2, expected_lead=lead.pk, note="甲二村网格员到岗")
    worker = fresh(w.grid_worker_a)
    assert event not in events_for(worker) and gw.other_grid not in report_areas(worker)
    with pytest.raises(Rejected) as refused:
        report_event(worker, Report(channel="grid", category=sanitation(), description="又有垃圾", **IN_OTHER_VILLAGE))
    assert refused.value.code == "event.position_outside"
    assert event in events_for(fresh(gw.grid_worker_a2))


def test_coverage_counts_only_while_the_worker_holds_a_grid_worker_post(gw):
    from zhenjie.accounts.actions import end_post

    w = gw.world
    end_post(None, w.grid_worker_a.posts.get())
    assert reach_of(fresh(w.grid_worker_a)).paths == ()
