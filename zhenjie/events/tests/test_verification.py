"""Verification by someone else (issue 14 item 1): the person who handled an event and anyone
acting for the handling unit cannot verify it — not by the action, the page or the API — and the
buttons do not offer it; the verification goes to the grid's worker unless that worker is of the
handling unit, then to the command centre; the dispatcher may name another verifier of the
township outside the handling unit. A failed verification records one rework (item 2)."""

import pytest
from django.urls import reverse

from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Assignment, Case, JournalEntry, Rework
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def reported_back(world, unit, handler):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=unit, reason="由该单位处置")
    actions.acknowledge_event(handler, event)
    actions.start_handling(handler, event)
    actions.report_back(handler, event, "已清运")
    return Event.objects.select_related("case").get(pk=event.pk)


def open_verify(event):
    return list(Assignment.objects.filter(case=event.case, todo="verify", state="open").values_list("unit_id", "user_id", "role"))


def test_when_the_grid_worker_is_of_the_handling_unit_the_command_centre_verifies_and_the_unit_cannot(world):
    # The village committee handles it (its village agent); its own grid worker may not check it.
    event = reported_back(world, world.committee_a, world.agent_a)
    assert open_verify(event) == [(world.centre_a.pk, None, "dispatcher")]
    assert not inbox_for(world.grid_worker_a).filter(todo="verify").exists()
    for person, code in ((world.grid_worker_a, "event.verify_own_unit"), (world.agent_a, "event.verify_own_unit")):
        permitted = permitted_actions(person, event.case)
        assert "verify_pass" not in permitted and "verify_fail" not in permitted
        with pytest.raises(Forbidden) as error:
            actions.verify_event(person, event, passed=True)
        assert (error.value.code, error.value.message) == (code, "处置单位不能核查本单位办理的事件，请由网格员或指挥中心核查")
    assert Case.objects.get(pk=event.case_id).state == "reported_back"
    assert not JournalEntry.objects.filter(case=event.case, verb__startswith="verify").exists()
    assert {"verify_pass", "verify_fail"} <= set(permitted_actions(world.dispatcher_a, event.case).transitions)
    actions.verify_event(world.dispatcher_a, event, passed=True, note="现场已清理")
    assert Case.objects.get(pk=event.case_id).state == "verified"


def test_the_handling_units_own_dispatcher_cannot_verify_its_work(world):
    # The command centre handled it itself: its dispatcher is of the handling unit; the leader checks.
    event = reported_back(world, world.centre_a, world.dispatcher_a)
    with pytest.raises(Forbidden):
        actions.verify_event(world.dispatcher_a, event, passed=True)
    actions.verify_event(world.leader_a, event, passed=True)
    assert Case.objects.get(pk=event.case_id).state == "verified"


def test_the_handler_unit_cannot_verify_on_the_page_or_over_the_api(client, api, world):
    event = reported_back(world, world.committee_a, world.agent_a)
    client.force_login(world.grid_worker_a)
    page = client.get(reverse("events:detail", args=[event.case_id])).content.decode()
    assert "现场核查" not in page and "提交核查结论" not in page
    # The page shows the refusal on the sheet again, as every refused step (workbench.kit.act).
    refused = client.post(reverse("events:act", args=[event.case_id, "verify"]), {"passed": "1", "note": ""})
    assert "处置单位不能核查本单位办理的事件，请由网格员或指挥中心核查" in refused.content.decode()
    api.as_("grid_worker_a")
    assert not {"verify_pass", "verify_fail"} & {a["name"] for a in api.get(f"/api/events/{event.case_id}").json()["actions"]}
    answer = api.post(f"/api/events/{event.case_id}/verify", {"passed": False, "note": "自查"})
    assert answer.status_code == 403 and answer.json()["message"] == "处置单位不能核查本单位办理的事件，请由网格员或指挥中心核查"
    assert Case.objects.get(pk=event.case_id).state == "reported_back" and not Rework.objects.exists()


