"""AB岗 (stand-in, seed 002 §三(三)): for the days of the period, and only then, the stand-in sees
the absent person's work and acts on it, journaled "X 代 Y"; never more than the absent person
reaches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.models import StandIn, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.events import actions as events
from zhenjie.kernel import assignments, journal
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.scoping import can_see_case, reach_of, visible_cases
from zhenjie.testing import make_event, make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    """A new user object, as the next request has: the reach is read once per user object."""
    return User.objects.get(pk=user.pk)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def aide(world):
    """A grid worker seated in township A's command centre: on their own they reach their grid
    and what is addressed to them, not the village's events the dispatcher registers."""
    return make_user("aide_a", world.centre_a, [R.GRID_WORKER], world.grid_a)


@pytest.fixture
def event(world):
    # In 甲一村 but outside the aide's grid; waiting for the centre's dispatcher to register it.
    return make_event(world, reporter=world.dispatcher_a, lng=116.08, lat=35.08)


def cover(world, aide, start, end):
    return actions.set_stand_in(world.dispatcher_a, absent=world.dispatcher_a, stand_in=aide, starts_on=days(start), ends_on=days(end), reason="年休假")


def test_during_the_period_the_stand_in_sees_the_absent_persons_work_and_acts_as_x_for_y(world, aide, event):
    assert not can_see_case(fresh(aide), event.case)
    cover(world, aide, 0, 3)

    stand_in = fresh(aide)
    assert can_see_case(stand_in, event.case)
    assert event.case.assignments.get().pk in set(assignments.inbox_for(stand_in).values_list("pk", flat=True))
    events.register_event(stand_in, event)

    entry = journal.entries_for_case(event.case).filter(verb="register").get()
    assert entry.actor == aide and entry.actor_name == "aide_a 代 dispatcher_a"
    assert entry.data["on_behalf_of"] == world.dispatcher_a.pk


def test_work_addressed_to_the_absent_person_by_name_is_in_the_stand_ins_inbox_for_the_period_only(world, aide, event):
    named = assignments.create(event.case, Assign(unit=world.centre_a, user=world.dispatcher_a, todo="回访"))
    period = cover(world, aide, 0, 0)
    assert named.pk in set(assignments.inbox_for(fresh(aide)).values_list("pk", flat=True))
    StandIn.objects.filter(pk=period.pk).update(starts_on=days(-5), ends_on=days(-1))
    assert named.pk not in set(assignments.inbox_for(fresh(aide)).values_list("pk", flat=True))


def test_after_the_period_the_stand_in_neither_sees_nor_acts(world, aide, event):
    period = cover(world, aide, 0, 2)
    StandIn.objects.filter(pk=period.pk).update(starts_on=days(-10), ends_on=days(-1))  # the period has passed

    stand_in = fresh(aide)
    assert not can_see_case(stand_in, event.case)
    assert not visible_cases(stand_in).filter(pk=event.case.pk).exists()
    with pytest.raises(NotFound):
        events.register_event(stand_in, event)


def test_before_the_period_the_stand_in_neither_sees_nor_acts(world, aide, event):
    cover(world, aide, 1, 5)
    stand_in = fresh(aide)
    assert not can_see_case(stand_in, event.case)
    with pytest.raises(NotFound):
        events.register_event(stand_in, event)


def test_a_cancelled_period_ends_at_once(world, aide, event):
    period = cover(world, aide, 0, 5)
    actions.cancel_stand_in(world.leader_a, period)
    assert not can_see_case(fresh(aide), event.case)
    assert journal.JournalEntry.objects.filter(verb="standin.cancel").exists()


def test_the_absent_person_keeps_their_own_access_during_leave(world, aide, event):
    cover(world, aide, 0, 5)
    absent = fresh(world.dispatcher_a)
    assert can_see_case(absent, event.case)
    events.register_event(absent, event)
    assert journal.entries_for_case(event.case).filter(verb="register").get().actor_name == "dispatcher_a"


def test_a_stand_in_never_reaches_beyond_the_absent_persons_own_reach(world, aide):
    event_b = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01)
    cover(world, aide, 0, 5)
    stand_in = fresh(aide)
    assert not can_see_case(stand_in, event_b.case)
    assert not reach_of(stand_in).covers(world.b)
    assert set(reach_of(stand_in).paths) == {world.a.path}  # the dispatcher's township, which holds the aide's grid
    with pytest.raises(NotFound):
        events.register_event(stand_in, event_b)
    # and nobody else's reach moves
    assert reach_of(fresh(world.dispatcher_b)).paths == (world.b.path,)
    assert reach_of(fresh(world.dispatcher_a)).stands_for == frozenset()


