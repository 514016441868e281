"""乡呼县应 on a case that is not an event: the test-only errand declares the "call" rule; the
calls app does the rest — the action, the API for any kind, the call's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.calls import actions
from zhenjie.calls.models import Call
from zhenjie.testing import api  # noqa: F401  (fixture)
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.models import SupervisionPolicy
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def test_a_township_leader_calls_a_department_on_an_errand_and_the_liaison_answers(client, world):
    errand = make_errand(world)
    with pytest.raises(Forbidden):
        actions.call_departments(world.clerk_a, errand.case, [world.police], "请协助清点", 3)
    [call] = actions.call_departments(world.leader_a, errand.case, [world.police], "请协助清点", 3)
    assert call.case.parent_id == errand.case_id and call.caller_unit == world.gov_a
    actions.acknowledge_call(world.liaison, call)
    actions.report_call(world.liaison, call, "已派员协助")
    actions.confirm_call(world.leader_a, call)
    assert Call.objects.get(pk=call.pk).case.state == "confirmed"
    client.force_login(world.liaison)
    page = client.get(reverse("calls:detail", args=[call.case_id])).content.decode()
    assert "呼叫所涉事项" in page and errand.case.number in page


def test_a_call_on_an_errand_is_due_for_a_response_after_the_countys_response_time(world):
    SupervisionPolicy.objects.create(county=world.county, call_acknowledge_hours=5)
    before = timezone.now()
    [call] = actions.call_departments(world.leader_a, make_errand(world).case, [world.police], "请协助清点", 3)
    assert before + timedelta(hours=5) <= call.acknowledge_due <= timezone.now() + timedelta(hours=5)


def test_a_closed_errand_takes_no_call_and_a_kind_without_the_rule_none(world):
    errand = make_errand(world)
    perform(world.leader_a, errand.case, "drop", reason="不再需要")
    with pytest.raises(Conflict, match="测试事项已办结或已关闭"):
        actions.call_departments(world.leader_a, errand.case, [world.police], "请协助", 3)
    with pytest.raises(Forbidden):
        actions.call_departments(world.leader_a, make_task(world).case, [world.police], "请协助", 3)


def test_the_case_api_calls_on_any_kind(api, world):
    errand = make_errand(world)
    made = api.as_("leader_a").post(f"/api/cases/{errand.case_id}/calls",
                                    {"department_ids": [world.police.pk], "request": "请协助清点", "working_days": 3})
    assert made.status_code == 201, made.content
    [seen] = made.json()
    assert seen["parent"] == {"id": errand.case_id, "number": errand.case.number, "kind": "errand", "title": errand.case.title}
    assert seen["event"] is None
    assert api.as_("liaison").get(f"/api/calls/{seen['id']}").status_code == 200
    assert api.as_("dispatcher_b").post(f"/api/cases/{errand.case_id}/calls",
                                        {"department_ids": [world.police.pk], "request": "x", "working_days": 3}).status_code == 404
