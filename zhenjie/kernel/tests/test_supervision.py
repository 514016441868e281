from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.kernel import supervision
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.models import Assignment, Case, JournalEntry, Notification, SupervisionPolicy
from zhenjie.kernel.workflow import extend_deadline, perform, permitted_actions
from zhenjie.kernel.tests.casekind.workflow import make_errand

pytestmark = pytest.mark.django_db


def level(case) -> str:
    return Case.objects.get(pk=case.pk).alert


def notes(user, case) -> list[str]:
    return list(Notification.objects.filter(user=user, case=case).order_by("pk").values_list("title", flat=True))


def test_the_sweep_turns_a_case_yellow_then_red_and_tells_the_leader_once(world):
    errand = make_errand(world, days=3)
    due = Case.objects.get(pk=errand.case_id).due_at
    before = notes(world.clerk_a, errand.case)

    assert supervision.sweep(now=due - timedelta(hours=30)) == {
        "yellow": 0, "red": 0, "cleared": 0, "work_yellow": 0, "work_red": 0, "work_cleared": 0, "office": 0,
    }
    supervision.sweep(now=due - timedelta(hours=10))
    assert level(errand.case) == "yellow"
    assert notes(world.clerk_a, errand.case)[len(before):] == [f"【黄牌督办】{errand.case.title}"]
    assert notes(world.leader_a, errand.case) == []  # yellow goes to the handler only

    supervision.sweep(now=due + timedelta(minutes=1))
    assert level(errand.case) == "red"
    for later in (2, 3, 48):
        supervision.sweep(now=due + timedelta(hours=later))
    assert notes(world.leader_a, errand.case) == [f"【红牌督办】{errand.case.title}"]
    assert notes(world.leader_b, errand.case) == []
    assert JournalEntry.objects.filter(case=errand.case, verb="supervise").count() == 2
    # Its "take" work, due with the case, is carded too, without telling the same people again.
    assert Assignment.objects.get(case=errand.case, todo="take").alert == "red"


def test_the_warning_period_is_the_countys_setting(world):
    SupervisionPolicy.objects.create(county=world.county, yellow_hours=72)
    errand = make_errand(world, days=5)
    due = Case.objects.get(pk=errand.case_id).due_at
    supervision.sweep(now=due - timedelta(hours=60))
    assert level(errand.case) == "yellow"


def test_an_extension_takes_the_card_off(world):
    errand = make_errand(world, days=3)
    due = Case.objects.get(pk=errand.case_id).due_at
    supervision.sweep(now=due + timedelta(hours=1))
    assert level(errand.case) == "red"
    extend_deadline(world.leader_a, Case.objects.get(pk=errand.case_id), 10, "等待检测结果", approved_by=world.leader_a)
    supervision.sweep(now=due + timedelta(hours=2))
    assert level(errand.case) == ""


def test_closed_and_paused_cases_are_not_carded(world):
    closed = make_errand(world, days=1)
    perform(world.leader_a, closed.case, "drop", reason="不再需要")
    paused = make_errand(world, days=1, title="暂停的")
    perform(world.clerk_a, paused.case, "take", assign=[Assign(world.office_a, "answer")])
    perform(world.clerk_a, paused.case, "pause", reason="等待检测", complete="none")
    supervision.sweep(now=timezone.now() + timedelta(days=30))
    assert level(closed.case) == "" and level(paused.case) == ""


def test_a_leader_cards_a_case_by_hand_and_others_may_not(world):
    errand = make_errand(world)
    supervision.issue_notice(world.leader_a, errand.case, "red", "请于今日下班前反馈进展")
    assert level(errand.case) == "red"
    assert "【红牌督办】" in notes(world.clerk_a, errand.case)[-1]
    with pytest.raises(Forbidden):
        supervision.issue_notice(world.leader_b, errand.case, "yellow", "越界督办")
    with pytest.raises(Forbidden):
        supervision.issue_notice(world.clerk_a, errand.case, "yellow", "不是领导")


def test_whoever_the_notice_rule_allows_sees_it_offered_and_may_issue_it(world):
    errand = make_errand(world)
    for person, offered in ((world.leader_a, True), (world.county_admin, True), (world.dispatcher_a, False), (world.leader_b, False)):
        assert ("notice" in permitted_actions(person, errand.case)) is offered
    supervision.issue_notice(world.county_admin, errand.case, "yellow", "县里关注")
    perform(world.leader_a, errand.case, "drop", reason="不再需要")
    errand.case.refresh_from_db()
    assert "notice" not in permitted_actions(world.leader_a, errand.case)
    with pytest.raises(Conflict) as error:
        supervision.issue_notice(world.leader_a, errand.case, "red", "已关闭还督办")
    assert error.value.message == "该事项已办结，无需督办"
