"""The workflow engine on the kernel's own test kind (casekind: an errand handed to a unit)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.assignments import Assign, inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, JournalEntry, Notification
from zhenjie.kernel.tests.casekind.workflow import ERRAND_WORKFLOW, make_errand
from zhenjie.kernel.workflow import (
    DONE, OPEN, WAITING, Phase, Workflow, available_for, extend_deadline, perform, permitted_actions, register,
)

# Every test here, the declarations' too: a test without database access is where the browser
# tests' lingering live-server threads fail to close their connections (pytest warns there).
pytestmark = pytest.mark.django_db


def take(world, errand):
    return perform(world.clerk_a, errand.case, "take", assign=[Assign(world.office_a, "answer")])


def answer(world, errand, text="已清点"):
    errand.answer = text
    errand.save(update_fields=["answer"])
    return perform(world.clerk_a, errand.case, "answer", assign=[Assign(world.gov_a, "review")], data={"answer": text})


class TestPerform:
    def test_a_transition_changes_state_replaces_assignments_and_notifies_the_next_unit(self, world):
        errand = make_errand(world)
        assert inbox_for(world.clerk_a).get().todo == "take"
        take(world, errand)
        errand.case.refresh_from_db()
        assert errand.case.state == "working" and errand.case.version == 2
        open_work = Assignment.objects.get(case=errand.case, state="open")
        assert (open_work.unit, open_work.todo) == (world.office_a, "answer")
        assert Assignment.objects.get(case=errand.case, todo="take").done_by == world.clerk_a
        assert Notification.objects.filter(user=world.clerk_a, case=errand.case).count() == 2

    def test_the_second_of_two_identical_transitions_is_a_conflict_and_changes_nothing(self, world):
        errand = make_errand(world)
        stale = Case.objects.get(pk=errand.case_id)
        take(world, errand)
        entries = JournalEntry.objects.count()
        with pytest.raises(Conflict) as error:
            perform(world.clerk_a, stale, "take", assign=[Assign(world.office_a, "answer")])
        assert (error.value.code, error.value.message) == ("case.conflict", "该事项刚被他人处理，当前为「办理中」，请刷新后查看")
        assert JournalEntry.objects.count() == entries
        assert Assignment.objects.filter(case=errand.case, state="open").count() == 1

    def test_a_stale_version_in_the_same_state_is_a_conflict(self, world):
        errand = make_errand(world)
        take(world, errand)
        answer(world, errand)
        stale = Case.objects.get(pk=errand.case_id)
        perform(world.leader_a, errand.case, "send_back", reason="台账不全", assign=[Assign(world.office_a, "answer")])
        answer(world, errand, "已补充")
        # The stale copy says "answered" with an older version: the row is answered again, but not the same row.
        with pytest.raises(Conflict) as error:
            perform(world.leader_a, stale, "accept")
        assert error.value.code == "case.conflict"

    def test_a_transition_out_of_turn_is_refused_with_the_state_named(self, world):
        errand = make_errand(world)
        with pytest.raises(Conflict) as error:
            perform(world.leader_a, errand.case, "accept")
        assert error.value.message == "该事项当前为「待签收」，不能「办结」，请刷新后查看"

    def test_someone_without_the_role_or_the_work_cannot_act(self, world):
        errand = make_errand(world)
        with pytest.raises(Forbidden) as error:
            perform(world.dispatcher_a, errand.case, "take")  # a lead, but the work is the office's
        assert error.value.message == "您没有「签收」此事项的权限"

    def test_another_townships_staff_get_not_found(self, world):
        errand = make_errand(world)
        with pytest.raises(NotFound):
            perform(world.dispatcher_b, errand.case, "drop", reason="越界")

    def test_a_declared_reason_is_required_and_limited(self, world):
        errand = make_errand(world)
        take(world, errand)
        with pytest.raises(Rejected) as error:
            perform(world.clerk_a, errand.case, "pause", reason="   ", complete="none")
        assert error.value.fields == {"reason": "「中止」须填写理由"}
        with pytest.raises(Rejected) as error:
            perform(world.clerk_a, errand.case, "pause", reason="长" * 2001, complete="none")
        assert (error.value.code, error.value.message) == ("case.reason_too_long", "理由不能超过2000字(现有2001字)")
        errand.case.refresh_from_db()
        assert errand.case.state == "working"

    def test_the_inputs_a_transition_declares_can_be_checked_before_acting(self, world):
        spec = ERRAND_WORKFLOW.transitions["answer"]
        with pytest.raises(Rejected) as error:
            spec.clean({"answer": " "})
        assert error.value.fields == {"answer": "「反馈」须填写办理结果"}
        assert spec.clean({"answer": " 已清点 "}) == {"answer": "已清点"}
        assert ERRAND_WORKFLOW.transitions["drop"].needs_reason and not spec.needs_reason

    def test_a_condition_refuses_with_its_own_words(self, world):
        errand = make_errand(world)
        take(world, errand)
        perform(world.clerk_a, errand.case, "answer", assign=[Assign(world.gov_a, "review")])  # nothing written down
        with pytest.raises(Rejected) as error:
            perform(world.leader_a, errand.case, "accept")
        assert (error.value.code, error.value.message) == ("case.condition_failed", "尚无办理结果，不能办结")

    def test_closing_stamps_the_time_and_cancels_leftover_work(self, world):
        errand = make_errand(world)
        take(world, errand)
        perform(world.leader_a, errand.case, "drop", reason="重复交办", complete="none")
        errand.case.refresh_from_db()
        assert errand.case.closed_at is not None
        assert list(Assignment.objects.filter(case=errand.case).values_list("todo", "state")) == [("take", "done"), ("answer", "cancelled")]
        assert [e.verb for e in journal.entries_for_case(errand.case)] == ["open", "take", "drop"]

    def test_complete_finishes_all_none_the_actors_or_one_todos_work(self, world):
        errand = make_errand(world)
        take(world, errand)
        Assignment.objects.create(case=errand.case, unit=world.centre_a, todo="watch")
        Assignment.objects.create(case=errand.case, unit=world.office_a, todo="photo")
        perform(world.clerk_a, errand.case, "pause", reason="等待", complete="photo")
        assert set(Assignment.objects.filter(case=errand.case, state="open").values_list("todo", flat=True)) == {"answer", "watch"}
        perform(world.clerk_a, errand.case, "resume", complete="actor")  # the office's work, not the centre's
        assert list(Assignment.objects.filter(case=errand.case, state="open").values_list("todo", flat=True)) == ["watch"]

    def test_pausing_and_resuming_moves_the_deadline_and_the_work_due_with_it(self, world):
        errand = make_errand(world, days=3)
        take(world, errand)
        case = errand.case
        due = case.due_at
        assert Assignment.objects.get(case=case, state="open").due_at == due
        perform(world.clerk_a, case, "pause", reason="等待检测", complete="none")
        case.paused_at -= timedelta(days=7)  # as if paused a week ago
        Case.objects.filter(pk=case.pk).update(paused_at=case.paused_at)
        perform(world.leader_a, case, "resume", complete="none")
        case.refresh_from_db()
        assert case.paused_at is None and case.due_at > due
        assert Assignment.objects.get(case=case, state="open").due_at == case.due_at

    def test_available_transitions_follow_role_and_state(self, world):
        errand = make_errand(world)
        assert [t.name for t in available_for(world.clerk_a, errand.case)] == ["take"]
        assert [t.name for t in available_for(world.leader_a, errand.case)] == ["drop"]
        assert available_for(world.dispatcher_b, errand.case) == []

    def test_extension_moves_the_deadline_and_open_assignments_with_it(self, world):
        errand = make_errand(world, days=5)
        before = errand.case.due_at
        extend_deadline(world.leader_a, errand.case, 3, "需协调县直部门", approved_by=world.leader_a)
        errand.case.refresh_from_db()
        assert errand.case.due_at > before and errand.case.extended_amount == 3 and errand.case.version == 2
        assert Assignment.objects.get(case=errand.case, state="open").due_at == errand.case.due_at
        entry = journal.entries_for_case(errand.case).last()
        assert (entry.verb, entry.summary, entry.data["amount"]) == ("extend", "延期3工作日", 3)
        with pytest.raises(Rejected):
            extend_deadline(world.leader_a, errand.case, 0, "x", approved_by=world.leader_a)


class TestWhatSomeoneMayDo:
    def test_transitions_and_other_actions_come_from_one_call(self, world):
        errand = make_errand(world)
        take(world, errand)
        leader = permitted_actions(world.leader_a, errand.case)
        assert list(leader.transitions) == ["drop"] and list(leader.actions) == ["remind", "notice", "call"]
        clerk = permitted_actions(world.clerk_a, errand.case)
        assert list(clerk.transitions) == ["pause", "answer"] and list(clerk.actions) == ["request_extension"]
        assert "answer" in clerk and "remind" not in clerk
        assert clerk.listed() == [{"name": "pause", "label": "中止"}, {"name": "answer", "label": "反馈"}, {"name": "request_extension", "label": "申请延期"}]
        assert permitted_actions(world.dispatcher_b, errand.case).listed() == []

    def test_the_action_refuses_with_the_rule_the_page_read(self, world):
        errand = make_errand(world)
        with pytest.raises(Forbidden) as error:
            ERRAND_WORKFLOW.require(world.clerk_a, errand.case, "remind")
        assert error.value.code == "errand.remind_not_allowed"
        ERRAND_WORKFLOW.require(world.leader_a, errand.case, "remind")
        perform(world.leader_a, errand.case, "drop", reason="不再需要")
        errand.case.refresh_from_db()
        with pytest.raises(Conflict) as error:
            ERRAND_WORKFLOW.require(world.leader_a, errand.case, "remind")
        assert error.value.message == "事项不在承办单位手中，无需催办"
        assert "remind" not in permitted_actions(world.leader_a, errand.case)

    def test_asking_costs_one_query_for_the_open_work(self, world, django_assert_num_queries):
        errand = make_errand(world)
        case = Case.objects.select_related("area").get(pk=errand.case_id)
        permitted_actions(world.clerk_a, case)  # reads the clerk's reach once; it stays on the user
        with django_assert_num_queries(1):
            permitted = permitted_actions(world.clerk_a, case)
        assert list(permitted.transitions) == ["take"]


class TestDeclarations:
    def test_the_test_kind_declares_its_phases_in_groups(self):
        assert ERRAND_WORKFLOW.states_in(WAITING) == ["new", "working", "paused"]
        assert ERRAND_WORKFLOW.states_in(DONE) == ["done", "dropped"]
        assert ERRAND_WORKFLOW.phase_of("paused") == "working" and ERRAND_WORKFLOW.phase_states("review") == ["answered"]

    def test_without_phases_each_state_is_its_own_and_closing_states_are_done(self):
        workflow = Workflow("scratch", "草稿", {"a": "甲", "b": "乙"}, "a").add("finish", "完成", ["a"], "b", closes=True)
        workflow.check()
        assert workflow.phases == {"a": Phase("甲", ("a",), OPEN), "b": Phase("乙", ("b",), DONE)}

    @pytest.mark.parametrize("phases, problem", [
        ({"all": Phase("全部", ("a",))}, "exactly one phase"),
        ({"all": Phase("全部", ("a", "b"))}, "close the case exactly when"),
        ({"x": Phase("甲", ("a",), "later"), "y": Phase("乙", ("b",), DONE)}, "group"),
    ])
    def test_a_workflow_that_cannot_work_is_refused_at_start_up(self, phases, problem):
        workflow = Workflow("broken", "坏的", {"a": "甲", "b": "乙"}, "a", phases=phases).add("finish", "完成", ["a"], "b", closes=True)
        with pytest.raises(ValueError, match=problem):
            register(workflow)

    def test_a_may_rule_cannot_take_a_transitions_name(self):
        workflow = Workflow("clash", "冲突", {"a": "甲"}, "a").add("go", "走", ["a"], "a")
        with pytest.raises(ValueError):
            workflow.may("go", "走", lambda standing: None)


def test_without_a_prefix_the_numbering_unit_names_the_case(world):
    errand = make_errand(world)
    assert errand.case.number == f"甲镇人民政府〔{timezone.localtime().year}〕第1号"
    world.gov_a.short_name = "甲镇"
    world.gov_a.save()
    assert make_errand(world).case.number.startswith("甲镇〔")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_one_wins_and_one_gets_a_conflict():
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    from zhenjie.testing import make_user, make_world

    world = make_world()
    second_clerk = make_user("clerk_a2", world.office_a, ["back_office_handler"], world.a)
    errand = make_errand(world)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(user):
        try:
            mine = Case.objects.select_related("area").get(pk=errand.case_id)
            barrier.wait()
            perform(user, mine, "take", assign=[Assign(world.office_a, "answer")])
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
    assert JournalEntry.objects.filter(case=errand.case, verb="take").count() == 1
    assert Assignment.objects.filter(case=errand.case, todo="answer").count() == 1
