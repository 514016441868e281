import pytest

from zhenjie.kernel.scoping import can_see_case, reach_of, visible_areas, visible_cases, visible_units
from zhenjie.tasks.actions import assign_task
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def test_staff_of_township_a_see_a_and_nothing_of_b(world):
    mine = make_task(world)
    theirs = assign_task(world.leader_b, title="乙镇任务", description="x", assignee_unit=world.gov_b, working_days=3)
    assert list(visible_cases(world.dispatcher_a)) == [mine.case]
    assert list(visible_cases(world.dispatcher_b)) == [theirs.case]
    assert can_see_case(world.dispatcher_a, mine.case) and not can_see_case(world.dispatcher_a, theirs.case)
    assert set(visible_areas(world.dispatcher_a)) == {world.a, world.village_a, world.grid_a}


def test_a_grid_worker_sees_only_their_grid(world):
    make_task(world)
    assert list(visible_areas(world.grid_worker_a)) == [world.grid_a]
    assert list(visible_cases(world.grid_worker_a)) == []


def test_the_county_administrator_sees_the_whole_county(world):
    make_task(world)
    assign_task(world.leader_b, title="乙镇任务", description="x", assignee_unit=world.gov_b, working_days=3)
    assert visible_cases(world.county_admin).count() == 2
    assert reach_of(world.county_admin).paths == (world.county.path,)


def test_a_department_liaison_sees_only_what_is_sent_to_their_department(world):
    sent = make_task(world, assignee=world.police_station_a)
    make_task(world)
    assert list(visible_cases(world.liaison)) == []
    from zhenjie.kernel.assignments import Assign, create

    create(sent.case, Assign(world.police, "respond"))
    assert list(visible_cases(world.liaison)) == [sent.case]
    assert list(visible_areas(world.liaison)) == []


def test_units_visible_are_the_jurisdictions_plus_county_departments(world):
    names = set(visible_units(world.dispatcher_a).values_list("name", flat=True))
    assert "甲镇社会治理办公室" in names and "测试县公安局" in names
    assert "乙镇人民政府" not in names


def test_a_user_without_posts_sees_nothing(world):
    from zhenjie.accounts.models import User

    nobody = User.objects.create(username="nobody")
    make_task(world)
    assert not visible_cases(nobody).exists() and not visible_areas(nobody).exists()


def test_an_ended_post_stops_reaching(world):
    from zhenjie.accounts.actions import end_post

    make_task(world)
    end_post(None, world.dispatcher_a.posts.get())
    world.dispatcher_a.refresh_from_db()
    fresh = type(world.dispatcher_a).objects.get(pk=world.dispatcher_a.pk)
    assert not visible_cases(fresh).exists()


def test_case_is_visible_gives_the_same_rows_as_visible_cases(world):
    """case_is_visible(user) is the rule the event, call and task lists filter by; it must pick
    exactly the rows `case__in=visible_cases(user)` would, for every kind of reach; and the
    event counts by case (event_cases_for) count the same events."""
    from zhenjie.calls import actions as calls
    from zhenjie.calls.models import Call
    from zhenjie.events.models import Event
    from zhenjie.events.queries import event_cases_for, events_for
    from zhenjie.kernel.scoping import case_is_visible
    from zhenjie.testing import make_event

    in_a = make_event(world)
    in_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    calls.call_departments(world.dispatcher_a, in_a.case, [world.police], "请处置", 3)  # a call case sent to the police
    for user in (world.dispatcher_a, world.dispatcher_b, world.grid_worker_a, world.liaison, world.county_admin):
        for model in (Event, Call):
            by_condition = set(model.objects.filter(case_is_visible(user)).values_list("pk", flat=True))
            by_subquery = set(model.objects.filter(case__in=visible_cases(user)).values_list("pk", flat=True))
            assert by_condition == by_subquery, (user.username, model.__name__)
        assert set(event_cases_for(user)) == {e.case for e in events_for(user)}, user.username
    assert set(Event.objects.filter(case_is_visible(world.dispatcher_a))) == {in_a}
    assert not Event.objects.filter(case_is_visible(world.liaison)).exists()
    assert [c.case.parent_id for c in Call.objects.filter(case_is_visible(world.liaison))] == [in_a.case_id]
    assert set(Event.objects.filter(case_is_visible(world.county_admin))) == {in_a, in_b}