def test_a_failed_verification_records_one_rework_on_the_handling_unit_in_the_same_step(world):
    event = reported_back(world, world.office_a, world.clerk_a)
    assert open_verify(event) == [(world.committee_a.pk, world.grid_worker_a.pk, "")]
    actions.verify_event(world.grid_worker_a, event, passed=False, note="仍有残留垃圾")
    rework = Rework.objects.get()
    assert (rework.case_id, rework.unit, rework.reason, rework.actor, rework.note) == (
        event.case_id, world.office_a, "verify_fail", world.grid_worker_a, "仍有残留垃圾")
    verbs = list(JournalEntry.objects.filter(case=event.case).order_by("seq").values_list("verb", flat=True))
    assert verbs[-2:] == ["verify_fail", "rework"]
    # A refused failure (a stale copy: someone verified first) records nothing.
    actions.report_back(world.clerk_a, event, "已彻底清理")
    stale = Event.objects.select_related("case").get(pk=event.pk)
    actions.verify_event(world.grid_worker_a, Event.objects.select_related("case").get(pk=event.pk), passed=True)
    with pytest.raises(Conflict):
        actions.verify_event(world.grid_worker_a, stale, passed=False, note="再次不通过")
    assert Rework.objects.count() == 1


def test_the_dispatcher_names_another_verifier_outside_the_handling_unit(client, world):
    event = reported_back(world, world.committee_a, world.agent_a)
    assert "assign_verifier" in permitted_actions(world.dispatcher_a, event.case)
    assert "assign_verifier" not in permitted_actions(world.clerk_a, event.case)
    candidates = set(actions.verifier_candidates(event).values_list("username", flat=True))
    assert {"clerk_a", "dispatcher_a", "leader_a"} <= candidates
    assert not candidates & {"grid_worker_a", "agent_a", "dispatcher_b", "leader_b", "liaison"}
    with pytest.raises(Rejected) as error:
        actions.assign_verifier(world.dispatcher_a, event, world.grid_worker_a.pk)  # of the handling unit
    assert error.value.message == "核查人须为本乡镇(街道)处置单位以外的在岗人员"
    with pytest.raises(Rejected):
        actions.assign_verifier(world.dispatcher_a, event, world.dispatcher_b.pk)  # another township
    with pytest.raises(Forbidden):
        actions.assign_verifier(world.clerk_a, event, world.clerk_a.pk)

    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:detail", args=[event.case_id])).content.decode()
    assert "指定核查人" in page and "clerk_a" in page and "agent_a" not in page.split("指定核查人", 1)[1].split("</form>")[0]
    response = client.post(reverse("events:act", args=[event.case_id, "assign_verifier"]), {"verifier": world.clerk_a.pk})
    assert response.status_code == 302
    assert open_verify(event) == [(world.office_a.pk, world.clerk_a.pk, "")]
    assert Assignment.objects.filter(case=event.case, todo="verify", state="cancelled").count() == 1
    assert JournalEntry.objects.get(case=event.case, verb="assign_verifier").summary == "指定核查人：clerk_a"
    assert "verify_fail" in permitted_actions(world.clerk_a, event.case)
    actions.verify_event(world.clerk_a, Event.objects.select_related("case").get(pk=event.pk), passed=False, note="未清理干净")
    assert list(Rework.objects.values_list("unit_id", "reason")) == [(world.committee_a.pk, "verify_fail")]


def test_naming_a_verifier_is_refused_in_chinese_for_bad_input_over_the_api(api, world):
    event = reported_back(world, world.committee_a, world.agent_a)
    api.as_("dispatcher_a")
    for body, status in (({"verifier": "x"}, 400), ({"verifier": 0}, 400), ({"verifier": 10**30}, 400), ({}, 400),
                         ({"verifier": world.agent_a.pk}, 400)):
        answer = api.post(f"/api/events/{event.case_id}/assign_verifier", body)
        assert answer.status_code == status, (body, answer.content)
        assert "核查人" in answer.json()["message"]
    assert api.as_("dispatcher_b").post(f"/api/events/{event.case_id}/assign_verifier", {"verifier": world.clerk_a.pk}).status_code == 404
    assert open_verify(event) == [(world.centre_a.pk, None, "dispatcher")]
    assert api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/assign_verifier", {"verifier": world.leader_a.pk}).status_code == 200
    assert open_verify(event) == [(world.gov_a.pk, world.leader_a.pk, "")]
