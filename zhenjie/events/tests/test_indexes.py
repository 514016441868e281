"""The command screen's partial indexes on the case table, created in plain SQL by events.0002
(the kernel's model cannot name a kind), survive every later migration of that table; the event
list's order index holds the list's order."""

import pytest
from django.db import connection  # noqa: F401  (the skipif condition reads it)
from zhenjie.testing import index_shapes

pytestmark = pytest.mark.django_db


def test_the_event_indexes_on_the_case_table_survive_the_migrations():
    assert {"case_event_opened", "case_event_open", "case_event_closed"} <= set(index_shapes("kernel_case"))


def test_the_event_list_walks_an_index_in_its_own_order():
    # events_for orders by -reported_at, -pk; the plan test (workbench/tests/test_list_queries.py)
    # finds SQLite walking this index and stopping at the page.
    assert index_shapes("events_event")["event_reported"] == (["reported_at", "id"], ["DESC", "DESC"])


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner without statistics is the one that chose wrong")
def test_the_event_lists_counts_search_the_area_indexes_by_area_and_never_walk_them(client, world):
    """The command screen's (area, kind, …) indexes lead with the area: with the kind first, the
    list's 已关闭 badge (a capped count naming only the kind and states) walked every event in
    area order, testing visibility case by case (6 s at a million events, issue 11). The badges
    now count the jurisdiction's areas one by one in them (kernel.scoping.counting_parts): a
    search from each area, never a scan of the whole index."""
    from django.urls import reverse

    from zhenjie.testing import fill_lists, query_plan, statements_of

    fill_lists(world)
    client.force_login(world.dispatcher_a)
    counts = [sql for sql in statements_of(lambda: client.get(reverse("events:home"))) if "COUNT(" in sql and '"kernel_case"' in sql]
    assert counts
    for sql in counts:
        # Every read of the case table: a search from an area in one of the (area, kind, …)
        # indexes (case_open_figures for the open tabs since kernel 0026), or a case by its id.
        steps = [step for step in query_plan(sql) if "kernel_case" in step]
        assert steps, query_plan(sql)
        assert all(step.startswith("SEARCH") and ("area_id=?" in step or "PRIMARY KEY" in step) for step in steps), query_plan(sql)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner without statistics is the one that chose wrong")
@pytest.mark.parametrize("person", ["dispatcher_a", "county_admin"])
def test_the_command_screens_open_figures_are_counted_from_an_index_alone(client, world, person):
    """Open, overdue, due soon, waiting and open-by-place read the open cases only, and only from
    case_open_figures: without its closed_at column SQLite took case_area_kind_closed and read every
    open case's row from the table (the county's open figures grew with the open cases, 20,000 at
    1,000,000 events, issue 11). The period's open ones by place walk case_area_kind_closed's
    (closed_at, opened_at) range, also without the table."""
    from django.urls import reverse

    from zhenjie.testing import fill_lists, query_plan, statements_of

    fill_lists(world)
    client.force_login(getattr(world, person))
    statements = statements_of(lambda: client.get(reverse("dashboard:data")))
    open_figures = [sql for sql in statements if sql.split(" FROM ", 1)[-1].startswith('"kernel_case"') and '"kernel_case"."closed_at" IS NULL' in sql and "COUNT(" in sql]
    whenever_reported = [sql for sql in open_figures if '"kernel_case"."opened_at"' not in sql]
    assert len(whenever_reported) == 2  # live_counts' open figures, open_by_area
    for sql in open_figures:
        steps = [step for step in query_plan(sql) if "kernel_case" in step]
        expected = "USING COVERING INDEX case_open_figures " if sql in whenever_reported else "USING COVERING INDEX "
        assert steps and all(expected in step for step in steps), query_plan(sql)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's planner without statistics is the one that chose wrong")
@pytest.mark.parametrize("person", ["dispatcher_a", "county_admin"])
def test_the_maps_newest_open_events_walk_the_open_cases_alone(client, world, person):
    """The map's points (newest open events first, up to its limit) walk case_open_newest, which
    holds the open cases only: before it SQLite walked case_kind_opened through every case ever
    reported, testing each for closed_at, and the county's map took 2.3 s with ten years (a
    million events) behind it and two thousand open (issue 11)."""
    from django.urls import reverse

    from zhenjie.testing import fill_lists, query_plan, statements_of

    fill_lists(world)
    client.force_login(getattr(world, person))
    assert client.get(reverse("dashboard:points")).json()["points"]
    statements = statements_of(lambda: client.get(reverse("dashboard:points")))
    [sql] = [sql for sql in statements if '"events_event"."lng"' in sql and "ORDER BY" in sql]
    steps = [step for step in query_plan(sql) if "kernel_case" in step]
    assert steps == ["SEARCH kernel_case USING INDEX case_open_newest (kind=?)"], query_plan(sql)
