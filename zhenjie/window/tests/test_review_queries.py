"""Lists the round-one tests did not count (issue 15 round 2 review): the applications export, the
API's lists (applications, the back-office queue, agent points), an agent point's page with its
papers ledger, the agent's phone page, a township's public points page and the hall's centre
page run the same number of queries for one row as for several."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenjie.testing import Api
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def _count(call) -> int:
    call()  # warm the session, the user, the calendar
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def _add(ww, n, **kwargs):
    for _ in range(n):
        make_application(ww, **kwargs)


def test_the_export_and_the_apis_lists_read_a_fixed_number_of_queries(client):
    ww = make_window_world()
    make_application(ww)
    make_application(ww, state=State.REVIEWING)
    client.force_login(ww.clerk_a)
    api = Api(client)
    calls = {
        "xlsx": lambda: client.get(reverse("window:home"), {"format": "xlsx"}),
        "api list": lambda: api.as_("window_a").get("/api/applications"),
        "api queue": lambda: api.as_("backoffice_a").get("/api/window/backoffice/queue"),
    }
    one = {name: _count(call) for name, call in calls.items()}
    _add(ww, 3)
    _add(ww, 3, state=State.REVIEWING)
    client.force_login(ww.clerk_a)
    assert {name: _count(call) for name, call in calls.items()} == one


def test_an_agent_points_page_ledger_and_the_agents_phone_page_read_a_fixed_number_of_queries(client):
    ww = make_window_world()
    point = make_point(ww)
    make_application(ww, at_agent_point=True)
    make_application(ww, state=State.DECIDED, at_agent_point=True)
    leader = Api(client)
    calls = {
        "point page": lambda: client.get(reverse("window:agent_point", args=[point.pk])),
        "api ledger": lambda: leader.as_("leader_a").get(f"/api/agent-points/{point.pk}/ledger"),
        "api points": lambda: leader.as_("leader_a").get("/api/agent-points"),
        "public": lambda: client.get(reverse("window_public:agent_points_township", args=[ww.world.a.code])),
    }
    client.force_login(ww.world.leader_a)
    one = {name: _count(call) for name, call in calls.items()}
    client.force_login(ww.agent_a)
    home_one = _count(lambda: client.get(reverse("window:agent_home")))
    _add(ww, 3, at_agent_point=True)
    _add(ww, 3, state=State.DECIDED, at_agent_point=True)
    client.force_login(ww.world.leader_a)
    assert {name: _count(call) for name, call in calls.items()} == one
    client.force_login(ww.agent_a)
    assert _count(lambda: client.get(reverse("window:agent_home"))) == home_one


def test_the_halls_centre_page_reads_a_fixed_number_of_queries_whatever_the_counters_and_tickets(client, monkeypatch):
    from django.utils import timezone

    from zhenjie.testing import make_user
    from zhenjie.accounts.roles import RoleCode as R
    from zhenjie.window.actions import hall
    from zhenjie.window.tests.hall_world import at, make_hall_world

    monkeypatch.setattr(timezone, "now", lambda: at())
    hw = make_hall_world()
    ww = hw.ww
    client.force_login(ww.clerk_a)
    calls = {
        "centre": lambda: client.get(reverse("window_hall:centre", args=[ww.centre_a.pk])),
        "home": lambda: client.get(reverse("window_hall:home")),
        "api screen": lambda: Api(client).as_("window_a").get(f"/api/window/hall/centres/{ww.centre_a.pk}/screen"),
    }
    one = {name: _count(call) for name, call in calls.items()}
    for number in (3, 4, 5):
        clerk = make_user(f"window_a{number}", ww.centre_a, [R.WINDOW_CLERK], ww.world.a)
        hall.save_counter(ww.clerk_a, ww.centre_a, number=number, name=f"{number}号", clerk=clerk, alternate=hw.clerk_a2)
    for _ in range(4):
        hall.issue_ticket(None, ww.centre_a, "ZW0001")
    client.force_login(ww.clerk_a)
    assert {name: _count(call) for name, call in calls.items()} == one
