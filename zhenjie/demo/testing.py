"""The demo county for tests, built once per test process and copied in where a test needs it.

Building the demo runs every case kind's real workflow (a minute under load); a dozen test
modules need it. So the first test that asks copies every table aside as it is (SQLite: into an
attached in-memory database; PostgreSQL: into a schema of its own), builds the demo, copies the
tables aside again and puts the first copy back: the tests that want an empty county find it as
they left it. A test that needs the demo then gets it by copying its rows in — inside its own
transaction for `django_db` tests (rolled back with the test), committed for `transactional_db`
tests (emptied by their flush). Fixture: `demo` in zhenjie/conftest.py (`live_demo`, for the
browser tests, builds the demo itself: see there why).

A copy replaces every table's rows, content types and permissions included, so ids are exactly
the demo's. PostgreSQL's sequences are set past the copied ids.
"""

import io
import os
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

SNAPSHOT = "demo_snapshot"  # the attached database (SQLite) or schema (PostgreSQL)
NOT_COPIED = {"django_migrations"}  # the schema's history: the same on both sides


@dataclass(frozen=True)
class DemoSnapshot:
    output: str  # what `manage.py demo` printed when it built the county
    tables: tuple[str, ...]


def build_snapshot() -> DemoSnapshot:
    """Copy the tables as they are (the empty county), build the demo, copy them again, put the
    first copy back. Runs outside any test transaction."""
    tables = tuple(sorted(set(connection.introspection.django_table_names(only_existing=True)) - NOT_COPIED))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # An in-memory database of its own per process (shared by name within the process).
            cursor.execute(f"ATTACH DATABASE 'file:{SNAPSHOT}_{os.getpid()}?mode=memory&cache=shared' AS {SNAPSHOT}")
        else:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT}")
    _copy_aside(tables, "before")
    out = io.StringIO()
    call_command("demo", stdout=out)
    _copy_aside(tables, "demo")
    _copy_back(tables, "before")
    return DemoSnapshot(out.getvalue(), tables)


def restore(snapshot: DemoSnapshot) -> None:
    """Put the demo's rows back in every table (in the caller's transaction, if any)."""
    _copy_back(snapshot.tables, "demo")


def _aside(table: str, copy: str) -> str:
    return f'{SNAPSHOT}."{copy}__{table}"'


def _copy_aside(tables, copy: str) -> None:
    main = _main()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {_aside(table, copy)}")
            cursor.execute(f'CREATE TABLE {_aside(table, copy)} AS SELECT * FROM {main}."{table}"')


def _copy_back(tables, copy: str) -> None:
    from django.apps import apps

    from zhenjie.testing import journal_guard_lifted

    main = _main()
    with transaction.atomic(), journal_guard_lifted(connection), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # tables are replaced in name order
        for table in tables:
            cursor.execute(f'DELETE FROM {main}."{table}"')
            cursor.execute(f'INSERT INTO {main}."{table}" SELECT * FROM {_aside(table, copy)}')
        # SQLite moves its AUTOINCREMENT counters itself; PostgreSQL's sequences are set here.
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)


def _main() -> str:
    return "main" if connection.vendor == "sqlite" else "public"
