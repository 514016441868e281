"""A crawler with hostile input (issue 12, done-when: "a page crawler with hostile inputs finds no
500"): every page and feed that takes no path parameter, and the sheets of an event and a task,
asked by people of each kind of reach with query strings and form bodies a tester or an attacker
would send — wrong types, out-of-range numbers, dates that are not dates, markup, SQL, text far
too long. Whatever a view makes of them, the answer is never a server error."""

import pytest
from django.urls import reverse

from zhenjie.testing import make_event, make_task
from zhenjie.workbench.tests.test_security_headers import plain_paths

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# The names the site's forms and filters read (GET and POST), each given every hostile value.
NAMES = (
    "page", "size", "page_size", "cursor", "tab", "q", "search", "category", "channel", "state", "phase", "alert", "from", "to",
    "reported_from", "reported_to", "bbox", "area", "area_id", "grid", "village", "township", "unit", "kind", "id", "finding",
    "year", "month", "day", "days", "period", "format", "next", "level", "status", "topic", "user", "username", "password",
    "description", "title", "note", "reason", "lng", "lat", "address", "working_days", "departments", "rating", "comment",
    "quality", "verifier",
)
HOSTILE = (
    "-1", "99999999999999999999999999", "nan", "2026-13-45T25:61", "<img src=x onerror=alert(1)>", "' OR 1=1 --",
    "x" * 5000, "",
)
PEOPLE = (None, "dispatcher_a", "leader_a", "grid_worker_a", "county_admin", "liaison")


def hostile_queries():
    for value in HOSTILE:
        yield {name: value for name in NAMES}


@pytest.mark.parametrize("person", PEOPLE)
def test_no_page_answers_hostile_input_with_a_server_error(client, world, person):
    from zhenjie.accounts.models import User

    event, task = make_event(world), make_task(world)
    paths = [p for p in plain_paths() if "logout" not in p] + [
        reverse("events:detail", args=[event.case_id]), reverse("tasks:detail", args=[task.case_id]),
    ]
    if person:
        client.force_login(User.objects.get(username=person))
    failures = []
    for path in paths:
        for query in hostile_queries():
            for method in (client.get, client.post):
                response = method(path, query)
                if response.status_code >= 500:
                    failures.append((method.__name__, path, query["page"][:20], response.status_code))
    assert failures == []
