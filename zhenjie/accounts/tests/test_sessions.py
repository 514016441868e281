"""Issue 12 item 4: the idle clock starts at login, and a session has an absolute lifetime."""

import time

import pytest
from django.urls import reverse

from zhenjie.accounts import actions
from zhenjie.testing import PASSWORD

pytestmark = pytest.mark.django_db


def backdate(client, **seconds_ago):
    session = client.session
    for key, seconds in seconds_ago.items():
        session[key] = int(time.time()) - seconds
    session.save()


def test_the_idle_clock_starts_at_login_not_at_the_first_page(client, world):
    client.post(reverse("accounts:login"), {"username": "leader_a", "password": PASSWORD})
    # Logged in, then away for 31 minutes before opening any page.
    backdate(client, last_seen=31 * 60, logged_in_at=31 * 60)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_its_absolute_lifetime(client, world):
    client.force_login(world.leader_a)
    backdate(client, logged_in_at=12 * 3600 - 60, last_seen=60)
    assert client.get(reverse("workbench:home")).status_code == 200
    backdate(client, logged_in_at=12 * 3600 + 60, last_seen=60)
    response = client.get(reverse("workbench:home"), follow=True)
    assert "登录已超过 12 小时，请重新登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lifetime_is_the_security_administrators_and_the_api_says_401(client, world):
    actions.update_policy(None, session_max_hours=2)
    client.force_login(world.leader_a)
    backdate(client, logged_in_at=2 * 3600 + 60, last_seen=60)
    response = client.get("/api/me")
    assert response.status_code == 401 and response.json()["code"] == "auth.session_expired"


def test_a_session_without_the_login_stamps_is_treated_as_expired(client, world):
    client.force_login(world.leader_a)
    session = client.session
    del session["logged_in_at"]
    session.save()
    assert client.get(reverse("workbench:home")).status_code == 302


def test_an_htmx_request_after_the_timeout_is_sent_to_the_login_page_whole(client, world):
    client.force_login(world.leader_a)
    backdate(client, last_seen=31 * 60)
    response = client.get(reverse("workbench:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:login")


def test_a_page_reads_the_session_and_its_user_in_one_query_each(client, world):
    """accounts.sessions and accounts.backends: the two reads every signed-in page starts with."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(reverse("accounts:login"), {"username": "leader_a", "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("workbench:home")).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum('FROM "django_session"' in statement for statement in sql) == 1
    assert sum('FROM "accounts_user"' in statement and '"accounts_user"."id" =' in statement for statement in sql[:3]) == 1


def test_an_expired_session_or_a_disabled_account_is_nobody(client, world):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post(reverse("accounts:login"), {"username": "leader_a", "password": PASSWORD})
    assert client.get(reverse("workbench:home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    client.post(reverse("accounts:login"), {"username": "leader_a", "password": PASSWORD})
    assert client.get(reverse("workbench:home")).status_code == 200
    type(world.leader_a).objects.filter(pk=world.leader_a.pk).update(is_active=False)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
