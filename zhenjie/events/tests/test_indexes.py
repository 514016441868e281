"""The command screen's partial indexes on the case table, created in plain SQL by events.0002
(the kernel's model cannot name a kind), survive every later migration of that table."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_event_indexes_on_the_case_table_survive_the_migrations():
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "kernel_case"))
    assert {"case_event_opened", "case_event_open", "case_event_closed"} <= names
    with connection.cursor() as cursor:
        assert "event_reported" in connection.introspection.get_constraints(cursor, "events_event")
