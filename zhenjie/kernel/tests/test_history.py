from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel import deadlines, journal
from zhenjie.kernel.assignments import Assign, inbox_for
from zhenjie.kernel.history import HistoryError, PastCase, Step, replay
from zhenjie.kernel.models import Assignment, Case, JournalEntry, JournalHead, NumberSeries
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def past_task(world, opened, steps, title="清理河道垃圾"):
    case = Case(kind="task", title=title, area=world.a, owner_unit=world.office_a, opened_at=opened, created_by=world.leader_a)
    deadlines.start(case, deadlines.Limit(5), opened)
    return PastCase(case, world.gov_a, assign=[Assign(world.office_a, "acknowledge")], steps=steps)


def test_a_past_case_lands_with_its_states_work_and_journal_at_the_times_it_happened(world):
    opened = timezone.now() - timedelta(days=40)
    done = past_task(world, opened, [
        Step(opened + timedelta(hours=1), world.clerk_a, "acknowledge", assign=[Assign(world.office_a, "report_back")]),
        Step(opened + timedelta(days=2), world.clerk_a, "report_back", assign=[Assign(world.gov_a, "review")]),
        Step(opened + timedelta(days=3), world.leader_a, "close"),
    ])
    waiting = past_task(world, opened + timedelta(days=1), [
        Step(opened + timedelta(days=1, hours=2), world.clerk_a, "acknowledge", assign=[Assign(world.office_a, "report_back")]),
    ], title="排查危房")
    replay([done, waiting])

    closed = Case.objects.get(pk=done.case.pk)
    assert (closed.state, closed.version, closed.closed_at) == ("closed", 4, opened + timedelta(days=3))
    assert list(Assignment.objects.filter(case=closed).values_list("todo", "state", "done_by")) == [
        ("acknowledge", "done", world.clerk_a.pk), ("report_back", "done", world.clerk_a.pk), ("review", "done", world.leader_a.pk),
    ]
    timeline = list(journal.entries_for_case(closed).values_list("verb", "from_state", "to_state", "created_at"))
    assert timeline == [
        ("open", "", "assigned", opened),
        ("acknowledge", "assigned", "acknowledged", opened + timedelta(hours=1)),
        ("report_back", "acknowledged", "reported", opened + timedelta(days=2)),
        ("close", "reported", "closed", opened + timedelta(days=3)),
    ]
    # The open one is in the office's inbox, due when its deadline says.
    open_work = inbox_for(world.clerk_a).get(case_id=waiting.case.pk)
    assert open_work.todo == "report_back" and open_work.due_at == Case.objects.get(pk=waiting.case.pk).due_at
    assert journal.verify() == []


def test_numbers_stay_gapless_between_live_and_past_cases_and_the_chain_goes_on(world):
    live = make_task(world)  # 第1号 of this year, from the live path
    opened = timezone.now() - timedelta(minutes=30)
    past = past_task(world, opened, [])
    replay([past])
    after = make_task(world, title="排查燃气")
    numbers = [c.number for c in Case.objects.filter(kind="task").order_by("pk")]
    year = timezone.localtime().year
    assert numbers == [live.case.number, past.case.number, after.case.number]
    assert [n.split("第")[-1] for n in numbers] == ["1号", "2号", "3号"] and all(f"〔{year}〕" in n for n in numbers)
    assert journal.verify() == []


def test_a_step_its_workflow_does_not_allow_writes_nothing_at_all(world):
    opened = timezone.now() - timedelta(days=3)
    good = past_task(world, opened, [Step(opened + timedelta(hours=1), world.clerk_a, "acknowledge")])
    # Closing straight from "assigned" is not a transition of tasks.
    bad = past_task(world, opened, [Step(opened + timedelta(hours=2), world.leader_a, "close")], title="错误的历史")
    before = (Case.objects.count(), JournalEntry.objects.count(), NumberSeries.objects.count(), list(JournalHead.objects.values_list("seq")))
    with pytest.raises(HistoryError, match="时不能「close」"):
        replay([good, bad])
    assert (Case.objects.count(), JournalEntry.objects.count(), NumberSeries.objects.count(), list(JournalHead.objects.values_list("seq"))) == before


def test_steps_out_of_time_order_are_refused(world):
    opened = timezone.now() - timedelta(days=3)
    past = past_task(world, opened, [Step(opened - timedelta(hours=1), world.clerk_a, "acknowledge")])
    with pytest.raises(HistoryError, match="早于前一步"):
        replay([past])
    assert not Case.objects.exists()


def test_closing_cancels_open_work_and_an_extension_moves_the_open_work_due(world):
    opened = timezone.now() - timedelta(days=2)
    cancelled = past_task(world, opened, [Step(opened + timedelta(hours=3), world.leader_a, "cancel", note="重复交办", complete="none")])
    extended = past_task(world, opened, [
        Step(opened + timedelta(hours=1), world.clerk_a, "acknowledge", assign=[Assign(world.office_a, "report_back")]),
        Step(opened + timedelta(hours=5), world.leader_a, "extend", journal_only=True, summary="延期3工作日",
             before_save=lambda case: deadlines.extend(case, 3)),
    ], title="排查危房")
    replay([cancelled, extended])
    assert Assignment.objects.get(case=cancelled.case).state == "cancelled"
    case = Case.objects.get(pk=extended.case.pk)
    assert case.extended_amount == 3 and case.state == "acknowledged" and case.version == 2
    assert Assignment.objects.get(case=case, state="open").due_at == case.due_at
    assert journal.verify() == []
