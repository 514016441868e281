"""Area changes (区划调整): rename, merge, move from an effective date, with two townships."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.accounts.models import Coverage, Post
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.areas.changes import ChangeRequest, register_area_change
from zhenjie.areas.jobs import apply_due_area_changes
from zhenjie.areas.locate import locate
from zhenjie.areas.models import Area, AreaChange
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Case, JournalEntry
from zhenjie.kernel.scoping import can_see_case, forget_reach, place_of_report, report_areas, visible_cases
from zhenjie.testing import make_event, make_grid_world, make_other_county, make_user, square
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_MOVED_VILLAGE = (116.01, 35.01)  # inside 甲一村 and its first grid (make_world)


def change(actor, kind, area, *, on=TODAY, **fields):
    return register_area_change(actor, ChangeRequest(kind=kind, area=area, effective_on=on, document_number="测民〔2026〕8号", **fields))


def fresh(*users):
    for user in users:
        forget_reach(user)


def citizen_report_place(world, lng, lat):
    """Where a position is filed for someone with no jurisdiction (a citizen, 12345): the county."""
    return place_of_report(None, lng=lng, lat=lat, area=None, county=world.county, kind="event")


def make_village_a2(world):
    village, _ = create_area(
        None, code="990199101202", name="甲二村", level="village", parent=world.a, village_kind="village", boundary=square(116.1, 35.0, 0.1)
    )
    return village


# ---- merge ------------------------------------------------------------------------------------


def test_merging_two_villages_sends_new_reports_to_the_merged_village_and_keeps_old_cases_where_they_were(world):
    village_a2 = make_village_a2(world)
    old_event = make_event(world)  # reported by the grid worker in 甲一村第1网格
    old_area = old_event.case.area

    merge = change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2, new_name="甲合村")

    world.village_a.refresh_from_db()
    village_a2.refresh_from_db()
    assert merge.state == AreaChange.State.APPLIED
    assert (world.village_a.retired_on, world.village_a.successor) == (TODAY, village_a2)
    assert village_a2.name == "甲合村" and village_a2.retired_on is None
    # The absorbed village's grid is a new grid of the survivor; its worker's stint follows.
    new_grid = Area.objects.get(parent=village_a2, retired_on__isnull=True)
    assert new_grid.code == "990199101202001" and new_grid.name == "甲一村第1网格"
    assert Post.objects.get(user=world.grid_worker_a).jurisdiction == new_grid
    # Old case: same area as reported.
    old_event.case.refresh_from_db()
    assert old_event.case.area == old_area
    # New report at the same spot: the merged village's grid.
    fresh(world.grid_worker_a)
    assert citizen_report_place(world, *IN_MOVED_VILLAGE) == new_grid
    new_event = make_event(world)
    assert new_event.case.area == new_grid
    # Township A still sees both; B sees neither.
    fresh(world.dispatcher_a, world.dispatcher_b)
    seen_a = set(visible_cases(world.dispatcher_a).values_list("pk", flat=True))
    assert {old_event.case.pk, new_event.case.pk} <= seen_a
    assert not visible_cases(world.dispatcher_b).filter(pk__in=[old_event.case.pk, new_event.case.pk]).exists()


def test_merge_moves_the_absorbed_village_committee_and_its_posts_to_the_survivor(world):
    village_a2 = make_village_a2(world)
    change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2)
    world.committee_a.refresh_from_db()
    assert world.committee_a.area == village_a2
    assert Post.objects.get(user=world.agent_a).jurisdiction == village_a2
    assert world.village_a not in report_areas(world.dispatcher_a)
    assert village_a2 in report_areas(world.dispatcher_a)


def test_a_grid_merged_with_its_village_keeps_its_residents_and_its_lead_worker(db):
    from zhenjie.grid.models import Resident
    from zhenjie.testing import make_resident

    grid_world = make_grid_world()
    world = grid_world.world
    resident = make_resident(world.grid_a, world.grid_worker_a)
    village_a2 = make_village_a2(world)

    change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2)

    grid_a2_new, grid_a1_new = (Area.objects.get(successor__isnull=True, retired_on__isnull=True, parent=village_a2, name=name) for name in ("甲一村第2网格", "甲一村第1网格"))
    assert Resident.objects.get(pk=resident.pk).grid == grid_a1_new
    lead = Coverage.objects.get(grid=grid_a1_new, ended_at__isnull=True)
    assert (lead.worker, lead.is_lead) == (world.grid_worker_a, True)
    assert Coverage.objects.filter(grid=world.grid_a, ended_at__isnull=False).exists()
    assert Post.objects.get(user=grid_world.grid_worker_a2).jurisdiction == grid_a2_new


# ---- move -------------------------------------------------------------------------------------


def test_moving_a_village_takes_its_new_cases_out_of_the_old_townships_sight_and_keeps_old_cases(world):
    old_event = make_event(world)
    old_case = old_event.case

    move = change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")

    new_village = move.result
    assert (new_village.code, new_village.path, new_village.parent) == ("990199102205", "990199102205", world.b)
    world.village_a.refresh_from_db()
    assert world.village_a.successor == new_village and world.village_a.retired_on == TODAY
    new_grid = Area.objects.get(parent=new_village)
    assert new_grid.code == "990199102205001"
    # A citizen's report in the village's territory lands on the new node, under 乙镇.
    place = citizen_report_place(world, *IN_MOVED_VILLAGE)
    assert place == new_grid
    fresh(world.grid_worker_a)  # a new request reads the reach anew
    new_event = make_event(world)  # the grid worker, whose post followed the grid
    new_case = new_event.case
    assert new_case.area == new_grid

    fresh(world.dispatcher_a, world.dispatcher_b, world.leader_a, world.leader_b)
    # The old township: its old case, not the moved village's new one.
    assert can_see_case(world.dispatcher_a, Case.objects.get(pk=old_case.pk))
    assert not visible_cases(world.leader_a).filter(pk=new_case.pk).exists()
    # The new township: the new case, not the old one.
    assert visible_cases(world.leader_b).filter(pk=new_case.pk).exists()
    assert not visible_cases(world.leader_b).filter(pk=old_case.pk).exists()
    old_case.refresh_from_db()
    assert old_case.area.path == "990199101201001"


def test_a_moved_village_leaves_the_old_townships_outline_and_joins_the_new_ones(world):
    from shapely.geometry import Point, shape

    change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")

    world.a.refresh_from_db()
    world.b.refresh_from_db()
    inside_village = Point(116.05, 35.05)
    assert not shape(world.a.boundary).contains(inside_village)
    assert shape(world.a.boundary).contains(Point(116.15, 35.15))  # the rest of 甲镇 stays
    assert shape(world.b.boundary).contains(inside_village)
    assert shape(world.b.boundary).area == pytest.approx(0.2 * 0.2 + 0.1 * 0.1)  # dissolved, not overlapping
    assert locate(116.01, 35.01, world.county).code == "990199102205001"  # the moved grid, found through 乙镇


def test_a_position_in_the_moved_village_is_outside_the_old_townships_dispatcher(world):
    change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")
    fresh(world.dispatcher_a)
    with pytest.raises(Rejected) as error:
        place_of_report(world.dispatcher_a, lng=116.01, lat=35.01, area=None, county=None, kind="event")
    assert error.value.message == "上报位置不在您的辖区(网格)内，请确认定位后重试"
    world.village_a.refresh_from_db()
    with pytest.raises(Rejected) as error:
        place_of_report(world.leader_a, lng=None, lat=None, area=world.village_a, county=None, kind="event")
    assert "已因区划调整撤销" in error.value.message


def test_a_township_office_post_on_the_moved_village_is_flagged_not_moved(world):
    clerk = make_user("village_clerk_a", world.office_a, [R.BACK_OFFICE_HANDLER], world.village_a)
    move = change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")
    post = Post.objects.get(user=clerk)
    assert post.jurisdiction == world.village_a
    assert move.outcome["flagged_posts"] == [post.pk]


# ---- rename -----------------------------------------------------------------------------------


def test_renaming_keeps_the_code_and_the_cases(world):
    event = make_event(world)
    rename = change(world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村")
    world.village_a.refresh_from_db()
    assert (world.village_a.name, world.village_a.code, world.village_a.retired_on) == ("甲新村", "990199101201", None)
    assert rename.old_name == "甲一村"
    event.case.refresh_from_db()
    assert event.case.area == world.grid_a
    assert make_event(world).case.area == world.grid_a


# ---- refusals ---------------------------------------------------------------------------------


def _refusal(world, actor, kind, area, **fields):
    with pytest.raises((Rejected, Forbidden, Conflict)) as error:
        change(actor, kind, area, **fields)
    return error.value


def test_illegal_changes_are_refused_in_chinese_and_write_nothing(world):
    other_county, _ = make_other_county()
    other_village, _ = create_area(None, code="990299101201", name="邻县一村", level="village", parent=create_area(
        None, code="990299101000", name="邻镇", level="township", parent=other_county, township_kind="town")[0], village_kind="village")
    M, V, T = AreaChange.Kind.MERGE, AreaChange.Kind.MOVE, AreaChange.Kind.RENAME
    cases = [
        (world.county_admin, M, world.village_a, {"target": world.village_a}, "不能把村(社区)并入它自己"),
        (world.county_admin, M, world.village_a, {"target": other_village}, "不能并入其他县(市、区)的村(社区)"),
        (world.county_admin, V, world.a, {"target": world.b, "new_code": "990199102205"}, "只能调整村(社区)的隶属"),
        (world.county_admin, V, world.village_a, {"target": world.b, "new_code": "990199101205"}, "应以上级「乙镇」的代码 990199102 开头"),
        (world.county_admin, T, world.village_a, {"new_name": "甲新村", "on": TODAY - timedelta(days=40)}, "生效日期不能早于"),
        (world.county_admin, T, world.village_a, {"new_name": ""}, "请填写新名称"),
        (world.dispatcher_a, T, world.village_a, {"new_name": "甲新村"}, "只有辖区包含「甲一村」的县级管理员(编办)可以办理区划调整"),
    ]
    for actor, kind, area, fields, message in cases:
        assert message in _refusal(world, actor, kind, area, **fields).message
    assert not AreaChange.objects.exists()
    assert not JournalEntry.objects.filter(verb__startswith="area.change").exists()


def test_a_township_administrator_changes_nothing_in_the_other_township(world):
    admin_b = make_user("county_admin_b", world.gov_b, [R.COUNTY_ADMIN], world.b)
    error = _refusal(world, admin_b, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村")
    assert isinstance(error, Forbidden)
    error = _refusal(world, admin_b, AreaChange.Kind.MOVE, world.village_b, target=world.a, new_code="990199101205")
    assert error.message == "只有辖区包含「甲镇」的县级管理员(编办)可以办理区划调整"
    # In its own township it may.
    assert change(admin_b, AreaChange.Kind.RENAME, world.village_b, new_name="乙新村").state == AreaChange.State.APPLIED


def test_the_other_countys_administrator_is_refused(world):
    _, other_admin = make_other_county()
    assert isinstance(_refusal(world, other_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村"), Forbidden)


def test_two_changes_of_one_area_on_one_day_are_refused(world):
    later = TODAY + timedelta(days=10)
    change(world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村", on=later)
    error = _refusal(world, world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205", on=later)
    assert isinstance(error, Conflict) and "同一区划同一天只能调整一次" in error.message
    assert AreaChange.objects.count() == 1


def test_a_retired_village_cannot_be_changed_again(world):
    village_a2 = make_village_a2(world)
    change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2)
    world.village_a.refresh_from_db()
    error = _refusal(world, world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村", on=TODAY + timedelta(days=1))
    assert "已于" in error.message and "撤销" in error.message


# ---- journal and schedule ---------------------------------------------------------------------


def test_each_change_is_journaled_when_registered_and_when_applied(world):
    change(world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村")
    entries = list(JournalEntry.objects.filter(verb__startswith="area.change").order_by("seq"))
    assert [e.verb for e in entries] == ["area.change.register", "area.change.apply"]
    assert entries[0].actor == world.county_admin and "甲一村更名为甲新村" in entries[1].summary
    assert entries[0].data["document_number"] == "测民〔2026〕8号"
    from zhenjie.kernel import journal

    assert journal.verify() == []  # the chain holds


def test_a_future_change_takes_effect_on_its_date_by_the_nightly_job(world):
    effective = TODAY + timedelta(days=5)
    move = change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205", on=effective)
    assert move.state == AreaChange.State.SCHEDULED
    world.village_a.refresh_from_db()
    assert world.village_a.retired_on is None and citizen_report_place(world, *IN_MOVED_VILLAGE) == world.grid_a

    assert apply_due_area_changes.call_local((effective - timedelta(days=1)).isoformat()) == []
    assert AreaChange.objects.get(pk=move.pk).state == AreaChange.State.SCHEDULED

    assert apply_due_area_changes.call_local(effective.isoformat()) == [move.pk]
    move.refresh_from_db()
    assert move.state == AreaChange.State.APPLIED and move.result.code == "990199102205"
    world.village_a.refresh_from_db()
    assert world.village_a.retired_on == effective
    assert citizen_report_place(world, *IN_MOVED_VILLAGE).parent == move.result
    applied = JournalEntry.objects.get(verb="area.change.apply")
    assert applied.actor is None and applied.actor_name == "系统"


def test_a_scheduled_change_that_can_no_longer_apply_fails_with_its_reason(world):
    village_a2 = make_village_a2(world)
    effective = TODAY + timedelta(days=3)
    rename = change(world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村", on=effective)
    change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2)  # today
    apply_due_area_changes.call_local(effective.isoformat())
    rename.refresh_from_db()
    assert rename.state == AreaChange.State.FAILED and "撤销" in rename.failure
    assert JournalEntry.objects.filter(verb="area.change.fail").count() == 1


def test_a_moved_units_cases_sent_from_outside_are_recounted(world):
    """A unit based in the moved village: its SentOutside rows follow its new area."""
    from zhenjie.kernel.models import SentOutside

    unit = create_unit(None, name="甲一村便民服务站", kind=Unit.Kind.VILLAGE_COMMITTEE, area=world.village_a)
    change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")
    unit.refresh_from_db()
    assert unit.area.code == "990199102205"
    assert not SentOutside.objects.filter(unit=unit).exists()


def test_effective_date_a_month_back_is_allowed(world):
    on = TODAY - timedelta(days=31)
    assert change(world.county_admin, AreaChange.Kind.RENAME, world.village_a, new_name="甲新村", on=on).state == AreaChange.State.APPLIED


def test_after_a_merge_the_grid_pages_offer_todays_grids_only(db):
    from zhenjie.grid import queries as grid_queries

    grid_world = make_grid_world()
    world = grid_world.world
    village_a2 = make_village_a2(world)
    change(world.county_admin, AreaChange.Kind.MERGE, world.village_a, target=village_a2)
    fresh(world.grid_worker_a, world.leader_a)
    new_grid = Area.objects.get(parent=village_a2, name="甲一村第1网格")
    assert list(grid_queries.my_grids_for(world.grid_worker_a)) == [new_grid]
    managed = list(grid_queries.managed_grids_for(world.leader_a))
    assert new_grid in managed and world.grid_a not in managed
    # The retired grid's page stays readable, as history.
    assert grid_queries.get_grid_for(world.leader_a, world.grid_a.pk) == world.grid_a


def test_the_12345_import_finds_a_moved_village_under_its_new_township_only(world):
    from zhenjie.integrations.places import Places

    change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")
    places = Places(world.county)
    assert places.village(world.a, "甲一村") is None
    assert places.village(world.b, "甲一村").code == "990199102205"


def test_a_moved_committee_keeps_the_old_case_sent_to_it_and_its_counts_agree_with_the_rule(world):
    """The village committee moves with its village; a case of the old village assigned to it
    now lies outside its area — SentOutside says so, and the counting parts equal the rule."""
    from zhenjie.kernel.assignments import add
    from zhenjie.kernel.models import Assignment, SentOutside
    from zhenjie.kernel.scoping import counting_parts

    old_case = make_event(world).case
    add(Assignment(case=old_case, unit=world.committee_a, todo="handle"))
    assert not SentOutside.objects.filter(unit=world.committee_a).exists()  # inside its village

    change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")

    assert SentOutside.objects.filter(unit=world.committee_a, case=old_case).exists()
    fresh(world.agent_a)
    parts = counting_parts(world.agent_a, old_case.kind)
    assert parts is not None
    counted = set().union(*(set(part.values_list("pk", flat=True)) for part in parts))
    assert counted == set(visible_cases(world.agent_a).filter(kind=old_case.kind).values_list("pk", flat=True))
    assert old_case.pk in counted


def test_a_grid_worker_seated_in_the_old_township_does_not_follow_the_moved_grid(world):
    """Coverage is reach: a worker posted at 甲镇's centre must not come to see 乙镇's cases because
    the grid they covered moved there; their stint ends and the change says so."""
    aide = make_user("aide_a", world.centre_a, [R.GRID_WORKER], world.grid_a)
    Coverage.objects.create(grid=world.grid_a, worker=aide, is_lead=False)
    Coverage.objects.create(grid=world.grid_a, worker=world.grid_worker_a, is_lead=True)
    move = change(world.county_admin, AreaChange.Kind.MOVE, world.village_a, target=world.b, new_code="990199102205")
    new_grid = Area.objects.get(parent=move.result)
    new_case = make_event(world, reporter=world.dispatcher_b, lng=116.01, lat=35.01).case

    assert new_case.area == new_grid
    assert not Coverage.objects.filter(worker=aide, ended_at__isnull=True).exists()
    assert not can_see_case(fresh(aide), new_case)
    move.refresh_from_db()
    assert len(move.outcome["ended_coverage"]) == 1
    # the village committee's own grid worker moved with the committee, and still covers it
    assert Coverage.objects.filter(worker=world.grid_worker_a, grid=new_grid, ended_at__isnull=True).exists()
