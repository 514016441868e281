"""Benchmark: the command screen at 1,000,000 events — each endpoint it polls, as the whole
request a browser makes (session, scoping, JSON), for a township's dispatcher and for the county.

Works on the database bench/events.py seeds (run `bench/events.py --seed-only` first; the same
--database-url). Not a test; not run by CI. First runs the nightly job that counts the daily
rows the screen sums and opens today's ledger (events/daily.py; timed, and quick when they are
there), then prints, per user and endpoint, the first request and the median and p95 of the runs
after it, and with --queries the slowest queries of one request with their plans.

    .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/events_bench
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inbox import BENCH_VAR, describe_machine, p95, prepare_database, setup_django  # noqa: E402

DEFAULT_URL = f"sqlite:///{BENCH_VAR / 'events_bench.sqlite3'}"
USERS = ("liuwan.dispatcher", "county.admin")  # 柳湾镇's command centre (35 % of the events); the county
URLS = ("dashboard:data", "dashboard:points", "dashboard:due_soon", "dashboard:departments", "dashboard:analysis")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per endpoint after the first (default 10)")
    parser.add_argument("--forget", action="store_true", help="drop the daily rows first, to time counting them")
    parser.add_argument("--no-rows", action="store_true", help="do not count the daily rows: time the screen counting live")
    parser.add_argument("--queries", action="store_true", help="print the slowest queries of one /dashboard/data/ request, with plans")
    return parser.parse_args(argv)


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code}")
    return elapsed


def slowest_queries(client, url: str, shown: int = 6) -> None:
    from django.db import connection

    spent = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        client.get(url)
    print(f"\n{len(spent)} queries, {sum(ms for ms, _, _ in spent):.1f} ms in the database; the slowest:")
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for ms, sql, params in sorted(spent, key=lambda item: -item[0])[:shown]:
        print(f"{ms:8.1f} ms  {sql[:300]}")
        with connection.cursor() as cursor:
            cursor.execute(explain + sql, params)
            for row in cursor.fetchall():
                print("            ", row[-1] if connection.vendor == "sqlite" else row[0])


def main(argv=None) -> None:
    args = parse_args(argv)
    prepare_database(args.database_url, reseed=False)
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from zhenjie.events import daily, jobs
    from zhenjie.kernel.models import Case

    events = Case.objects.filter(kind="event").count()
    if events < 1000:
        sys.exit(f"{events} events: seed first with bench/events.py --seed-only --database-url {args.database_url}")
    if args.forget:
        daily.forget_all()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # the pages name their assets through the manifest, as served
    describe_machine()
    print(f"{events:,} events; {args.repeat} timed requests per endpoint after the first; milliseconds\n")
    if not args.no_rows:
        started = time.perf_counter()
        jobs.count_yesterday.call_local()
        # Today's ledger, as yesterday's run of that job opens it (nothing else writes here).
        daily.open_today_while_nothing_writes()
        print(f"the nightly job (count the window's missing days, open today's ledger): {time.perf_counter() - started:.1f} s\n")
    print(f"{'user':20} {'endpoint':28} {'first':>9} {'median':>9} {'p95':>9}")
    for username in USERS:
        client = Client(SERVER_NAME="localhost")
        client.force_login(get_user_model().objects.get(username=username))
        for name in URLS:
            url = reverse(name)
            first = timed(client, url)
            runs = [timed(client, url) for _ in range(args.repeat)]
            print(f"{username:20} {url:28} {first:9.1f} {statistics.median(runs):9.1f} {p95(runs):9.1f}")
        if args.queries:
            slowest_queries(client, reverse("dashboard:data"))


if __name__ == "__main__":
    main()
