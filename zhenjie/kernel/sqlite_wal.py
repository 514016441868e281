"""Keep an SQLite database's write-ahead log between requests.

In WAL mode, the last connection to close copies the log back into the database file, syncs the
file and deletes the log (a checkpoint on close). Django closes its connection at the end of each
request when CONN_MAX_AGE is 0, and a server's workers hold no other connection, so every request
paid that sync, reads included, and the next one made the log anew: a create took 33–35 ms in
one process instead of 18–21 (issue 11, docs/PERFORMANCE.md, ninth round). Each process therefore keeps one idle
connection to each database file it opens: the log stays, and SQLite checkpoints it every 1,000
pages (wal_autocheckpoint), as it does for a server with long-lived connections.

The idle connection never holds a transaction, so it never holds a checkpoint back, and it is
never used again. It belongs to the process that opened it: a forked child (a job-queue worker)
opens its own and leaves its parent's alone — SQLite must not close a connection inherited
across fork, so the parent's stays referenced here for the child's whole life."""

import os
import sqlite3
import threading

_kept: dict[tuple[int, str], sqlite3.Connection] = {}
_lock = threading.Lock()


def keep_log(sender, connection, **kwargs):
    """connection_created: hold the file's log open in this process, once per file."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    key = (os.getpid(), str(connection.settings_dict["NAME"]))
    if key in _kept:
        return
    with _lock:
        if key not in _kept:
            _kept[key] = _idle_connection(key[1])


def _idle_connection(path: str) -> sqlite3.Connection:
    # uri=True as Django opens it: a NAME written as a file: URI names the same file.
    keeper = sqlite3.connect(path, uri=True, isolation_level=None, check_same_thread=False)
    # A read opens the log's shared index: from then on this connection counts as open on it.
    # The statement is finished before it returns, so no read transaction is left open.
    keeper.execute("PRAGMA user_version").fetchall()
    return keeper
