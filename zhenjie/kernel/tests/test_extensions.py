"""Extension with approval (kernel/extensions.py) on a kind that is not events: the test-only
errand declares "request_extension" and "decide_extension"; the kernel applies them."""

import pytest

from zhenjie.testing import api  # noqa: F401  (fixture)
from zhenjie.kernel import extensions
from zhenjie.kernel.assignments import Assign, inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Case, Extension, JournalEntry
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform, permitted_actions

pytestmark = pytest.mark.django_db


def working(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take", assign=[Assign(world.office_a, "answer")])
    return Case.objects.get(pk=errand.case_id)


def test_the_unit_asks_a_leader_decides_and_the_deadline_moves(world):
    case = working(world)
    assert "request_extension" not in permitted_actions(world.leader_a, case)  # not the leader's to ask
    with pytest.raises(Rejected):
        extensions.request_extension(world.clerk_a, case, 31, "检测排期")
    before = case.due_at
    request = extensions.request_extension(world.clerk_a, case, 3, "检测机构排期")
    with pytest.raises(Conflict):
        extensions.request_extension(world.clerk_a, case, 2, "再申请")
    assert "approve_extension" in [a.todo for a in inbox_for(world.leader_a)]
    with pytest.raises(Forbidden):
        extensions.decide_extension(world.clerk_a, request, True)
    extensions.decide_extension(world.leader_a, request, True, "同意")
    with pytest.raises(Conflict):
        extensions.decide_extension(world.leader_a, request, False)
    case.refresh_from_db()
    assert case.due_at > before and Extension.objects.get().state == Extension.State.APPROVED
    assert list(JournalEntry.objects.filter(case=case, verb__in=["extension_request", "extend"]).values_list("verb", flat=True)) == ["extension_request", "extend"]


def test_a_kind_that_declares_no_extension_refuses_it(world):
    from zhenjie.testing import make_task

    task = make_task(world)
    with pytest.raises(Forbidden):
        extensions.request_extension(world.clerk_a, task.case, 2, "检测排期")


def test_the_case_api_serves_any_kind(api, world):
    case = working(world)
    asked = api.as_("clerk_a").post(f"/api/cases/{case.pk}/extensions", {"amount": 2, "reason": "检测机构排期"})
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    assert api.as_("dispatcher_b").post(f"/api/cases/{case.pk}/extensions", {"amount": 2, "reason": "x"}).status_code == 404
    decide = f"/api/cases/{case.pk}/extensions/{asked.json()['id']}/decide"
    assert api.as_("clerk_a").post(decide, {"approve": True}).status_code == 403
    denied = api.as_("leader_a").post(decide, {"approve": False, "note": "请按期办结"})
    assert denied.status_code == 200 and denied.json()["state"] == "denied"
    assert api.post(f"/api/cases/{case.pk}/extensions/999999/decide", {"approve": True}).status_code == 404
