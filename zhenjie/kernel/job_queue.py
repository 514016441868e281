"""The job queue's local storage: Huey's SQLite file, as durable as the database beside it.

Huey's SqliteStorage leaves SQLite's default `synchronous=FULL`, so every job queued pays an
fsync of its WAL — on every report (the early warning is queued after the commit, issue 11).
The platform's own database runs WAL with `synchronous=NORMAL` (settings.py): a commit survives
the process dying and may be lost only with the machine's power, never corrupting the file.
The queue keeps the same promise; Huey itself only offers FULL or OFF, and OFF could corrupt it.
Redis (REDIS_URL) replaces this in production deployments that have it."""

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")  # valid in WAL mode: see the docstring
        return connection


class SqliteQueue(SqliteHuey):
    storage_class = NormalSyncSqliteStorage
