"""The command screen's partial indexes on the case table, created in plain SQL by events.0002
(the kernel's model cannot name a kind), survive every later migration of that table; the event
list's order index holds the list's order."""

import pytest
from zhenjie.testing import index_shapes

pytestmark = pytest.mark.django_db


def test_the_event_indexes_on_the_case_table_survive_the_migrations():
    assert {"case_event_opened", "case_event_open", "case_event_closed"} <= set(index_shapes("kernel_case"))


def test_the_event_list_walks_an_index_in_its_own_order():
    # events_for orders by -reported_at, -pk; the plan test (workbench/tests/test_list_queries.py)
    # finds SQLite walking this index and stopping at the page.
    assert index_shapes("events_event")["event_reported"] == (["reported_at", "id"], ["DESC", "DESC"])
