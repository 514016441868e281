"""Speed at province scale as tests (issue 11): what each list's first page, each detail, the
command screen's data and the create path ask of the database.

Plans: on SQLite, the query that reads a list's page must walk an index in the list's order and
stop at the page — no sort of every matching row first ("USE TEMP B-TREE FOR ORDER BY"), no table
scanned whole. The test database has no statistics (no ANALYZE, as in production:
docs/PERFORMANCE.md), so SQLite plans from the schema and the statement alone and picks the same
plan for these few rows as for a million; the plans found are in docs/PERFORMANCE.md, "Query plans
and budgets as tests".

Budgets: the same number of queries with a few rows and with five times as many, and no more than
the budget written here; the create path's exact count."""

import pytest
from django.db import connection
from django.utils import timezone

from zhenjie.calls.models import Call
from zhenjie.events import daily
from zhenjie.events.models import EventDay
from zhenjie.kernel.models import Case
from zhenjie.tasks.models import Task
from zhenjie.testing import Api, assert_the_same_at_two_sizes, count_queries, fetcher, fill_lists, page_statements, plan_faults, query_plan, statements_of

pytestmark = pytest.mark.django_db

PEOPLE = ("dispatcher_a", "grid_worker_a", "liaison", "county_admin")  # each reaches cases by another rule

LISTS = [  # (what the person opens, the table whose rows it pages)
    ("/events/", "events_event"),
    ("/events/?tab=intake", "events_event"),  # one state: ordered by its case's opening (events.queries.in_states)
    ("/events/?tab=dispatch", "events_event"),
    ("/events/?tab=handling", "events_event"),
    ("/events/?tab=verify", "events_event"),
    ("/events/?tab=closed", "events_event"),
    ("/api/events", "events_event"),
    ("/api/events?state=reported", "events_event"),
    ("/inbox/", "kernel_assignment"),
    ("/api/inbox", "kernel_assignment"),
    ("/tasks/", "tasks_task"),
    ("/tasks/?phase=assigned", "tasks_task"),
    ("/tasks/?phase=handling", "tasks_task"),
    ("/tasks/?phase=review", "tasks_task"),
    ("/tasks/?phase=closed", "tasks_task"),
    ("/api/tasks", "tasks_task"),
    ("/events/calls/", "events_call"),
    ("/api/calls", "events_call"),
]

# Pages that show nothing to a person whatever the data, so no page is read: a department is sent
# an event only when it is dispatched; fill_lists takes the grid worker's tasks no further than 办理中.
NEVER_ANY = {("liaison", "/events/?tab=intake"), ("grid_worker_a", "/tasks/?phase=review"), ("grid_worker_a", "/tasks/?phase=closed")}


@pytest.mark.parametrize(("url", "table"), LISTS)
def test_the_first_page_is_an_index_walk_that_stops_at_the_page(client, world, url, table):
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its statistics (docs/PERFORMANCE.md)")
    fill_lists(world)
    faults = {}
    for person in PEOPLE:
        pages = page_statements(statements_of(fetcher(client, person, url)), table)
        assert pages or (person, url) in NEVER_ANY, f"{person}: no page of {table} was read"
        for sql in pages:
            if found := plan_faults(query_plan(sql)):
                faults[person] = found
    assert faults == {}


# ---- query budgets: the same count at two sizes, and at most this many -----------------------


# The budgets are today's counts for the dispatcher: fewer is fine; raise one only for a query
# the page really needs, never for one per row. A page: the session and user, reach_of, the
# capped count and the page, and what the template shows beside the rows (tab counts, filters).
LIST_BUDGETS = {
    # /events/: the tab badges and the list's total from counting_parts — the units' areas, then
    # the open tabs, 已关闭 and the total, each over the jurisdiction and over what was sent in.
    "/events/": 11,
    "/api/events": 8,  # its count from counting_parts too (the units' areas, two parts)
    "/inbox/": 8, "/api/inbox": 8, "/tasks/": 6, "/api/tasks": 6,
    "/events/calls/": 7, "/api/calls": 6,
    # Each chart from the daily rows (events/daily.py): the days-counted check, the past days' rows
    # and today's ledger — more queries than one aggregate over every event, each of them small.
    "/dashboard/data/": 32,
}


def test_lists_and_the_command_screen_cost_the_same_queries_at_two_sizes(client, world):
    daily.open_today_while_nothing_writes()  # as the nightly job leaves a running platform
    fill_lists(world)
    assert_the_same_at_two_sizes(client, "dispatcher_a", LIST_BUDGETS, lambda: fill_lists(world, 4))


def test_the_command_screen_without_todays_ledger_counts_today_live_at_a_fixed_cost(client, world):
    """The platform's first day, or a day the job queue did not open: each of today's figures
    reads the ledger, finds none and counts the day's events (events.daily._from_ledgers)."""
    fill_lists(world)
    assert_the_same_at_two_sizes(client, "dispatcher_a", {"/dashboard/data/": 40}, lambda: fill_lists(world, 4))


