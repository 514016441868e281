from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel import supervision
from zhenjie.kernel.errors import Forbidden
from zhenjie.kernel.models import Case, JournalEntry, Notification, SupervisionPolicy
from zhenjie.kernel.workflow import extend_deadline
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def level(case) -> str:
    return Case.objects.get(pk=case.pk).alert


def notes(user, case) -> list[str]:
    return list(Notification.objects.filter(user=user, case=case).order_by("pk").values_list("title", flat=True))


def test_the_sweep_turns_a_case_yellow_then_red_and_tells_the_leader_once(world):
    task = make_task(world, days=3)
    due = Case.objects.get(pk=task.case_id).due_at
    before = notes(world.clerk_a, task.case)

    assert supervision.sweep(now=due - timedelta(hours=30)) == {"yellow": 0, "red": 0, "cleared": 0}
    supervision.sweep(now=due - timedelta(hours=10))
    assert level(task.case) == "yellow"
    assert notes(world.clerk_a, task.case)[len(before):] == [f"【黄牌督办】{task.case.title}"]
    assert notes(world.leader_a, task.case) == []  # yellow goes to the handler only

    supervision.sweep(now=due + timedelta(minutes=1))
    assert level(task.case) == "red"
    for later in (2, 3, 48):
        supervision.sweep(now=due + timedelta(hours=later))
    assert notes(world.leader_a, task.case) == [f"【红牌督办】{task.case.title}"]
    assert notes(world.leader_b, task.case) == []
    assert JournalEntry.objects.filter(case=task.case, verb="supervise").count() == 2


def test_the_warning_period_is_the_countys_setting(world):
    SupervisionPolicy.objects.create(county=world.county, yellow_hours=72)
    task = make_task(world, days=5)
    due = Case.objects.get(pk=task.case_id).due_at
    supervision.sweep(now=due - timedelta(hours=60))
    assert level(task.case) == "yellow"


def test_an_extension_takes_the_card_off(world):
    task = make_task(world, days=3)
    due = Case.objects.get(pk=task.case_id).due_at
    supervision.sweep(now=due + timedelta(hours=1))
    assert level(task.case) == "red"
    extend_deadline(world.leader_a, Case.objects.get(pk=task.case_id), 10, "等待检测结果", approved_by=world.leader_a)
    supervision.sweep(now=due + timedelta(hours=2))
    assert level(task.case) == ""


def test_closed_and_paused_cases_are_not_carded(world):
    from zhenjie.tasks.actions import acknowledge_task, close_task, report_task

    task = make_task(world, days=1)
    acknowledge_task(world.clerk_a, task)
    report_task(world.clerk_a, task, "完成")
    close_task(world.leader_a, task)
    supervision.sweep(now=timezone.now() + timedelta(days=30))
    assert level(task.case) == ""


def test_a_leader_cards_a_case_by_hand_and_others_may_not(world):
    task = make_task(world)
    supervision.issue_notice(world.leader_a, task.case, "red", "请于今日下班前反馈进展")
    assert level(task.case) == "red"
    assert "【红牌督办】" in notes(world.clerk_a, task.case)[-1]
    with pytest.raises(Forbidden):
        supervision.issue_notice(world.leader_b, task.case, "yellow", "越界督办")
    with pytest.raises(Forbidden):
        supervision.issue_notice(world.clerk_a, task.case, "yellow", "不是领导")
