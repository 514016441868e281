import threading

import pytest
from django.db import connection, connections

from zhenjie.kernel import journal
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, JournalEntry, Notification
from zhenjie.kernel.workflow import available_for, extend_deadline, perform
from zhenjie.tasks import actions
from zhenjie.tasks.models import Task
from zhenjie.testing import make_task


@pytest.mark.django_db
class TestPerform:
    def test_a_transition_changes_state_replaces_assignments_and_notifies_the_next_unit(self, world):
        task = make_task(world)
        assert inbox_for(world.clerk_a).get().todo == "acknowledge"
        actions.acknowledge_task(world.clerk_a, task)
        task.case.refresh_from_db()
        assert task.case.state == "acknowledged" and task.case.version == 2
        open_work = Assignment.objects.get(case=task.case, state="open")
        assert (open_work.unit, open_work.todo) == (world.office_a, "report_back")
        assert Assignment.objects.get(case=task.case, todo="acknowledge").done_by == world.clerk_a
        assert Notification.objects.filter(user=world.clerk_a, case=task.case).count() == 2

    def test_the_second_of_two_identical_transitions_is_a_conflict_and_changes_nothing(self, world):
        task = make_task(world)
        stale = Task.objects.select_related("case").get(pk=task.pk)
        actions.acknowledge_task(world.clerk_a, task)
        entries = JournalEntry.objects.count()
        with pytest.raises(Conflict) as error:
            actions.acknowledge_task(world.clerk_a, stale)
        assert (error.value.code, error.value.message) == ("case.conflict", "该事项刚被他人处理，当前为「办理中」，请刷新后查看")
        assert JournalEntry.objects.count() == entries
        assert Assignment.objects.filter(case=task.case, state="open").count() == 1

    def test_a_stale_version_in_the_same_state_is_a_conflict(self, world):
        task = make_task(world)
        actions.acknowledge_task(world.clerk_a, task)
        actions.report_task(world.clerk_a, task, "已完成")
        stale = Case.objects.get(pk=task.case_id)
        actions.return_task(world.leader_a, task, "台账不全")
        actions.report_task(world.clerk_a, Task.objects.get(pk=task.pk), "已补充")
        # The stale copy says "reported" with an older version: the row is reported again, but not the same row.
        with pytest.raises(Conflict) as error:
            perform(world.leader_a, stale, "close")
        assert error.value.code == "case.conflict"

    def test_a_transition_out_of_turn_is_refused_with_the_state_named(self, world):
        task = make_task(world)
        with pytest.raises(Conflict) as error:
            actions.close_task(world.leader_a, task)
        assert "「待签收」" in error.value.message and "「办结」" in error.value.message

    def test_someone_without_the_role_cannot_act(self, world):
        task = make_task(world)
        with pytest.raises(Forbidden):
            actions.acknowledge_task(world.dispatcher_a, task)  # not in the assigned unit

    def test_another_townships_staff_get_not_found(self, world):
        task = make_task(world)
        with pytest.raises(NotFound):
            actions.acknowledge_task(world.dispatcher_b, task)

    def test_return_needs_a_reason(self, world):
        task = make_task(world)
        actions.acknowledge_task(world.clerk_a, task)
        actions.report_task(world.clerk_a, task, "已完成")
        with pytest.raises(Rejected) as error:
            actions.return_task(world.leader_a, task, "   ")
        assert error.value.fields == {"reason": "「退回重办」须填写理由"}
        task.case.refresh_from_db()
        assert task.case.state == "reported"

    def test_closing_stamps_the_time_and_cancels_leftover_work(self, world):
        task = make_task(world)
        actions.acknowledge_task(world.clerk_a, task)
        actions.report_task(world.clerk_a, task, "完成")
        actions.close_task(world.leader_a, task)
        task.case.refresh_from_db()
        assert task.case.closed_at is not None
        assert not Assignment.objects.filter(case=task.case, state="open").exists()
        assert [e.verb for e in journal.entries_for_case(task.case)] == ["open", "acknowledge", "report_back", "close"]

    def test_available_transitions_follow_role_and_state(self, world):
        task = make_task(world)
        assert [t.name for t in available_for(world.clerk_a, task.case)] == ["acknowledge"]
        assert [t.name for t in available_for(world.leader_a, task.case)] == ["cancel"]
        assert available_for(world.dispatcher_b, task.case) == []

    def test_extension_moves_the_deadline_and_open_assignments_with_it(self, world):
        task = make_task(world, days=5)
        before = task.case.due_at
        extend_deadline(world.leader_a, task.case, 3, "需协调县直部门", approved_by=world.leader_a)
        task.case.refresh_from_db()
        assert task.case.due_at > before and task.case.extended_amount == 3
        assert Assignment.objects.get(case=task.case, state="open").due_at == task.case.due_at
        with pytest.raises(Rejected):
            extend_deadline(world.leader_a, task.case, 0, "x", approved_by=world.leader_a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_one_wins_and_one_gets_a_conflict():
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    from zhenjie.testing import make_user, make_world

    world = make_world()
    second_clerk = make_user("clerk_a2", world.office_a, ["back_office_handler"], world.a)
    task = make_task(world)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(user):
        try:
            mine = Task.objects.select_related("case", "assignee_unit", "issued_by_unit").get(pk=task.pk)
            barrier.wait()
            actions.acknowledge_task(user, mine)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in (world.clerk_a, second_clerk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert JournalEntry.objects.filter(case=task.case, verb="acknowledge").count() == 1
    assert Assignment.objects.filter(case=task.case, todo="report_back").count() == 1
