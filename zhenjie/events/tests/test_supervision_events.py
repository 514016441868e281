"""Supervision (督办) on events, as the command centre meets it: the sweep cards a dispatched
event yellow then red against its handling deadline and tells the township leader once; a leader
cards one by hand from the event page, and nobody else can."""

from datetime import timedelta

import pytest
from django.urls import reverse

from zhenjie.events import actions
from zhenjie.kernel import supervision
from zhenjie.kernel.models import Case, Notification
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def dispatched(world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="清单未列明，由社会治理办处置")
    return event


def titles(user, case) -> list[str]:
    return list(Notification.objects.filter(user=user, case=case).order_by("pk").values_list("title", flat=True))


def test_the_sweep_cards_a_late_event_and_tells_its_leader_once(world):
    event = dispatched(world)
    case = Case.objects.get(pk=event.case_id)
    supervision.sweep(now=case.due_at - timedelta(hours=2))
    assert Case.objects.get(pk=case.pk).alert == "yellow"
    assert f"【黄牌督办】{case.title}" in titles(world.clerk_a, case) and titles(world.leader_a, case) == []
    for hours in (1, 5, 30):
        supervision.sweep(now=case.due_at + timedelta(hours=hours))
    assert Case.objects.get(pk=case.pk).alert == "red"
    assert titles(world.leader_a, case) == [f"【红牌督办】{case.title}"] and titles(world.leader_b, case) == []


def test_a_leader_cards_an_event_from_its_page_and_a_dispatcher_cannot(client, world):
    event = dispatched(world)
    url = reverse("events:act", args=[event.case_id, "notice"])
    client.force_login(world.dispatcher_a)
    page = client.post(url, {"level": "red", "text": "请今日反馈"}).content.decode()
    assert "领导" in page and Case.objects.get(pk=event.case_id).alert == ""
    client.force_login(world.leader_b)
    assert client.post(url, {"level": "red", "text": "越界"}).status_code == 404
    client.force_login(world.leader_a)
    assert client.post(url, {"level": "red", "text": "请今日下班前反馈进展"}).status_code == 302
    case = Case.objects.get(pk=event.case_id)
    assert case.alert == "red" and "【红牌督办】" in titles(world.clerk_a, case)[-1]
    assert "红牌" in client.get(reverse("events:detail", args=[event.case_id])).content.decode()