def test_a_grid_workers_lists_cost_the_same_queries_at_two_sizes(client, world):
    """The grid worker's rule — their grids, and in their village committee only the work
    addressed to them (kernel.scoping.Reach.addressed_q, issue 12 item 7) — is one condition in
    the per-row EXISTS: no query per row, whatever the committee is sent."""
    urls = ("/events/", "/api/events", "/inbox/", "/api/inbox", "/tasks/", "/api/tasks")
    fill_lists(world)
    count_queries(client, "grid_worker_a", urls)  # the session, the token and the caches
    few = count_queries(client, "grid_worker_a", urls)
    fill_lists(world, 4)
    assert count_queries(client, "grid_worker_a", urls) == few


def test_detail_pages_cost_the_same_queries_whatever_the_rows_around_them(client, world):
    """The event the police were called on (its sheet lists its calls), a task waiting for
    review, and that call; then four rounds more of everything and three more calls on the event."""
    from zhenjie.calls.actions import call_departments
    from zhenjie.units.actions import create_unit
    from zhenjie.units.models import Unit

    fill_lists(world)
    call = Call.objects.filter(case__parent__state="dispatched").latest("case_id")
    event_case, task = call.case.parent, Task.objects.filter(assignee_unit=world.office_a, case__state="reported").latest("case_id")

    def grow():
        fill_lists(world, 4)
        for name in ("测试县应急管理局", "测试县住房和城乡建设局", "测试县生态环境分局"):
            department = create_unit(None, name=name, kind=Unit.Kind.DEPARTMENT, area=world.county)
            call_departments(world.dispatcher_a, event_case, [department], "请协助处置", 3)

    budgets = {
        # The event sheet: 15 with its open follow-up (回访).
        f"/events/{event_case.pk}/": 15, f"/api/events/{event_case.pk}": 10, f"/tasks/{task.case_id}/": 6, f"/api/tasks/{task.case_id}": 5,
        f"/events/calls/{call.case_id}/": 8, f"/api/calls/{call.case_id}": 5,
    }
    assert_the_same_at_two_sizes(client, "dispatcher_a", budgets, grow)


def test_reporting_an_event_over_the_api_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    """23 with the test's savepoints: the token, the category, the reporter's reach, locating
    (the grid's own boundary: nothing lies under a grid), routing, the number (one UPDATE …
    RETURNING), the case, its first work and its notice (and whether its recipients chose e-mail
    or a robot for new work: kernel.delivery.queue_for), the journal (head locked, entry, head
    moved on), the event, the day's ledger (events.daily.tally_report: one UPDATE, and one upsert
    of its category, channel and place when the day has a ledger — 24). A report that names no
    reporter opens no savepoint for one (kernel.parties.record_reporter: two fewer). The answer is the event as written (kernel/opened.py: no re-read of its
    photos, parties, timeline, work or extensions), and the early warning counts in the job queue
    after the commit (events.jobs.check_pile_up), so a pile-up adds none. Was 31 before the answer
    came from what was written."""
    api = Api(client).as_("grid_worker_a")

    def report(category):
        return api.post_form("/api/events", {"category": category, "description": "夜间施工噪声", "lng": "116.02", "lat": "35.02"})

    assert report("noise").status_code == 201  # the token's first use and the caches
    with django_assert_num_queries(23):
        assert report("pollution").status_code == 201
    fill_lists(world, 2)
    with django_assert_num_queries(23):
        assert report("farmland").status_code == 201
    daily.open_today_while_nothing_writes()  # as the nightly job leaves a running platform
    with django_assert_num_queries(24):
        assert report("noise").status_code == 201
    todays = Case.objects.filter(kind="event", area__path__startswith=world.a.path, opened_at__gte=daily.midnight(timezone.localdate()))
    assert EventDay.objects.get(township=world.a, day=timezone.localdate(), dimension="reported").count == todays.count() > 3


def test_a_dispatchers_page_of_a_waiting_event_reads_its_selects_without_a_server_side_cursor(client, world):
    """workbench.forms.FetchedChoiceIterator: the dispatch form's units in one plain query. Django's
    choice fields iterate with .iterator(), on PostgreSQL a DECLARE … WITH HOLD, a FETCH and a CLOSE."""
    from django.test.utils import CaptureQueriesContext

    from zhenjie.events import actions
    from zhenjie.testing import make_event

    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    client.force_login(world.dispatcher_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/events/{event.case_id}/")
    assert page.status_code == 200 and 'name="unit"' in page.content.decode()  # the dispatch form is there
    assert not [q["sql"] for q in queries.captured_queries if "DECLARE" in q["sql"] or "FETCH" in q["sql"].split(" ", 1)[0]]
