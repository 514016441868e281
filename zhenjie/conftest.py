import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _flush_past_the_journal_guard():
    """The database refuses DELETE and TRUNCATE on the journal (kernel migration 0017). Emptying
    the whole test database after a transactional test is the one deletion the suite needs: lift
    the guard for that flush only, inside its transaction."""
    from django.db import transaction
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if not any("kernel_journalentry" in sql for sql in sql_list):
            return original(self, sql_list)
        from zhenjie.testing import journal_guard_lifted

        with transaction.atomic(using=self.connection.alias), journal_guard_lifted(self.connection):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush


_flush_past_the_journal_guard()


@pytest.fixture
def world(db):
    from zhenjie.testing import make_world

    return make_world()


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The demo county, built once in this test process (zhenjie/demo/testing.py)."""
    from zhenjie.demo.testing import build_snapshot

    with django_db_blocker.unblock():
        return build_snapshot()


@pytest.fixture
def demo(demo_snapshot, db):
    """The demo county in this test's transaction. Returns what `manage.py demo` printed."""
    from zhenjie.demo.testing import restore

    restore(demo_snapshot)
    return demo_snapshot.output


@pytest.fixture
def live_demo(demo_snapshot, transactional_db):
    """The demo county committed, for a live server and a browser (emptied after the test by the
    transactional test's flush). Returns what `manage.py demo` printed."""
    from zhenjie.demo.testing import restore

    restore(demo_snapshot)
    return demo_snapshot.output


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Cached policy, calendar and per-user reach must not leak from one test into the next."""
    from django.core.cache import cache

    from zhenjie.kernel.calendar import forget_calendar

    cache.clear()
    forget_calendar()
    yield
    cache.clear()
    forget_calendar()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # The machine's network is closed; without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless. Skipped where it is not installed, unless CI requires it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ZHENJIE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts():
    """Where browser tests leave their screenshots (test-artifacts/, not committed)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


def _one_live_request_at_a_time():
    """Browser tests drive Django's live server, whose request threads share the test's one
    in-memory SQLite connection (connections_override). Two requests stepping statements on it at
    once — the wall screen polls its figures and its map together — can lock up for good. So the
    live server handles one request at a time (sockets stay concurrent; only the application call
    is serialised). PostgreSQL gives each thread its own connection and is left as it is."""
    import threading

    from django.core.handlers.wsgi import WSGIHandler

    original, lock = WSGIHandler.__call__, threading.Lock()

    def __call__(self, environ, start_response):
        from django.db import connection

        if connection.vendor != "sqlite":
            return original(self, environ, start_response)
        with lock:
            return original(self, environ, start_response)

    WSGIHandler.__call__ = __call__


_one_live_request_at_a_time()


def pytest_collection_modifyitems(items):
    """Tests marked slow run first. `make test` spreads the suite over parallel workers (xdist)
    in collection order; a two-minute test collected last would leave one worker running alone at
    the end. The sort is stable and the same in every worker, as xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
