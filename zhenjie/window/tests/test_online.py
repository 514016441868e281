"""Online applications (网上申请): a citizen account applies for an item the guide marks online, it
lands in the township centre's check queue, and the citizen follows it — theirs only."""

import pytest
from django.urls import reverse

from zhenjie.accounts.models import User
from zhenjie.lists.models import ServiceItem
from zhenjie.window.models import Application
from zhenjie.window.queries import queue_for
from zhenjie.window.testing import make_application, make_window_world

from .test_pages import intake_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(db):
    return make_window_world()


def citizen(name="citizen1"):
    return User.objects.create(username=name, full_name="周晓明", kind=User.Kind.CITIZEN)


def test_a_citizen_applies_online_and_follows_it(client, ww):
    person = citizen()
    client.force_login(person)
    item = ww.items_a["ZW0001"]
    home = client.get(reverse("window_public:home"), {"township": ww.world.a.code, "q": "zdsh"}).content.decode()
    assert "最低生活保障申请" in home
    data = intake_post(item)
    data.pop("channel")
    response = client.post(reverse("window_public:apply", args=[ww.world.a.code, item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.case.channel == "online" and application.citizen_account == person and application.filed_by is None
    assert application.intake_unit == ww.centre_a
    assert queue_for(ww.clerk_a)[0:20] == [application] and queue_for(ww.clerk_b)[0:20] == []
    page = client.get(response["Location"])
    assert page.status_code == 200 and "已收件" in page.content.decode()
    # The tracking code is shown once, on the page the citizen lands on, and not again.
    assert f"申请已提交：{application.case.number}，查询码" in page.content.decode()
    assert "申请已提交" not in client.get(response["Location"]).content.decode()
    # Someone else's application is not theirs to read; staff pages send a citizen away.
    other = make_application(ww)
    assert client.get(reverse("window_public:mine", args=[other.case_id])).status_code == 404
    assert client.get(reverse("window:detail", args=[other.case_id])).status_code == 302


def test_an_item_not_marked_online_is_not_offered(client, ww):
    client.force_login(citizen())
    item = ww.items_a["ZW0002"]
    ServiceItem.objects.filter(pk=item.pk).update(online=False)
    data = intake_post(item)
    assert client.post(reverse("window_public:apply", args=[ww.world.a.code, item.pk]), data).status_code == 404
    assert Application.objects.count() == 0


def test_progress_by_number_and_code(client, ww):
    from zhenjie.kernel import tracking

    application = make_application(ww)
    code = tracking.issue_code(application.case)
    found = client.post(reverse("window_public:track"), {"number": application.case.number, "code": code})
    assert found.status_code == 200 and "已收件" in found.content.decode()
    wrong = client.post(reverse("window_public:track"), {"number": application.case.number, "code": "AAAAAAAA"})
    assert wrong.status_code == 404
