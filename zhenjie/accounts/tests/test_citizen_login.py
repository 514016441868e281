"""A citizen account logging in used to loop (issue 14 item 11): the login sent it to "/", the staff
workbench, which sent citizens to "/" again, so the browser gave up and the citizen was back at
the login page. A citizen now lands on the public pages, and stays there."""

import pytest
from django.urls import reverse

from zhenjie.accounts.models import User
from zhenjie.testing import PASSWORD

pytestmark = pytest.mark.django_db


def follow_redirects(client, response, limit=5):
    seen = []
    while response.status_code == 302 and len(seen) < limit:
        seen.append(response["Location"])
        response = client.get(response["Location"])
    return response, seen


def test_a_citizen_logs_in_and_lands_on_the_public_pages_without_a_loop(client, world):
    User.objects.create_user("citizen_zhang", password=PASSWORD, kind=User.Kind.CITIZEN)
    response = client.post(reverse("accounts:login"), {"username": "citizen_zhang", "password": PASSWORD})
    response, seen = follow_redirects(client, response)
    assert response.status_code == 200 and seen == [reverse("events_public:track")]
    assert "查询办理进度" in response.content.decode()
    # A staff page, and the login page again, send the logged-in citizen to the same place, once.
    for path in (reverse("workbench:home"), reverse("events:home"), reverse("accounts:login")):
        response, seen = follow_redirects(client, client.get(path))
        assert (response.status_code, seen) == (200, [reverse("events_public:track")])


def test_staff_still_land_on_the_workbench(client, world):
    response = client.post(reverse("accounts:login"), {"username": world.dispatcher_a.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
