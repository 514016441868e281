"""The local job queue keeps jobs as durably as the database keeps data (kernel/job_queue.py)."""

from zhenjie.kernel.job_queue import SqliteQueue


def test_the_local_queue_commits_without_an_fsync_per_job_and_keeps_what_it_was_given(tmp_path):
    queue = SqliteQueue("zhenjie-test", filename=str(tmp_path / "huey.sqlite3"))
    connection = queue.storage.conn
    assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert connection.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL, as settings.py's database

    queue.storage.enqueue(b"a job", priority=0)
    reopened = SqliteQueue("zhenjie-test", filename=str(tmp_path / "huey.sqlite3"))
    assert reopened.storage.dequeue() == b"a job"
