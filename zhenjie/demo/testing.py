"""The demo county for tests, built once per test process and copied in where a test needs it.

Building the demo runs every case kind's real workflow (a minute under load); a dozen test
modules and the browser tests need it. So the first test that asks copies every table aside as it
is (SQLite: into an attached database in a temporary file; PostgreSQL: into a schema of its own),
builds the demo, copies the tables aside again and puts the first copy back: the tests that want
an empty county find it as they left it. A test that needs the demo then gets it by copying its
rows in — inside its own transaction for `django_db` tests (rolled back with the test),
committed for `transactional_db` tests (emptied by their flush). Fixtures: `demo` and
`live_demo` in zhenjie/conftest.py.

Why a file and not an in-memory database: in a whole SQLite run the attachment was gone by the
time the browser tests restored from it (CI, 2026-12-06: "no such table: demo_snapshot.…"), and
an in-memory database dies with its last connection. A file outlives any connection, and a
connection that lost the attachment attaches it again (outside a transaction: SQLite refuses
ATTACH inside one).

A copy replaces every table's rows, content types and permissions included, so ids are exactly
the demo's. PostgreSQL's sequences are set past the copied ids.
"""

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

SNAPSHOT = "demo_snapshot"  # the attached database (SQLite) or schema (PostgreSQL)
NOT_COPIED = {"django_migrations"}  # the schema's history: the same on both sides


@dataclass(frozen=True)
class DemoSnapshot:
    output: str  # what `manage.py demo` printed when it built the county
    tables: tuple[str, ...]
    file: str = ""  # SQLite: the attached database's file


def build_snapshot() -> DemoSnapshot:
    """Copy the tables as they are (the empty county), build the demo, copy them again, put the
    first copy back. Runs outside any test transaction."""
    tables = tuple(sorted(set(connection.introspection.django_table_names(only_existing=True)) - NOT_COPIED))
    file = ""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            file = str(Path(tempfile.mkdtemp(prefix="zhenjie-demo-")) / "snapshot.sqlite3")
            _attach(cursor, file)
        else:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT}")
    _copy_aside(tables, "before")
    out = io.StringIO()
    call_command("demo", stdout=out)
    _copy_aside(tables, "demo")
    _copy_back(tables, "before", file)
    return DemoSnapshot(out.getvalue(), tables, file)


def restore(snapshot: DemoSnapshot) -> None:
    """Put the demo's rows back in every table (in the caller's transaction, if any)."""
    _copy_back(snapshot.tables, "demo", snapshot.file)


def _attach(cursor, file: str) -> None:
    """Attach the snapshot's file to this connection unless it is attached already."""
    cursor.execute("PRAGMA database_list")
    if any(row[1] == SNAPSHOT for row in cursor.fetchall()):
        return
    if connection.in_atomic_block:
        raise RuntimeError(f"the demo snapshot is not attached to this connection and SQLite cannot attach {file} inside a transaction")
    cursor.execute(f"ATTACH DATABASE %s AS {SNAPSHOT}", [file])
    cursor.execute(f"PRAGMA {SNAPSHOT}.synchronous = OFF")  # a test process's scratch copy


def _aside(table: str, copy: str) -> str:
    return f'{SNAPSHOT}."{copy}__{table}"'


def _copy_aside(tables, copy: str) -> None:
    main = _main()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {_aside(table, copy)}")
            cursor.execute(f'CREATE TABLE {_aside(table, copy)} AS SELECT * FROM {main}."{table}"')


def _copy_back(tables, copy: str, file: str) -> None:
    from django.apps import apps

    from zhenjie.testing import journal_guard_lifted

    main = _main()
    if file:
        with connection.cursor() as cursor:
            _attach(cursor, file)
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