def test_the_rule_on_cases_in_hand_gives_the_same_cases_as_visible_cases(world):
    """Detail pages test the one case they read (get_on_visible_case, can_see_case) and a page's
    panel the few cases under it (visible_among) in Python, not through the query's EXISTS: for
    every kind of reach they must say exactly what visible_cases says, and a case out of reach
    answers as a missing one."""
    from zhenjie.calls import actions as calls
    from zhenjie.events.models import Event
    from zhenjie.events.queries import get_event_for
    from zhenjie.kernel.assignments import Assign, create
    from zhenjie.kernel.errors import NotFound
    from zhenjie.kernel.models import Case
    from zhenjie.kernel.scoping import can_see_case, visible_among
    from zhenjie.testing import make_event

    in_a = make_event(world)
    in_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    make_task(world)
    calls.call_departments(world.dispatcher_a, in_a.case, [world.police], "请处置", 3)
    create(in_b.case, Assign(unit=world.centre_a, todo="respond"))  # B's event sent to A's centre
    cases = list(Case.objects.select_related("area"))
    users = (world.dispatcher_a, world.dispatcher_b, world.grid_worker_a, world.clerk_a, world.agent_a, world.liaison, world.county_admin)
    for user in users:
        expected = set(visible_cases(user).values_list("pk", flat=True))
        assert {case.pk for case in cases if can_see_case(user, case)} == expected, user.username
        assert visible_among(user, cases) == expected, user.username
        for event in Event.objects.all():
            if event.case_id in expected:
                assert get_event_for(user, event.case_id) == event
            else:
                with pytest.raises(NotFound):
                    get_event_for(user, event.case_id)
    assert in_b.case_id in visible_among(world.dispatcher_a, cases)
    assert visible_among(world.liaison, cases) == {c.pk for c in cases if c.kind == "call"}
    with pytest.raises(NotFound):
        get_event_for(world.dispatcher_a, "9" * 30)  # no 64-bit id: missing, before any query


def test_the_administered_county_is_that_of_a_post_holding_the_role(world):
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.kernel.errors import Forbidden
    from zhenjie.kernel.scoping import administered_county

    assert administered_county(world.county_admin) == world.county
    assert administered_county(world.dispatcher_a) is None
    assert administered_county(world.dispatcher_a, frozenset({RoleCode.DISPATCHER})) == world.county
    with pytest.raises(Forbidden) as refused:
        administered_county(world.leader_a, refuse=("settings.not_allowed", "只有县级管理员可以修改设置"))
    assert (refused.value.code, refused.value.message) == ("settings.not_allowed", "只有县级管理员可以修改设置")


def test_the_bypass_reads_every_row_and_must_say_why(world):
    from zhenjie.kernel.models import Case
    from zhenjie.kernel.scoping import unscoped

    mine = make_task(world)
    theirs = assign_task(world.leader_b, title="乙镇任务", description="x", assignee_unit=world.gov_b, working_days=3)
    assert set(unscoped(Case, why="a test reads both townships")) == {mine.case, theirs.case}
    with pytest.raises(ValueError):
        unscoped(Case, why=" ")


def test_jurisdiction_cases_are_the_visible_cases_in_the_jurisdiction_for_every_kind_of_reach(world):
    """The screens count jurisdiction_cases(user) — `area IN (jurisdiction)` — instead of the
    visibility rule's OR with an EXISTS per case; it must be exactly the visible cases whose area
    lies in the jurisdiction (all visible cases for a user without one), under `within` too."""
    from zhenjie.calls import actions as calls
    from zhenjie.kernel.models import Assignment
    from zhenjie.kernel.scoping import jurisdiction_cases
    from zhenjie.testing import make_event

    in_a = make_event(world)
    in_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    make_task(world)
    calls.call_departments(world.dispatcher_a, in_a.case, [world.police], "请处置", 3)
    # Work sent to township A's command centre from township B: visible to A, outside A's jurisdiction.
    Assignment.objects.create(case=in_b.case, unit=world.centre_a, todo="respond")
    users = (world.dispatcher_a, world.dispatcher_b, world.grid_worker_a, world.clerk_a, world.agent_a, world.liaison, world.county_admin)
    for user in users:
        paths = reach_of(user).paths
        for within in (None, world.a, world.village_a, world.b):
            expected = {
                case for case in visible_cases(user)
                if (not paths or any(case.area.path.startswith(p) for p in paths)) and (within is None or case.area.path.startswith(within.path))
            }
            assert set(jurisdiction_cases(user, within)) == expected, (user.username, within)
    assert in_b.case in visible_cases(world.dispatcher_a) and in_b.case not in jurisdiction_cases(world.dispatcher_a)
    assert {c.kind for c in jurisdiction_cases(world.liaison)} == {"call"}
    assert not jurisdiction_cases(type(world.dispatcher_a).objects.create(username="nobody")).exists()


