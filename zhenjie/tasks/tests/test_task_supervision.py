"""Tasks (交办件) under supervision (issue 14 item 11, "tasks show no supervision card"): the
sweep cards a late task and its unsigned acknowledgement, and the task sheet, the task list and
the inbox show the card as the event sheet does."""

from datetime import timedelta

import pytest
from django.urls import reverse

from zhenjie.kernel import supervision
from zhenjie.kernel.models import Assignment, Case
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def test_a_late_task_shows_its_card_on_its_sheet_its_list_and_the_inbox(client, world):
    task = make_task(world, days=3)
    detail = reverse("tasks:detail", args=[task.case_id])
    client.force_login(world.clerk_a)
    assert "红牌督办" not in client.get(detail).content.decode()

    due = Case.objects.get(pk=task.case_id).due_at
    supervision.sweep(now=due - timedelta(hours=2))
    assert "黄牌督办" in client.get(detail).content.decode()
    supervision.sweep(now=due + timedelta(hours=1))
    assert Assignment.objects.get(case=task.case, todo="acknowledge").alert == "red"
    assert "红牌督办" in client.get(detail).content.decode()
    assert "红牌督办" in client.get(reverse("tasks:list")).content.decode()
    assert 'data-testid="card-red"' in client.get(reverse("workbench:inbox")).content.decode()
