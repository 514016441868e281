"""The enforcement team's busy reads stop at the page (issue 16's last done-when, issue 11's speed):
the case list with each phase tab, its API, and the officer's queue.

Plans (SQLite): the statement that reads each first page walks an index in the page's order — the
list the case's (kind, opened_at) index, the queue the units' open work by deadline (the inbox's
walk) — with no sort of every match and no table scanned whole. Budgets: each page costs the same
queries with a few cases and with four times as many, and no more than written here."""

import pytest
from django.db import connection

from zhenjie.enforcement.testing import make_enforcement_case, make_enforcement_world
from zhenjie.enforcement.workflow import State
from zhenjie.testing import assert_the_same_at_two_sizes, fetcher, page_statements, plan_faults, query_plan, statements_of

pytestmark = pytest.mark.django_db

LIST, QUEUE = "/enforcement/", "/enforcement/queue/"
PHASES = ("lead", "investigation", "decision", "execution")  # fill makes no closed case

# (who opens it, what, the table whose rows are walked for the page)
READS = [
    *[("officer_a1", f"{LIST}?phase={phase}", "enforcement_enforcementcase") for phase in PHASES],
    ("officer_a1", LIST, "enforcement_enforcementcase"),
    ("officer_b1", LIST, "enforcement_enforcementcase"),
    ("leader_a", LIST, "enforcement_enforcementcase"),
    ("county_admin", LIST, "enforcement_enforcementcase"),
    ("officer_a1", "/api/enforcement", "enforcement_enforcementcase"),
    ("county_admin", "/api/enforcement", "enforcement_enforcementcase"),
    ("officer_a1", QUEUE, "kernel_assignment"),
    ("officer_b1", QUEUE, "kernel_assignment"),
    ("officer_a1", "/api/enforcement/queue", "kernel_assignment"),
]

STATES = (State.LEAD, State.INVESTIGATING, State.NOTIFIED, State.REVIEWING, State.DECIDED)


@pytest.fixture
def ew(world):
    return make_enforcement_world(world)


def fill(ew, rounds: int = 1) -> None:
    """In each township, per round: a case in each of five states (their work waits in the team's
    queue)."""
    for _ in range(rounds):
        for township in (ew.world.a, ew.world.b):
            for state in STATES:
                make_enforcement_case(ew, township=township, state=state, fine="500" if state == State.DECIDED else None)


@pytest.mark.parametrize(("person", "url", "table"), READS)
def test_each_first_page_is_an_index_walk_that_stops_at_the_page(client, ew, person, url, table):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its statistics (docs/PERFORMANCE.md)")
    fill(ew)
    statements = statements_of(fetcher(client, person, url))
    pages = page_statements(statements, table)
    assert pages, f"{person} {url}: no page of {table} was read"
    assert {sql: found for sql in pages if (found := plan_faults(query_plan(sql)))} == {}
    if table == "kernel_assignment":
        # The queue's page comes from the work, not from sorting the cases.
        assert page_statements(statements, "enforcement_enforcementcase") == []


# Today's counts: the session and user, the reach, the count and the page with its cases.
BUDGETS = {
    "officer_a1": {LIST: 9, f"{LIST}?phase=decision": 9, "/api/enforcement": 9, QUEUE: 9, "/api/enforcement/queue": 9},
    "county_admin": {LIST: 9, "/api/enforcement": 9},
}


@pytest.mark.parametrize("person", sorted(BUDGETS))
def test_the_list_and_the_queue_cost_the_same_queries_at_two_sizes(client, ew, person):
    fill(ew)
    assert_the_same_at_two_sizes(client, person, BUDGETS[person], lambda: fill(ew, 4))


def test_each_township_counts_and_lists_its_own_cases_only(client, ew):
    fill(ew, 2)
    client.force_login(ew.officer_b1)
    listing = client.get(LIST)
    assert listing.context["page"].paginator.count == 2 * len(STATES)
    shown = {row.case.area_id for row in listing.context["page"].object_list}
    assert shown == {ew.world.b.pk}
