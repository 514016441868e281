"""人员变动 (issue 13 item 3): post history, transfers and 离岗交接 (handover)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.models import ApiToken, Coverage, Post, StandIn, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import assignments, journal
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Assignment, JournalEntry
from zhenjie.kernel.scoping import reach_of
from zhenjie.testing import PASSWORD, make_event, make_grid_world, make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def sys_a(world):
    return make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)


@pytest.fixture
def sys_b(world):
    return make_user("sys_b", world.gov_b, [R.SYSTEM_ADMIN], world.b)


# ---- post history and transfers -------------------------------------------------------------


def test_an_ended_post_stays_in_the_history_with_its_date_reason_and_who_ended_it(world, sys_a):
    post = world.clerk_a.posts.get()
    day = timezone.localdate()
    Post.objects.filter(pk=post.pk).update(started_on=day - timedelta(days=30))
    post.refresh_from_db()

    actions.end_post(sys_a, post, ended_on=day - timedelta(days=2), reason="借调结束")

    post.refresh_from_db()
    assert (post.is_active, post.ended_on, post.ended_by, post.end_reason) == (False, day - timedelta(days=2), sys_a, "借调结束")
    entry = JournalEntry.objects.filter(verb="post.end").last()
    assert "clerk_a" in entry.summary and entry.actor == sys_a
    assert not reach_of(fresh(world.clerk_a)).posts


def test_a_post_cannot_end_before_it_began_nor_in_the_future(world, sys_a):
    post = world.clerk_a.posts.get()
    with pytest.raises(Rejected) as error:
        actions.end_post(sys_a, post, ended_on=post.started_on - timedelta(days=1))
    assert error.value.code == "post.end_before_start" and "不能早于任职日期" in error.value.message
    with pytest.raises(Rejected) as error:
        actions.end_post(sys_a, post, ended_on=timezone.localdate() + timedelta(days=1))
    assert error.value.code == "staff.date_out_of_range"
    assert Post.objects.get(pk=post.pk).is_active


def test_nobody_ends_their_own_post_nor_one_in_another_township(world, sys_a, sys_b):
    with pytest.raises(Forbidden):
        actions.end_post(sys_a, sys_a.posts.get())
    with pytest.raises(Forbidden) as error:
        actions.end_post(sys_b, world.clerk_a.posts.get())
    assert error.value.code == "post.unit_outside_administration"


def test_a_transfer_ends_the_old_post_and_starts_the_new_one_the_same_day(world, sys_a):
    old = world.clerk_a.posts.get()
    day = timezone.localdate()

    new = actions.transfer_post(sys_a, old, unit=world.centre_a, title="调度员", roles=[R.DISPATCHER], jurisdiction=world.a, reason="工作需要")

    old.refresh_from_db()
    assert (old.is_active, old.ended_on, new.started_on, new.granted_by) == (False, day, day, sys_a)
    assert reach_of(fresh(world.clerk_a)).roles == {R.DISPATCHER}
    verbs = list(JournalEntry.objects.filter(subject=f"user:{world.clerk_a.pk}").order_by("id").values_list("verb", flat=True))
    assert verbs[-3:] == ["post.end", "post.grant", "post.transfer"]


def test_a_refused_transfer_leaves_the_old_post_as_it_was(world, sys_a):
    old = world.clerk_a.posts.get()
    with pytest.raises(Rejected):
        actions.transfer_post(sys_a, old, unit=world.centre_a, title="调度员", roles=[R.DISPATCHER], jurisdiction=None)
    old.refresh_from_db()
    assert old.is_active and old.ended_on is None
    assert Post.objects.filter(user=world.clerk_a).count() == 1


def test_grant_post_keeps_its_old_signature_and_records_a_past_start(world):
    user = make_user("newcomer", None, [], None)
    post = actions.grant_post(None, user=user, unit=world.office_a, title="办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a)
    assert post.started_on == timezone.localdate()
    earlier = actions.grant_post(None, user=user, unit=world.centre_a, title="调度员", roles=[R.DISPATCHER], jurisdiction=world.a,
                                 started_on=timezone.localdate() - timedelta(days=400))
    assert earlier.started_on == timezone.localdate() - timedelta(days=400)


# ---- 离岗交接 --------------------------------------------------------------------------------


@pytest.fixture
def desk(world):
    """Open work addressed by name to several people of township A's command centre and office,
    and to the centre as a unit."""
    colleague = make_user("dispatcher_a2", world.centre_a, [R.DISPATCHER], world.a)
    cases = [make_event(world, description=f"事件{n}").case for n in range(3)]
    mine = [
        assignments.create(cases[0], Assign(unit=world.centre_a, user=world.dispatcher_a, todo="核实")),
        assignments.create(cases[1], Assign(unit=world.centre_a, user=world.dispatcher_a, todo="回访")),
        assignments.create(cases[2], Assign(unit=world.centre_a, user=world.dispatcher_a, todo="核实")),
    ]
    others = [
        assignments.create(cases[0], Assign(unit=world.centre_a, user=colleague, todo="核实")),
        assignments.create(cases[1], Assign(unit=world.office_a, user=world.clerk_a, todo="办理")),
        assignments.create(cases[2], Assign(unit=world.centre_a, role=R.DISPATCHER, todo="调度")),
    ]
    done = assignments.create(cases[2], Assign(unit=world.centre_a, user=world.dispatcher_a, todo="旧事"))
    Assignment.objects.filter(pk=done.pk).update(state=Assignment.State.DONE)
    return {"colleague": colleague, "cases": cases, "mine": mine, "others": others, "done": done}


def snapshot(exclude=()):
    return list(Assignment.objects.exclude(pk__in=exclude).order_by("pk").values_list("pk", "unit_id", "user_id", "role", "state"))


def test_the_preview_counts_the_open_work_that_will_move_by_kind_and_todo(world, desk):
    preview = actions.handover_preview(world.dispatcher_a)
    assert preview.total == 3
    assert [(row["label"], row["todo"], row["count"]) for row in preview.by_kind] == [("事件", "回访", 1), ("事件", "核实", 2)]
    assert preview.units == [world.centre_a]
    assignments.create(desk["cases"][0], Assign(unit=world.centre_a, user=world.dispatcher_a, todo="register"))
    assert [row["todo_label"] for row in actions.handover_preview(world.dispatcher_a).by_kind if row["todo"] == "register"] == ["受理立案"]


def test_a_leavers_open_work_all_reaches_the_named_colleague_and_nobody_elses_changes(client, world, sys_a, desk):
    mine = [a.pk for a in desk["mine"]]
    before_others = snapshot(exclude=mine)
    _, token = ApiToken.issue(world.dispatcher_a, timedelta(hours=1))
    client.force_login(world.dispatcher_a)
    assert client.get("/inbox/").status_code == 200

    moved = actions.hand_over(sys_a, world.dispatcher_a, colleague=desk["colleague"], reason="调离本县")

    assert moved["assignments"] == 3 and moved["cases"] == 3
    assert set(Assignment.objects.filter(pk__in=mine).values_list("user_id", "unit_id", "state")) == {(desk["colleague"].pk, world.centre_a.pk, "open")}
    assert snapshot(exclude=mine) == before_others  # the done one, the colleague's own, the clerk's, the unit's: untouched
    colleague_inbox = set(assignments.inbox_for(fresh(desk["colleague"])).values_list("pk", flat=True))
    assert set(mine) <= colleague_inbox
    # each case's timeline, and the audit journal
    for case in desk["cases"]:
        entry = journal.entries_for_case(case).filter(verb="handover").get()
        assert entry.summary.startswith("离岗交接：dispatcher_a 的待办") and entry.summary.endswith("转交 dispatcher_a2")
    audit = JournalEntry.objects.get(verb="user.handover")
    assert audit.actor == sys_a and "3项待办转交 dispatcher_a2" in audit.summary
    # the leaver: deactivated, posts ended today, no session, no token
    leaver = fresh(world.dispatcher_a)
    assert not leaver.is_active
    assert list(leaver.posts.values_list("is_active", "ended_on")) == [(False, timezone.localdate())]
    assert client.get("/inbox/").status_code == 302
    refused = client.post(reverse("accounts:login"), {"username": "dispatcher_a", "password": PASSWORD})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    assert client.get("/inbox/").status_code == 302
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_colleague_without_a_post_in_the_unit_is_refused_and_nothing_is_written(world, sys_a, desk):
    before = snapshot()
    entries = JournalEntry.objects.count()
    with pytest.raises(Rejected) as error:
        actions.hand_over(sys_a, world.dispatcher_a, colleague=world.dispatcher_b)
    assert error.value.code == "handover.colleague_not_in_unit"
    assert error.value.message.startswith("dispatcher_b 在「甲镇社会治理综合指挥中心」没有在岗岗位")
    with pytest.raises(Rejected):  # same township, other office
        actions.hand_over(sys_a, world.dispatcher_a, colleague=world.clerk_a)
    assert snapshot() == before and JournalEntry.objects.count() == entries
    assert fresh(world.dispatcher_a).is_active and world.dispatcher_a.posts.get().is_active


def test_handed_back_to_the_unit_the_work_is_addressed_to_the_unit_again(world, sys_a, desk):
    actions.hand_over(sys_a, world.dispatcher_a)
    mine = Assignment.objects.filter(pk__in=[a.pk for a in desk["mine"]])
    assert set(mine.values_list("user_id", "unit_id", "state")) == {(None, world.centre_a.pk, "open")}
    # anyone of the centre sees it in their inbox
    assert set(mine.values_list("pk", flat=True)) <= set(assignments.inbox_for(fresh(desk["colleague"])).values_list("pk", flat=True))
    assert "转交 所在单位" in JournalEntry.objects.get(verb="user.handover").summary


def test_only_the_leavers_administrator_hands_over_never_their_own(world, sys_a, sys_b, desk):
    with pytest.raises(Forbidden):
        actions.hand_over(sys_b, world.dispatcher_a, colleague=desk["colleague"])
    with pytest.raises(Forbidden):
        actions.hand_over(world.leader_a, world.dispatcher_a, colleague=desk["colleague"])
    with pytest.raises(Forbidden):
        actions.hand_over(sys_a, sys_a)
    assert fresh(world.dispatcher_a).is_active


def test_a_lead_grid_worker_who_leaves_needs_a_new_lead_and_their_grids_get_one(world, sys_a):
    grids = make_grid_world(world)
    assert Coverage.objects.filter(grid=world.grid_a, worker=world.grid_worker_a, is_lead=True, ended_at__isnull=True).exists()
    with pytest.raises(Rejected) as error:
        actions.hand_over(sys_a, world.grid_worker_a)
    assert error.value.code == "handover.new_lead_required" and "甲一村第1网格" in error.value.message
    with pytest.raises(Rejected) as error:
        actions.hand_over(sys_a, world.grid_worker_a, new_lead=grids.grid_worker_b)  # another township's worker
    assert error.value.code == "handover.new_lead_not_eligible"

    actions.hand_over(sys_a, world.grid_worker_a, new_lead=grids.grid_worker_a2)

    assert not Coverage.objects.filter(worker=world.grid_worker_a, ended_at__isnull=True).exists()
    lead = Coverage.objects.get(grid=world.grid_a, is_lead=True, ended_at__isnull=True)
    assert lead.worker == grids.grid_worker_a2 and lead.assigned_by == sys_a
    entry = JournalEntry.objects.filter(verb="grid.set_lead", subject=f"grid:{world.grid_a.pk}").last()
    assert entry.summary == "甲一村第1网格 责任网格员：grid_worker_a → grid_worker_a2（离岗交接）" and entry.chain == world.a.path


def test_a_leavers_stand_in_periods_end_with_them(world, sys_a, desk):
    today = timezone.localdate()
    period = actions.set_stand_in(None, absent=world.dispatcher_a, stand_in=desk["colleague"], starts_on=today, ends_on=today + timedelta(days=5))
    actions.hand_over(sys_a, world.dispatcher_a, colleague=desk["colleague"])
    assert StandIn.objects.get(pk=period.pk).cancelled_at is not None


def test_a_second_handover_of_the_same_person_is_a_conflict(world, sys_a, desk):
    actions.hand_over(sys_a, world.dispatcher_a, colleague=desk["colleague"])
    with pytest.raises(Conflict):
        actions.hand_over(sys_a, fresh(world.dispatcher_a), colleague=desk["colleague"])


def test_a_transfer_out_of_a_unit_hands_the_work_held_there_and_keeps_the_rest(world, sys_a, desk):
    elsewhere = assignments.create(desk["cases"][1], Assign(unit=world.office_a, user=world.dispatcher_a, todo="办理"))
    actions.grant_post(sys_a, user=world.dispatcher_a, unit=world.office_a, title="兼办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a)
    mine = [a.pk for a in desk["mine"]]
    before_others = snapshot(exclude=mine)
    centre_post = world.dispatcher_a.posts.get(unit=world.centre_a)

    actions.transfer_post(sys_a, centre_post, unit=world.gov_a, title="综合岗", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a,
                          colleague=desk["colleague"])

    assert set(Assignment.objects.filter(pk__in=mine).values_list("user_id", flat=True)) == {desk["colleague"].pk}
    assert snapshot(exclude=mine) == before_others  # the office's work addressed to them stays theirs
    assert Assignment.objects.get(pk=elsewhere.pk).user == world.dispatcher_a
    assert journal.entries_for_case(desk["cases"][0]).filter(verb="handover").get().summary.startswith("调岗交接：dispatcher_a 的待办")


def test_a_transfer_hands_the_old_units_work_back_to_it_unless_a_colleague_is_named(world, sys_a, desk):
    actions.transfer_post(sys_a, world.dispatcher_a.posts.get(), unit=world.office_a, title="办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a)
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in desk["mine"]]).values_list("user_id", flat=True)) == {None}


def test_a_transfer_within_the_unit_keeps_the_work_and_refuses_a_colleague(world, sys_a, desk):
    post = world.dispatcher_a.posts.get()
    with pytest.raises(Rejected) as error:
        actions.transfer_post(sys_a, post, unit=world.centre_a, title="值班长", roles=[R.DISPATCHER], jurisdiction=world.a, colleague=desk["colleague"])
    assert error.value.code == "post.colleague_not_needed"
    assert Post.objects.get(pk=post.pk).is_active  # refused whole
    actions.transfer_post(sys_a, post, unit=world.centre_a, title="值班长", roles=[R.DISPATCHER], jurisdiction=world.a)
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in desk["mine"]]).values_list("user_id", flat=True)) == {world.dispatcher_a.pk}


def test_a_transfer_refuses_a_colleague_who_cannot_act_in_the_old_unit_and_changes_nothing(world, sys_a, desk):
    post = world.dispatcher_a.posts.get()
    before = snapshot()
    with pytest.raises(Rejected) as error:
        actions.transfer_post(sys_a, post, unit=world.office_a, title="办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a, colleague=world.clerk_a)
    assert error.value.code == "handover.colleague_not_in_unit"
    assert snapshot() == before and Post.objects.get(pk=post.pk).is_active
    assert Post.objects.filter(user=world.dispatcher_a).count() == 1


def test_ending_a_persons_last_post_in_a_unit_hands_their_named_work_back_to_it(world, sys_a, desk):
    """Work addressed to someone by name in a unit where they no longer sit would wait where
    nobody can act on it: it goes back to the unit, journaled on each case; the rest is untouched."""
    before = snapshot(exclude=[a.pk for a in desk["mine"]])
    actions.end_post(sys_a, world.dispatcher_a.posts.get(), reason="调离")

    assert set(Assignment.objects.filter(pk__in=[a.pk for a in desk["mine"]]).values_list("user_id", flat=True)) == {None}
    assert snapshot(exclude=[a.pk for a in desk["mine"]]) == before
    assert journal.entries_for_case(desk["cases"][0]).filter(verb="handover", summary__contains="免职交回").exists()