def test_counting_parts_are_the_visible_cases_of_the_kind_for_every_kind_of_reach(world):
    """Tab badges count counting_parts(user, kind) — the jurisdiction's cases plus those sent in
    from outside it (SentOutside) — instead of the rule's OR with an EXISTS per case. Where the
    parts are given they hold exactly the visible cases of the kind, once each; where they would
    not be exact (a unit outside the jurisdiction, no jurisdiction) there are none."""
    from zhenjie.calls import actions as calls
    from zhenjie.kernel.assignments import Assign, create
    from zhenjie.kernel.models import SentOutside
    from zhenjie.kernel.scoping import counting_parts
    from zhenjie.testing import make_event

    in_a = make_event(world)
    in_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    make_task(world)
    calls.call_departments(world.dispatcher_a, in_a.case, [world.police], "请处置", 3)
    # Township B's event sent to A's command centre: outside the centre's own area, recorded once
    # however often it is sent; the county's police is sent A's event inside its (county) area.
    create(in_b.case, Assign(unit=world.centre_a, todo="respond"))
    create(in_b.case, Assign(unit=world.centre_a, todo="respond"))
    assert set(SentOutside.objects.values_list("case_id", "unit_id", "kind")) == {(in_b.case_id, world.centre_a.pk, "event")}

    users = (world.dispatcher_a, world.dispatcher_b, world.grid_worker_a, world.clerk_a, world.agent_a, world.liaison, world.county_admin)
    given = set()
    for user in users:
        for kind in ("event", "call", "task"):
            parts = counting_parts(user, kind)
            if parts is None:
                continue
            given.add(user.username)
            rows = [case for part in parts for case in part]
            assert len(rows) == len(set(rows)), (user.username, kind)  # disjoint
            assert set(rows) == set(visible_cases(user).filter(kind=kind)), (user.username, kind)
    assert {"dispatcher_a", "dispatcher_b", "county_admin"} <= given and "liaison" not in given
    assert in_b.case in [case for part in counting_parts(world.dispatcher_a, "event") for case in part]


def test_a_case_sent_across_is_recorded_whether_written_live_or_in_bulk(world):
    """SentOutside follows every way assignments are written: kernel.assignments.add, and a bulk
    write followed by note_sent_outside (kernel.history.replay, bench/events.py)."""
    from zhenjie.kernel.assignments import note_sent_outside
    from zhenjie.kernel.models import Assignment, SentOutside
    from zhenjie.testing import make_event

    in_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    Assignment.objects.bulk_create([Assignment(case=in_b.case, unit=world.centre_a, todo="respond")])
    assert not SentOutside.objects.exists()
    note_sent_outside(case_ids=[in_b.case_id])
    note_sent_outside()  # everything again: nothing twice
    assert list(SentOutside.objects.values_list("case_id", "unit_id")) == [(in_b.case_id, world.centre_a.pk)]
    note_sent_outside(case_ids=[])
    assert SentOutside.objects.count() == 1


def test_a_grid_worker_sees_their_grids_and_what_is_addressed_to_them_not_the_villages_other_work(world):
    """Issue 12 item 7: two grid workers of one village committee. The other grid's event, and
    its verification addressed to the other worker by name, stay out of sight; work addressed to
    the committee as a whole, or to this worker, comes in. The village agent of the same committee
    keeps the whole village, and case_is_visible and can_see_case agree with visible_cases."""
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category
    from zhenjie.kernel.assignments import Assign, create
    from zhenjie.kernel.models import Case
    from zhenjie.kernel.scoping import case_is_visible, counting_parts
    from zhenjie.testing import make_event, make_grid_world

    grids = make_grid_world(world)
    mine = make_event(world)  # in grid A1, by its worker
    theirs = make_event(world, reporter=grids.grid_worker_a2, lng=116.07, lat=35.01)  # in grid A2
    sanitation = Category.objects.get(code="sanitation")
    in_village = [
        report_event(world.clerk_a, Report(channel="walk_in", category=sanitation, description=f"村里第{n}件", area=world.village_a))
        for n in range(4)
    ]
    create(theirs.case, Assign(world.committee_a, "verify", user=grids.grid_worker_a2))  # the other grid's worker, by name
    create(in_village[0].case, Assign(world.committee_a, "verify", user=grids.grid_worker_a2))
    create(in_village[1].case, Assign(world.committee_a, "handle"))  # the committee as a whole
    create(in_village[2].case, Assign(world.committee_a, "verify", user=world.grid_worker_a))  # this worker, by name
    create(in_village[3].case, Assign(world.committee_a, "visit", role=RoleCode.VILLAGE_AGENT))  # the committee's agent

    worker = type(world.grid_worker_a).objects.get(pk=world.grid_worker_a.pk)
    assert set(visible_cases(worker)) == {mine.case, in_village[1].case, in_village[2].case}
    assert not can_see_case(worker, theirs.case) and not can_see_case(worker, in_village[0].case)
    assert theirs.case in visible_cases(grids.grid_worker_a2) and in_village[0].case in visible_cases(grids.grid_worker_a2)
    assert set(visible_cases(world.agent_a)) >= {mine.case, theirs.case, *(e.case for e in in_village)}
    for user in (worker, grids.grid_worker_a2, grids.grid_worker_b, world.agent_a, world.dispatcher_a):
        by_subquery = set(visible_cases(user).values_list("pk", flat=True))
        assert set(Case.objects.filter(case_is_visible(user, "pk")).values_list("pk", flat=True)) == by_subquery, user.username
        assert {case.pk for case in Case.objects.all() if can_see_case(user, case)} == by_subquery, user.username
        parts = counting_parts(user, "event")
        if parts is not None:
            assert {case.pk for part in parts for case in part} == set(visible_cases(user).filter(kind="event").values_list("pk", flat=True))
    assert counting_parts(worker, "event") is None
