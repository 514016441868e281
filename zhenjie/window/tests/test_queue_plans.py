"""The window's three busy reads stop at the page (issue 15, issue 11's speed): the applications
list, the front desk's queue (待受理) and the back office's queue (待审批).

Plans (SQLite): the statement that reads each first page walks an index in the page's order —
the list the case's (kind, opened_at) index, the queues the unit's open work by deadline
(assignment_open_unit_due, as the inbox) — with no sort of every match ("USE TEMP B-TREE FOR
ORDER BY") and no table scanned whole; docs/PERFORMANCE.md, the window's section, has the plans.
Budgets: each page and its API costs the same queries with a few rows and with four times as
many, and no more than written here. And what a clerk notices: the queue in deadline order page
after page, the count, and nothing of the other township."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.assignments import Assign, create
from zhenjie.kernel.workflow import extend_deadline
from zhenjie.testing import Api, assert_the_same_at_two_sizes, fetcher, page_statements, plan_faults, query_plan, statements_of
from zhenjie.window.actions.intake import withdraw_application
from zhenjie.window.queries import queue_for
from zhenjie.window.queries_backoffice import decision_queue_for
from zhenjie.window.testing import make_applicant, make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db

LIST, QUEUE, BACKOFFICE = "/window/", "/window/queue/", "/window/backoffice/"

# (who opens it, what, the table whose rows are walked for the page)
READS = [
    ("window_a", LIST, "window_application"),
    ("window_a", LIST + "?phase=intake", "window_application"),
    ("window_a", LIST + "?phase=closed", "window_application"),
    ("window_a", "/api/applications", "window_application"),
    ("window_a", "/api/applications?state=reviewing", "window_application"),
    ("county_admin", LIST, "window_application"),
    ("window_a", QUEUE, "kernel_assignment"),
    ("window_b", QUEUE, "kernel_assignment"),
    ("backoffice_a", BACKOFFICE, "kernel_assignment"),
    ("backoffice_b", BACKOFFICE, "kernel_assignment"),
    ("backoffice_a", "/api/window/backoffice/queue", "kernel_assignment"),
    ("liaison", BACKOFFICE, "kernel_assignment"),  # a county department: only what is routed to it
    ("liaison", "/api/window/backoffice/queue", "kernel_assignment"),
]


@pytest.fixture
def ww(world):
    return make_window_world(world)


def fill(ww, rounds: int = 1) -> None:
    """In each township, per round: two applications waiting at the front desk, two under review,
    one decided, one withdrawn; and one under review in A whose decision the county's police
    department takes (sent to a unit without a jurisdiction)."""
    applicant = make_applicant(ww)
    for _ in range(rounds):
        for township in (ww.world.a, ww.world.b):
            for state in (State.RECEIVED, State.RECEIVED, State.REVIEWING, State.REVIEWING, State.DECIDED):
                make_application(ww, township=township, state=state, applicant=applicant)
            withdrawn = make_application(ww, township=township, applicant=applicant)
            withdraw_application(ww.clerk_a if township == ww.world.a else ww.clerk_b, withdrawn, "申请人撤回")
        routed = make_application(ww, state=State.REVIEWING, applicant=applicant)
        create(routed.case, Assign(ww.world.police, "decide"))


@pytest.mark.parametrize(("person", "url", "table"), READS)
def test_each_first_page_is_an_index_walk_that_stops_at_the_page(client, ww, person, url, table):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its statistics (docs/PERFORMANCE.md)")
    fill(ww)
    statements = statements_of(fetcher(client, person, url))
    pages = page_statements(statements, table)
    assert pages, f"{person} {url}: no page of {table} was read"
    assert {sql: found for sql in pages if (found := plan_faults(query_plan(sql)))} == {}
    if table == "kernel_assignment":
        # The queue's page comes from the work, not from sorting the applications.
        assert page_statements(statements, "window_application") == []
        assert all("assignment_open_unit_due" in " ".join(query_plan(sql)) for sql in pages)


# Today's counts: the session and user, reach_of, the count (the list's from the indexes: the units'
# areas and two parts; a queue's over the units' open work) and the page (a queue's: one walk a unit,
# then the page's applications, and the back office's routes in one prefetch; the API's list also
# prefetches the routes and opinions its shape shows).
BUDGETS = {
    "window_a": {LIST: 8, LIST + "?phase=intake": 8, "/api/applications": 10, QUEUE: 7},
    "backoffice_a": {BACKOFFICE: 8, "/api/window/backoffice/queue": 8},
    "liaison": {BACKOFFICE: 8, "/api/window/backoffice/queue": 8},
}


@pytest.mark.parametrize("person", sorted(BUDGETS))
def test_the_list_and_the_queues_cost_the_same_queries_at_two_sizes(client, ww, person):
    fill(ww)
    assert_the_same_at_two_sizes(client, person, BUDGETS[person], lambda: fill(ww, 4))


def test_the_front_desk_queue_is_in_notice_order_page_after_page_and_counts_applications(client, ww):
    now = timezone.now()
    applicant = make_applicant(ww)
    # Received on 25 different days: each notice is due five working days after its receipt.
    filed = [make_application(ww, applicant=applicant, received_at=now - timedelta(days=day)) for day in (3, 9, 1, 14, 6) * 5]
    theirs = make_application(ww, township=ww.world.b, applicant=applicant)
    expected = sorted(filed, key=lambda a: (a.notice_due_at, a.case_id))
    queue = queue_for(ww.clerk_a)
    assert queue.count() == 25
    assert [a.case_id for a in queue[0:20] + queue[20:40]] == [a.case_id for a in expected]
    client.force_login(ww.clerk_a)
    first = client.get(reverse("window:queue")).content.decode()
    second = client.get(reverse("window:queue"), {"page": 2}).content.decode()
    assert first.index(expected[0].case.number) < first.index(expected[19].case.number)
    assert expected[20].case.number in second and expected[19].case.number not in second
    assert theirs.case.number not in first + second
    assert queue_for(ww.clerk_b)[0:20] == [theirs]


def test_the_back_office_queue_follows_the_deadline_when_it_moves(client, ww):
    first, second = make_application(ww, state=State.REVIEWING), make_application(ww, state=State.REVIEWING)
    api = Api(client).as_("backoffice_a")
    assert [row["id"] for row in api.get("/api/window/backoffice/queue").json()["items"]] == [first.case_id, second.case_id]
    # An approved extension moves the case's deadline; the open decision follows it (kernel.steps).
    extend_deadline(ww.backoffice_a, first.case, 30, "需现场核查", approved_by=ww.world.leader_a)
    page = api.get("/api/window/backoffice/queue").json()
    assert [row["id"] for row in page["items"]] == [second.case_id, first.case_id] and page["count"] == 2
    assert page["next_cursor"] is None
    refused = api.get("/api/window/backoffice/queue", cursor="abc")
    assert refused.status_code == 400 and refused.json()["message"] == "翻页游标无效，请从第一页重新开始"
    assert decision_queue_for(ww.backoffice_b)[0:20] == []


def test_the_list_counts_from_the_indexes_what_it_shows(client, ww):
    fill(ww, 2)
    client.force_login(ww.clerk_a)
    api = Api(client).as_("window_a")
    for state, expected in ((None, 2 * 7), (State.RECEIVED, 4), (State.WITHDRAWN, 2)):
        page = api.get("/api/applications", **({"state": state} if state else {})).json()
        assert (page["count"], page["count_capped"], len(page["items"])) == (expected, False, expected)
    listing = client.get(reverse("window:home"), {"phase": "closed"})
    assert listing.context["page"].paginator.count == 2
