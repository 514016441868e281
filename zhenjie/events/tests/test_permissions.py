"""What a person may do to an event or a call is said once, by the workflow's rules: the page shows
a button exactly when the action would accept it, and the API lists the same actions."""

import pytest
from django.urls import reverse

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.calls.workflow import CALL_WORKFLOW
from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.events.workflow import EVENT_WORKFLOW
from zhenjie.kernel import extensions, followups
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import FollowUp
from zhenjie.kernel.workflow import permitted_actions
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)


pytestmark = pytest.mark.django_db


def handling(world, category="sanitation"):
    event = make_event(world, category=category)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="由社会治理办处置")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    return event


def form(event, name) -> str:
    return f'action="{reverse("events:act", args=[event.case_id, name])}"'


def page(client, user, event) -> str:
    client.force_login(user)
    return client.get(reverse("events:detail", args=[event.case_id])).content.decode()


def offered_and_accepted(user, case, name) -> tuple[bool, bool]:
    """Whether the page offers action `name`, and whether the workflow's rule would let the action run."""
    offered = name in permitted_actions(user, case)
    try:
        EVENT_WORKFLOW.require(user, case, name) if case.kind == "event" else CALL_WORKFLOW.require(user, case, name)
    except ActionError:
        return offered, False
    return offered, True


def test_a_paused_event_still_offers_the_extension_the_action_allows(client, world):
    # The page used to derive the button from the transitions open now, and hid it while paused.
    event = handling(world)
    actions.pause_event(world.clerk_a, event, "等待供电公司断电")
    assert form(event, "extension") in page(client, world.clerk_a, event)
    assert offered_and_accepted(world.clerk_a, event.case, "request_extension") == (True, True)
    extensions.request_extension(world.clerk_a, event.case, 2, "等待供电公司")
    # Once asked, neither the page nor the action takes a second request; the leader decides.
    assert form(event, "extension") not in page(client, world.clerk_a, event)
    assert offered_and_accepted(world.clerk_a, event.case, "request_extension") == (False, False)
    assert form(event, "decide_extension") in page(client, world.leader_a, event)
    assert offered_and_accepted(world.dispatcher_a, event.case, "decide_extension") == (False, False)


def test_every_action_is_offered_exactly_when_it_would_be_accepted(world):
    event = handling(world)
    extensions.request_extension(world.clerk_a, event.case, 2, "等待检测")
    case = Event.objects.select_related("case__area").get(pk=event.pk).case
    seen = {}
    for who in ("clerk_a", "dispatcher_a", "leader_a", "grid_worker_a", "county_admin", "dispatcher_b"):
        for name in EVENT_WORKFLOW.permissions:
            offered, accepted = offered_and_accepted(getattr(world, who), case, name)
            assert offered == accepted, (who, name)
            seen[who, name] = offered
    assert seen["leader_a", "decide_extension"] and seen["dispatcher_a", "call"] and seen["county_admin", "notice"]
    assert not seen["clerk_a", "request_extension"]  # one request at a time


def test_the_reporter_is_offered_the_rating_once_the_event_is_closed_and_not_after_rating(client, world):
    event = handling(world, category="dispute")  # no on-site verification
    actions.report_back(world.clerk_a, event, "已调解")
    assert form(event, "rate") not in page(client, world.grid_worker_a, event)
    followups.close(world.dispatcher_a, FollowUp.objects.get(case_id=event.case_id, state="open"), called=True, reached=True, resolved=True)  # the reporter confirmed on a call
    actions.close_event(world.dispatcher_a, event)
    assert form(event, "rate") in page(client, world.grid_worker_a, event)
    assert form(event, "rate") not in page(client, world.dispatcher_a, event)
    actions.rate_event(world.grid_worker_a, Event.objects.get(pk=event.pk), 4)
    assert form(event, "rate") not in page(client, world.grid_worker_a, event)


def test_the_county_administrator_may_card_an_event_from_its_page_as_the_action_allows(client, world):
    event = handling(world)
    assert form(event, "notice") in page(client, world.county_admin, event)
    assert form(event, "notice") not in page(client, world.dispatcher_a, event)


def test_a_call_offers_its_rating_to_the_calling_township_after_confirming_and_once(client, world):
    event = handling(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请派员现场取证", 3)
    url, form = reverse("calls:detail", args=[call.case_id]), reverse("calls:act", args=[call.case_id, "rate"])

    def rating_offered(user):
        client.force_login(user)
        return f'action="{form}"' in client.get(url).content.decode()

    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已取证")
    assert not rating_offered(world.dispatcher_a)
    calls.confirm_call(world.dispatcher_a, call)
    assert rating_offered(world.dispatcher_a) and not rating_offered(world.liaison)
    calls.rate_call(world.dispatcher_a, Call.objects.get(pk=call.pk), 5)
    assert not rating_offered(world.dispatcher_a)


def test_the_api_lists_the_other_actions_beside_the_steps(api, world):
    event = handling(world)
    listed = api.as_("dispatcher_a").get(f"/api/events/{event.case_id}").json()["actions"]
    assert listed == [
        {"name": "reassign", "label": "改派"}, {"name": "call", "label": "乡呼县应：呼叫县直部门"},
        {"name": "reveal_personal_data", "label": "查看当事人完整号码"},
    ]
    assert [a["name"] for a in api.as_("clerk_a").get(f"/api/events/{event.case_id}").json()["actions"]] == [
        "pause", "report_back", "request_extension", "reveal_personal_data",
    ]