def test_an_administrators_roles_are_never_lent(world):
    admin = make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    with pytest.raises(Rejected) as error:
        actions.set_stand_in(admin, absent=admin, stand_in=world.leader_a, starts_on=days(0), ends_on=days(1))
    assert error.value.code == "standin.no_business_post"


def test_the_reach_of_a_stand_in_is_still_one_query(world, django_assert_num_queries):
    actions.set_stand_in(world.leader_a, absent=world.dispatcher_a, stand_in=world.clerk_a, starts_on=days(0), ends_on=days(1))
    clerk = fresh(world.clerk_a)
    with django_assert_num_queries(1):
        reach = reach_of(clerk)
    assert reach.roles == {R.BACK_OFFICE_HANDLER, R.DISPATCHER} and reach.stands_for == {world.dispatcher_a.pk}


@pytest.mark.parametrize(
    "start, end, code, field",
    [(3, 1, "standin.ends_before_start", "ends_on"), (-5, -1, "standin.in_the_past", "ends_on"), (0, 400, "standin.too_long", "ends_on")],
)
def test_a_period_with_bad_dates_is_refused(world, aide, start, end, code, field):
    with pytest.raises(Rejected) as error:
        cover(world, aide, start, end)
    assert (error.value.code, error.value.field) == (code, field)
    assert not StandIn.objects.exists()


def test_end_before_start_says_so_in_chinese(world, aide):
    with pytest.raises(Rejected) as error:
        cover(world, aide, 3, 1)
    assert error.value.message == "结束日期不能早于开始日期"


def test_overlapping_periods_of_one_absent_person_are_refused(world, aide):
    cover(world, aide, 0, 5)
    with pytest.raises(Conflict) as error:
        actions.set_stand_in(world.leader_a, absent=world.dispatcher_a, stand_in=world.clerk_a, starts_on=days(5), ends_on=days(8))
    assert error.value.code == "standin.overlap" and "已由 aide_a 顶岗" in error.value.message
    actions.set_stand_in(world.leader_a, absent=world.dispatcher_a, stand_in=world.clerk_a, starts_on=days(6), ends_on=days(8))


def test_oneself_is_no_stand_in(world):
    with pytest.raises(Rejected) as error:
        actions.set_stand_in(world.dispatcher_a, absent=world.dispatcher_a, stand_in=world.dispatcher_a, starts_on=days(0), ends_on=days(1))
    assert error.value.code == "standin.self"


def test_a_colleague_of_another_township_is_refused(world):
    with pytest.raises(Rejected) as error:
        actions.set_stand_in(world.dispatcher_a, absent=world.dispatcher_a, stand_in=world.dispatcher_b, starts_on=days(0), ends_on=days(1))
    assert error.value.code == "standin.not_a_colleague"
    assert "不在同一单位" in error.value.message


def test_a_stand_in_on_leave_themself_is_refused(world, aide):
    actions.set_stand_in(None, absent=aide, stand_in=world.dispatcher_a, starts_on=days(2), ends_on=days(4))
    with pytest.raises(Conflict) as error:
        cover(world, aide, 0, 3)
    assert error.value.code == "standin.stand_in_absent"


def test_who_names_a_stand_in_the_person_their_leader_or_administrator(world, aide):
    sys_a = make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    actions.set_stand_in(world.leader_a, absent=world.dispatcher_a, stand_in=aide, starts_on=days(0), ends_on=days(1))
    actions.set_stand_in(sys_a, absent=world.dispatcher_a, stand_in=aide, starts_on=days(2), ends_on=days(3))
    for outsider in (world.leader_b, world.clerk_a):
        with pytest.raises(Forbidden) as error:
            actions.set_stand_in(outsider, absent=world.dispatcher_a, stand_in=aide, starts_on=days(4), ends_on=days(5))
        assert error.value.code == "standin.not_allowed"
    entry = journal.JournalEntry.objects.filter(verb="standin.set").first()
    assert entry.summary.startswith("AB岗：aide_a 代 dispatcher_a")


