"""A task's life through its actions: handed to a unit, signed for, reported back, closed or sent
back; what the issuing side may and may not do. The engine itself is tested on the kernel's own
test kind (kernel/tests/casekind)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment
from zhenjie.tasks import actions
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def test_a_task_goes_to_the_unit_back_to_the_issuer_and_closes(world):
    task = make_task(world)
    assert task.case.number == f"甲镇交〔{timezone.localtime().year}〕第1号"
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["acknowledge"]
    actions.acknowledge_task(world.clerk_a, task)
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["report_back"]
    actions.report_task(world.clerk_a, task, "  已排查完毕  ")
    task.refresh_from_db()
    assert task.result == "已排查完毕"
    assert [(a.unit, a.todo) for a in Assignment.objects.filter(case=task.case, state="open")] == [(world.gov_a, "review")]
    actions.close_task(world.leader_a, task)
    task.case.refresh_from_db()
    assert task.case.state == "closed" and task.case.closed_at is not None
    assert [e.verb for e in journal.entries_for_case(task.case)] == ["open", "acknowledge", "report_back", "close"]


def test_a_report_without_a_result_is_refused_by_the_declared_input(world):
    task = make_task(world)
    actions.acknowledge_task(world.clerk_a, task)
    with pytest.raises(Rejected) as error:
        actions.report_task(world.clerk_a, task, "   ")
    assert error.value.fields == {"result": "「反馈」须填写办理结果"}
    task.case.refresh_from_db()
    assert task.case.state == "acknowledged"


def test_sending_back_needs_a_reason_and_gives_the_unit_the_work_again(world):
    task = make_task(world)
    actions.acknowledge_task(world.clerk_a, task)
    actions.report_task(world.clerk_a, task, "已完成")
    with pytest.raises(Rejected) as error:
        actions.return_task(world.leader_a, task, " ")
    assert error.value.fields == {"reason": "「退回重办」须填写理由"}
    actions.return_task(world.leader_a, task, "台账不全")
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["report_back"]


def test_only_the_issuing_side_closes_and_only_the_unit_signs(world):
    task = make_task(world)
    with pytest.raises(Forbidden):
        actions.acknowledge_task(world.dispatcher_a, task)  # not in the assigned unit
    with pytest.raises(NotFound):
        actions.acknowledge_task(world.dispatcher_b, task)  # another township
    with pytest.raises(Conflict):
        actions.close_task(world.leader_a, task)  # not reported back yet


def test_who_may_hand_work_to_whom(world):
    with pytest.raises(Forbidden):
        actions.assign_task(world.clerk_a, title="x", description="x", assignee_unit=world.office_a, working_days=3)
    with pytest.raises(Rejected) as error:
        actions.assign_task(world.leader_a, title="x", description="x", assignee_unit=world.gov_b, working_days=3)
    assert error.value.field == "assignee_unit"
    with pytest.raises(Rejected) as error:
        actions.assign_task(world.leader_a, title="x", description="x", assignee_unit=world.office_a, working_days=0)
    assert error.value.field == "working_days"


def test_the_list_filters_by_the_workflows_phases(client, world):
    waiting = make_task(world, title="待签收的")
    answered = make_task(world, title="已反馈的")
    actions.acknowledge_task(world.clerk_a, answered)
    actions.report_task(world.clerk_a, answered, "完成")
    client.force_login(world.leader_a)
    page = client.get(reverse("tasks:list"), {"phase": "review"}).content.decode()
    assert answered.case.title in page and waiting.case.title not in page
    page = client.get(reverse("tasks:list"), {"phase": "assigned"}).content.decode()
    assert waiting.case.title in page and answered.case.title not in page
    assert '<option value="assigned" selected>待签收</option>' in page and '<option value="closed" >已关闭</option>' in page
