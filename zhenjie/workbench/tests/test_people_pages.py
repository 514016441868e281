"""The 人员变动 pages (workbench/people.py): a person's post history, 免职 from a date, 调岗, AB岗
and 离岗交接 with its preview, for their administrator; 我的AB岗 for everyone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.models import Post, StandIn, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import assignments
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.models import Assignment
from zhenjie.testing import make_event, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sys_a(world):
    return make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)


def page_of(person):
    return reverse("workbench:person", args=[person.pk])


def test_the_users_list_links_to_the_person_page_which_shows_the_post_history(client, world, sys_a):
    actions.transfer_post(sys_a, world.clerk_a.posts.get(), unit=world.centre_a, title="调度员", roles=[R.DISPATCHER], jurisdiction=world.a, reason="工作需要")
    client.force_login(sys_a)
    assert page_of(world.clerk_a) in client.get(reverse("workbench:users"), {"q": "clerk_a"}).content.decode()
    page = client.get(page_of(world.clerk_a)).content.decode()
    history = page[page.index('data-testid="post-history"'):]
    assert history.index("甲镇社会治理综合指挥中心 · 调度员") < history.index("甲镇社会治理办公室 · 岗位")
    assert "已免职" in history and "工作需要" in history and "sys_a 办理" in history


def test_another_townships_administrator_gets_404_and_other_roles_403(client, world, sys_a):
    client.force_login(make_user("sys_b", world.gov_b, [R.SYSTEM_ADMIN], world.b))
    assert client.get(page_of(world.clerk_a)).status_code == 404
    client.force_login(world.leader_a)
    assert client.get(page_of(world.clerk_a)).status_code == 403
    client.force_login(sys_a)
    assert client.get("/console/people/99999999999999999999/").status_code == 404
    assert client.get(reverse("workbench:person", args=[999999999])).status_code == 404


def test_ending_a_post_from_a_date_and_a_bad_date_says_why(client, world, sys_a):
    post = world.clerk_a.posts.get()
    client.force_login(sys_a)
    page = client.post(page_of(world.clerk_a), {"op": "end", "post": post.pk, "end-ended_on": "1999-01-01"}).content.decode()
    assert "免职日期须在2000年1月1日至今天之间" in page and Post.objects.get(pk=post.pk).is_active
    page = client.post(page_of(world.clerk_a), {"op": "end", "post": post.pk, "end-ended_on": "not a date"}).content.decode()
    assert "有效的日期" in page and Post.objects.get(pk=post.pk).is_active
    response = client.post(page_of(world.clerk_a), {"op": "end", "post": post.pk, "end-ended_on": timezone.localdate().isoformat(), "end-reason": "退休"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.is_active, post.ended_on, post.end_reason) == (False, timezone.localdate(), "退休")


def test_a_transfer_from_the_page(client, world, sys_a):
    post = world.clerk_a.posts.get()
    client.force_login(sys_a)
    form = {"op": "transfer", "post": post.pk, "transfer-unit": world.centre_a.pk, "transfer-title": "调度员", "transfer-roles": [R.DISPATCHER], "transfer-jurisdiction": world.a.pk}
    assert client.post(page_of(world.clerk_a), form).status_code == 302
    assert list(Post.objects.filter(user=world.clerk_a, is_active=True).values_list("unit", "title")) == [(world.centre_a.pk, "调度员")]


def test_the_handover_preview_counts_then_the_handover_moves_the_work(client, world, sys_a):
    colleague = make_user("dispatcher_a2", world.centre_a, [R.DISPATCHER], world.a)
    case = make_event(world).case
    mine = [assignments.create(case, Assign(unit=world.centre_a, user=world.dispatcher_a, todo="核实")) for _ in range(2)]
    client.force_login(sys_a)
    page = client.get(page_of(world.dispatcher_a)).content.decode()
    assert "将转交的在办待办：<strong>2</strong> 项" in page and "<td>事件</td><td>核实</td><td class=\"text-end\">2</td>" in page
    assert f'<option value="{colleague.pk}">' in page and f'<option value="{world.dispatcher_b.pk}">' not in page

    page = client.post(page_of(world.dispatcher_a), {"op": "handover", "handover-colleague": world.clerk_a.pk}).content.decode()
    assert "选择一个有效的选项" in page  # not offered: no post in the centre
    refused = client.post(page_of(world.dispatcher_a), {"op": "handover", "handover-left_on": "2999-01-01"}).content.decode()
    assert "离岗日期须在2000年1月1日至今天之间" in refused and User.objects.get(pk=world.dispatcher_a.pk).is_active

    response = client.post(page_of(world.dispatcher_a), {"op": "handover", "handover-colleague": colleague.pk, "handover-reason": "调离本县"})
    assert response.status_code == 302
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in mine]).values_list("user_id", flat=True)) == {colleague.pk}
    page = client.get(page_of(world.dispatcher_a)).content.decode()
    assert 'data-testid="person-left"' in page and "调离本县" in page


def test_a_stand_in_from_the_administrators_page_and_from_ones_own(client, world, sys_a):
    aide = make_user("aide_a", world.centre_a, [R.DISPATCHER], world.a)
    today = timezone.localdate()
    client.force_login(sys_a)
    bad = client.post(page_of(world.dispatcher_a), {"op": "standin", "standin-stand_in": aide.pk, "standin-starts_on": today + timedelta(days=3), "standin-ends_on": today})
    assert "结束日期不能早于开始日期" in bad.content.decode() and not StandIn.objects.exists()
    ok = client.post(page_of(world.dispatcher_a), {"op": "standin", "standin-stand_in": aide.pk, "standin-starts_on": today, "standin-ends_on": today + timedelta(days=3)})
    assert ok.status_code == 302 and StandIn.objects.get().stand_in == aide

    # the stand-in's inbox says whom they cover
    client.force_login(aide)
    assert "您正在代 dispatcher_a 办理" in client.get(reverse("workbench:inbox")).content.decode()

    # the person's own page: their periods, and a new one, then cancelled
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("workbench:my_leave")).content.decode()
    assert "进行中" in page and "aide_a" in page
    response = client.post(reverse("workbench:my_leave"), {"standin-stand_in": aide.pk, "standin-starts_on": today + timedelta(days=5), "standin-ends_on": today + timedelta(days=6)})
    assert response.status_code == 302 and StandIn.objects.count() == 2
    later = StandIn.objects.get(starts_on=today + timedelta(days=5))
    assert client.post(reverse("workbench:my_leave"), {"op": "cancel_standin", "period": later.pk}).status_code == 302
    assert StandIn.objects.get(pk=later.pk).cancelled_at is not None
    page = client.post(reverse("workbench:my_leave"), {"standin-stand_in": world.dispatcher_b.pk, "standin-starts_on": today, "standin-ends_on": today}).content.decode()
    assert "选择一个有效的选项" in page  # another township's dispatcher is not offered