def test_new_work_for_the_absent_person_or_their_unit_is_announced_to_the_stand_in_during_the_period_only(world, aide, event):
    from zhenjie.kernel.models import Notification

    period = cover(world, aide, 0, 1)
    assignments.create(event.case, Assign(unit=world.centre_a, user=world.dispatcher_a, todo="回访"))
    assignments.create(event.case, Assign(unit=world.centre_a, role=R.DISPATCHER, todo="调度"))
    assert Notification.objects.filter(user=aide).count() == 2
    assert Notification.objects.filter(user=world.dispatcher_a).count() >= 2
    StandIn.objects.filter(pk=period.pk).update(starts_on=days(-3), ends_on=days(-1))
    assignments.create(event.case, Assign(unit=world.centre_a, user=world.dispatcher_a, todo="回访"))
    assignments.create(event.case, Assign(unit=world.centre_a, role=R.DISPATCHER, todo="调度"))
    assert Notification.objects.filter(user=aide).count() == 2


def test_an_administrator_may_not_name_themself_anyones_stand_in_nor_be_named(world):
    """三权分立: a system administrator naming themself the dispatcher's stand-in, or a clerk
    naming the audit administrator theirs, would seat an administrator role beside a business one."""
    sys_admin = make_user("sys_admin", world.police, [R.SYSTEM_ADMIN], world.county)
    auditor = make_user("auditor", world.police, [R.AUDIT_ADMIN], world.county)
    event = make_event(world, reporter=world.dispatcher_a)
    with pytest.raises(Forbidden) as error:
        actions.set_stand_in(sys_admin, absent=world.dispatcher_a, stand_in=sys_admin, starts_on=days(0), ends_on=days(2))
    assert error.value.code == "standin.names_self"
    with pytest.raises(Rejected) as error:
        actions.set_stand_in(world.dispatcher_a, absent=world.dispatcher_a, stand_in=auditor, starts_on=days(0), ends_on=days(2))
    assert error.value.code == "standin.is_administrator" and "三权分立" in error.value.message
    assert not StandIn.objects.exists()
    assert reach_of(fresh(auditor)).roles == {R.AUDIT_ADMIN} and not can_see_case(fresh(auditor), event.case)
    from zhenjie.accounts.queries import stand_in_candidates

    assert not stand_in_candidates(world.dispatcher_a).filter(pk__in=[sys_admin.pk, auditor.pk]).exists()


def test_a_period_named_before_someone_became_an_administrator_lends_them_nothing(world, aide, event):
    cover(world, aide, 0, 3)
    # Seat the role directly (the actions refuse it beside a business post): what reach_of must still withstand.
    from zhenjie.accounts.models import Post, Role

    post = Post.objects.create(user=aide, unit=world.police, title="审计", jurisdiction=world.county)
    post.roles.add(Role.objects.get(code=R.AUDIT_ADMIN))
    assert reach_of(fresh(aide)).stands_for == frozenset() and not can_see_case(fresh(aide), event.case)


def test_a_leader_over_one_of_several_units_names_no_stand_in_and_no_leader_names_themself(world):
    """An officer posted both in 甲镇派出所 and county-wide in the police bureau: 甲镇's leader may
    not lend the county-wide post to anyone, nor take the officer's reach for themself."""
    officer = make_user("officer", world.police_station_a, [R.STATIONED_OFFICER], world.a)
    actions.grant_post(None, user=officer, unit=world.police, title="执法", roles=[R.STATIONED_OFFICER], jurisdiction=world.county)
    colleague = make_user("colleague", world.police_station_a, [R.STATIONED_OFFICER], world.a)
    with pytest.raises(Forbidden) as error:
        actions.set_stand_in(world.leader_a, absent=officer, stand_in=colleague, starts_on=days(0), ends_on=days(2))
    assert error.value.code == "standin.not_allowed"
    with pytest.raises(Forbidden):
        actions.set_stand_in(world.leader_a, absent=world.dispatcher_a, stand_in=world.leader_a, starts_on=days(0), ends_on=days(2))
    assert not StandIn.objects.exists()
    assert reach_of(fresh(world.leader_a)).paths == (world.a.path,)


def test_the_county_administrators_authority_is_not_lent(world):
    """A stand-in covers an inbox, not 编办's authority over the tree and the roster."""
    bianban = make_user("bianban", world.police, [R.COUNTY_ADMIN, R.DEPARTMENT_LIAISON], world.county)
    clerk = make_user("police_clerk", world.police, [R.DEPARTMENT_LIAISON], None)
    actions.set_stand_in(bianban, absent=bianban, stand_in=clerk, starts_on=days(0), ends_on=days(2))
    assert R.COUNTY_ADMIN not in reach_of(fresh(clerk)).roles
