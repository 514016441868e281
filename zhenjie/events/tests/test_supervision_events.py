"""Supervision (督办) on events, as the command centre meets it: the sweep cards a dispatched
event yellow then red against its handling deadline and tells the township leader once; a leader
cards one by hand from the event page, and nobody else can."""

from datetime import timedelta

import pytest
from django.urls import reverse

from zhenjie.events import actions
from zhenjie.kernel import supervision
from zhenjie.kernel.models import Case, Notification
from zhenjie.kernel.models import Assignment, NoticeAnswer
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)

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
    case_card = [f"【黄牌督办】{case.title}", f"【红牌督办】{case.title}"]
    assert case_card[0] in titles(world.clerk_a, case) and [t for t in titles(world.leader_a, case) if t in case_card] == []
    for hours in (1, 5, 30):
        supervision.sweep(now=case.due_at + timedelta(hours=hours))
    assert Case.objects.get(pk=case.pk).alert == "red"
    # The case's own card once; and its unsigned dispatch, long overdue by its own deadline, once (the ladder).
    assert sorted(titles(world.leader_a, case)) == sorted([case_card[1], f"【红牌督办】签收：{case.title}"])
    assert titles(world.leader_b, case) == []


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


def test_the_handler_answers_a_notice_on_the_event_page_and_the_answer_shows_with_the_notice(client, world):
    event = dispatched(world)
    supervision.issue_notice(world.leader_a, event.case, "red", "请今日下班前反馈进展")
    url = reverse("events:act", args=[event.case_id, "answer_notice"])
    detail = reverse("events:detail", args=[event.case_id])
    client.force_login(world.clerk_a)
    page = client.get(detail).content.decode()
    assert 'data-testid="answer-notice"' in page and "待反馈" in page
    too_long = client.post(url, {"text": "长" * (supervision.ANSWER_MAX + 1)})
    assert f"不超过 {supervision.ANSWER_MAX} 字符" in too_long.content.decode()
    assert NoticeAnswer.objects.get().answered_at is None
    client.force_login(world.leader_b)
    assert client.post(url, {"text": "越界"}).status_code == 404
    client.force_login(world.dispatcher_a)  # sees the event, owes no answer
    assert "督办单须由承办单位反馈" in client.post(url, {"text": "不是承办单位"}).content.decode()
    client.force_login(world.clerk_a)
    assert client.post(url, {"text": "已安排人员今日处理完毕"}).status_code == 302
    page = client.get(detail).content.decode()
    assert "已安排人员今日处理完毕" in page and "已反馈" in page and 'data-testid="answer-notice"' not in page
    assert "反馈督办单" in page  # on the timeline


def test_the_handler_answers_a_notice_over_the_api(api, world):
    event = dispatched(world)
    supervision.issue_notice(world.leader_a, event.case, "yellow", "请反馈进展")
    path = f"/api/events/{event.case_id}/answer_notice"
    assert api.as_("clerk_a").post(path, {"text": 5}).status_code == 400
    assert api.as_("leader_b").post(path, {"text": "越界"}).status_code == 404
    answered = api.as_("clerk_a").post(path, {"text": "已处理"})
    assert answered.status_code == 200, answered.content
    assert NoticeAnswer.objects.get().text == "已处理"
    again = api.as_("clerk_a").post(path, {"text": "再答"})
    assert (again.status_code, again.json()["message"]) == (409, "没有待反馈的督办单")


def test_the_inbox_shows_each_rows_card(client, world):
    event = dispatched(world)
    work = Assignment.objects.get(case=event.case, todo="acknowledge")
    supervision.sweep(now=work.due_at + timedelta(minutes=1))
    client.force_login(world.clerk_a)
    page = client.get(reverse("workbench:inbox")).content.decode()
    assert 'data-testid="card-red"' in page


def test_an_owed_answer_survives_the_handlers_steps_and_gives_no_say_over_the_case(world):
    from zhenjie.kernel.workflow import permitted_actions

    event = dispatched(world)
    supervision.issue_notice(world.leader_a, event.case, "red", "请今日下班前反馈进展")
    actions.start_handling(world.clerk_a, actions.acknowledge_event(world.clerk_a, event))
    actions.report_back(world.clerk_a, event, "已清理")
    owed = Assignment.objects.get(case=event.case, todo="answer_notice")
    assert owed.state == "open"  # the case's steps did not finish it
    case = Case.objects.get(pk=event.case_id)
    permitted = permitted_actions(world.clerk_a, case)
    assert "verify_pass" not in permitted and "answer_notice" in permitted
    supervision.answer_notice(world.clerk_a, case, "已清理完毕")
    assert Assignment.objects.get(pk=owed.pk).state == "done"
