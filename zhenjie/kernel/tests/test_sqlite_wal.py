"""A request's connection closing leaves an SQLite database's write-ahead log in place (kernel.sqlite_wal):
without the process's idle connection, the close copied the log back and synced the file on
every request."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write-ahead log")


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    with django_db_blocker.unblock():  # databases of the test's own, outside the test database
        yield


def _file_database(path):
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    return DatabaseWrapper(settings, alias=f"wal_{path.stem}")


def test_a_closed_connection_leaves_its_writes_in_the_log(tmp_path):
    database = _file_database(tmp_path / "county.sqlite3")
    with database.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE report (id INTEGER PRIMARY KEY, body TEXT)")
        cursor.execute("INSERT INTO report (body) VALUES ('路灯不亮')")
    database.close()

    log = tmp_path / "county.sqlite3-wal"
    assert log.exists() and log.stat().st_size > 0  # not checkpointed and deleted on close
    # and the write is there for the next request's connection
    reader = sqlite3.connect(tmp_path / "county.sqlite3")
    assert reader.execute("SELECT body FROM report").fetchall() == [("路灯不亮",)]
    reader.close()


def test_the_idle_connection_holds_no_transaction(tmp_path):
    """A checkpoint can copy every write back: the idle connection pins no old snapshot."""
    database = _file_database(tmp_path / "town.sqlite3")
    with database.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE report (id INTEGER PRIMARY KEY)")
        cursor.executemany("INSERT INTO report DEFAULT VALUES", [()] * 50)
        busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    database.close()
    assert (busy, frames, copied) == (0, 0, 0)  # TRUNCATE: everything copied, the log emptied
