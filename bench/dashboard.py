"""How fast the command screen answers at a million events (issue 5 item 7: "so the endpoint
stays fast at a million events"). Not a test; not run by CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhenjie_bench_dashboard \\
        .venv/bin/python bench/dashboard.py [--events 1000000]

Builds a county of 10 townships × 10 villages (plus the test world's cast) in an empty
PostgreSQL database, inserts the events in bulk with SQL (a year of history; about 2 % open,
mostly from the last two weeks; 3 % of those overdue), runs ANALYZE, then times each endpoint the
screens poll, as a county-level user and as one township's dispatcher, through Django's test
client (session, scoping, JSON and all). Prints the median of 5 runs after one warm-up."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenjie.test_settings")  # static files without collectstatic
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

URLS = ["dashboard:data", "dashboard:points", "dashboard:analysis", "dashboard:due_soon", "dashboard:departments"]


def build(events: int) -> None:
    from zhenjie.accounts.roles import RoleCode as R
    from zhenjie.areas.actions import create_area
    from zhenjie.testing import make_user, make_world, square

    world = make_world()
    villages = [world.village_a.pk, world.village_b.pk]
    for t in range(3, 11):
        west = 116.0 + 0.2 * (t - 1)
        township, _ = create_area(None, code=f"990199{100 + t:03d}000", name=f"第{t}镇", level="township", parent=world.county,
                                  township_kind="town", boundary=square(west, 35.0, 0.2))
        for v in range(1, 11):
            village, _ = create_area(None, code=f"990199{100 + t:03d}{200 + v:03d}", name=f"第{t}镇{v}村", level="village",
                                     parent=township, village_kind="village", boundary=square(west + 0.02 * (v - 1), 35.0, 0.02))
            villages.append(village.pk)
    make_user("county_dispatcher", world.centre_a, [R.DISPATCHER], world.county)
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id) FROM events_category")
        categories = cursor.fetchone()[0]
        # Recent events are often still open, old ones almost never: open are 35 in 100 of the
        # last two weeks' events and 1 in 200 of the older ones (about 18,000 at 1,000,000).
        cursor.execute(
            """
            INSERT INTO kernel_case (kind, number, title, state, area_id, channel, opened_at, closed_at, deadline_unit,
                due_at, due_uncertain, extended_amount, paused_working_days, paused_seconds, alert, alert_leader_notified,
                external_id, tracking_digest, rating_comment, version, updated_at)
            SELECT 'event', 'BENCH-' || g, '基准事件', s.state, (%(villages)s::bigint[])[1 + g %% cardinality(%(villages)s::bigint[])],
                (ARRAY['grid','grid','grid','citizen','hotline','video','walk_in'])[1 + g %% 7], s.opened,
                CASE WHEN s.state = 'closed' THEN LEAST(s.opened + interval '2 days', now()) END, 'working_days',
                CASE WHEN s.state IN ('dispatched','acknowledged','handling','reported_back') THEN
                    CASE WHEN g %% 33 = 0 THEN now() - interval '5 hours' ELSE now() + (g %% 96) * interval '1 hour' END END,
                false, 0, 0, 0, '', false, '', '', '', 1, now()
            FROM generate_series(1, %(events)s) g
            CROSS JOIN LATERAL (SELECT
                CASE WHEN (g::float / %(events)s * 365 < 14 AND g %% 20 < 7) OR g %% 200 = 0
                     THEN (ARRAY['reported','registered','dispatched','acknowledged','handling','reported_back'])[1 + (g / 20) %% 6]
                     ELSE 'closed' END AS state,
                now() - ((g::float / %(events)s) * 365) * interval '1 day' AS opened) s
            """,
            {"villages": villages, "events": events},
        )
        cursor.execute(
            """
            INSERT INTO events_event (case_id, category_id, channel, description, address, lng, lat, reporter_name,
                reporter_phone_masked, duty_item_code, rejection_reason, result, verification_note,
                reported_at)
            SELECT c.id, (%(categories)s::bigint[])[1 + c.id %% cardinality(%(categories)s::bigint[])], c.channel, '基准事件',
                '', 116.0 + random() * 1.8, 35.0 + random() * 0.1, '', '', '', '', '', '', c.opened_at
            FROM kernel_case c WHERE c.number LIKE 'BENCH-%%'
            """,
            {"categories": categories},
        )
        cursor.execute("ANALYZE")


def timed(client, url, runs=5) -> float:
    client.get(url)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: DATABASE_URL=postgres://…/zhenjie_bench_dashboard")
    call_command("migrate", verbosity=0)
    from zhenjie.accounts.models import User
    from zhenjie.events.models import Event

    if not Event.objects.exists():
        started = time.perf_counter()
        build(options.events)
        print(f"built {Event.objects.count():,} events in {time.perf_counter() - started:.0f} s")
    print(f"{'endpoint':<28}{'county (ms)':>14}{'township (ms)':>16}")
    for name in URLS:
        row = []
        for username in ("county_dispatcher", "dispatcher_b"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            row.append(timed(client, reverse(name)))
        print(f"{name:<28}{row[0]:>14.0f}{row[1]:>16.0f}")


if __name__ == "__main__":
    main()
