#!/usr/bin/env python
"""Benchmark: the service window's pages and API as whole requests under load, on a seeded database.

Not a test and not run by CI. The same harness as bench/httpload.py (gunicorn as production runs
it, 2 sync workers, DEBUG off; users log in through the login form or POST /api/auth/token; wrk
per scenario and client count after a warm-up), on a database bench/window.py seeded:

    .venv/bin/python bench/window.py --seed-only                      # 1,000,000 applications (SQLite)
    .venv/bin/python bench/httpload_window.py --duration 10
    .venv/bin/python bench/httpload_window.py --database-url postgres://postgres@127.0.0.1:5432/zhenjie_bench_window

The window clerk (liuwan.window) loads the application list, their queue, an application's page
and files applications through the API (every paper received, applicants reused by ID number, the
receipt PDF made as at the counter); the back office (liuwan.backoffice) loads the queue of what
waits for its decision. See bench/README.md; figures go to docs/PERFORMANCE.md.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from httpload import Scenario, Server, api_token, interrupted, load_parser, measure, parse_load_args, prepare, session_cookie, table  # noqa: E402
from inbox import describe_machine, load_average, prepare_database, setup_django  # noqa: E402
from window import DEFAULT_URL  # noqa: E402

# name: (what it loads, who, how they are logged in)
SCENARIOS = {
    "list_page": ("GET /window/, the clerk's application list", "clerk", "session"),
    "list_api": ("GET /api/applications, the same list (token)", "clerk", "token"),
    "queue_page": ("GET /window/queue/, what waits at the clerk's front desk", "clerk", "session"),
    "backoffice_page": ("GET /window/backoffice/, what waits for the back office's decision", "backoffice", "session"),
    "backoffice_api": ("GET /api/window/backoffice/queue, the same queue (token)", "backoffice", "token"),
    "detail_page": ("GET /window/<id>/, random applications the clerk sees", "clerk", "session"),
    "detail_api": ("GET /api/applications/<id>, the same ids (token)", "clerk", "token"),
    "file": ("POST /api/applications, the clerk files (receipt PDF included)", "clerk", "token"),
}
PATHS = {
    "list_page": ["/window/"], "list_api": ["/api/applications"], "queue_page": ["/window/queue/"],
    "backoffice_page": ["/window/backoffice/"], "backoffice_api": ["/api/window/backoffice/queue"],
}  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = load_parser(__doc__, SCENARIOS, 8766)
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"a database bench/window.py seeded (default {DEFAULT_URL})")
    parser.add_argument("--clerk", default="liuwan.window", help="the window clerk (default liuwan.window)")
    parser.add_argument("--backoffice", default="liuwan.backoffice", help="the back-office handler (default liuwan.backoffice)")
    parser.add_argument("--sample", type=int, default=1000, help="application ids the detail scenarios pick from (default 1000)")
    parser.add_argument("--min-applications", type=int, default=100_000, help="refuse a database with fewer (default 100,000)")
    return parse_load_args(parser, SCENARIOS, argv)


def check_seeded(url: str, least: int) -> int:
    from django.db import connection

    parts = urllib.parse.urlsplit(url)
    count = 0
    if not (parts.scheme == "sqlite" and not Path(parts.path).exists()) and "window_application" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM window_application")
            count = cursor.fetchone()[0]
    if count < least:
        sys.exit(f"{count:,} applications in {url}; this benchmark wants at least {least:,} (--min-applications). Seed them first:\n"
                 f"  .venv/bin/python bench/window.py --seed-only --database-url {url}")  # fmt: skip
    return count


def filing_bodies(clerk_name: str, count: int = 200) -> list[str]:
    """JSON bodies of POST /api/applications: the clerk's township's items in force, every paper
    received, applicants drawn from 500 reused ID numbers (found, not registered again)."""
    from django.utils import timezone

    from zhenjie.accounts.models import Post
    from zhenjie.areas.paths import township_path
    from zhenjie.demo import county as plan
    from zhenjie.kernel.pii import citizen_id_check_character
    from zhenjie.lists.models import ListKind, ListSeries, ServiceItem, ServiceMaterial
    from zhenjie.lists.queries import version_in_force

    post = Post.objects.filter(user__username=clerk_name, is_active=True).select_related("unit__area").first()
    if post is None:
        sys.exit(f"{clerk_name} has no active post")
    area = post.unit.area
    series = ListSeries.objects.get(kind=ListKind.SERVICE, area__path=township_path(area.path))
    items = list(ServiceItem.objects.filter(version=version_in_force(series, timezone.localdate()), agent_point=False))
    materials = {}
    for m in ServiceMaterial.objects.filter(item__in=items):
        materials.setdefault(m.item_id, []).append({"material_id": m.pk, "status": "received", "form": m.form, "copies": m.copies})
    rng, bodies = random.Random(7), []
    for n in range(count):
        item = rng.choice(items)
        k = rng.randrange(500)
        number = f"{plan.COUNTY_CODE}1970{k // 28 % 12 + 1:02d}{k % 28 + 1:02d}{k % 1000:03d}"
        bodies.append(json.dumps({
            "item_id": item.pk, "channel": "window", "applicant_kind": "person", "applicant_name": f"申请人{k}",
            "id_number": number + citizen_id_check_character(number), "phone": "13800138000", "materials": materials.get(item.pk, []),
        }, ensure_ascii=False))  # fmt: skip
    return bodies


def main(argv=None) -> None:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (Debian, Ubuntu), then run this again")
    prepare_database(args.database_url, reseed=False)
    setup_django(args.database_url)
    found = check_seeded(args.database_url, args.min_applications)
    prepare()
    from django.db import connections

    from zhenjie.accounts.models import User
    from zhenjie.kernel.models import Assignment, Case
    from zhenjie.window.queries import applications_for

    clerk = User.objects.get(username=args.clerk)
    ids = list(applications_for(clerk).order_by().values_list("case_id", flat=True))
    sample = random.Random(11).sample(ids, min(args.sample, len(ids)))
    bodies = filing_bodies(args.clerk)
    describe_machine()
    print(f"rows: {found:,} applications, {Case.objects.count():,} cases, {Assignment.objects.count():,} assignments; "
          f"{args.clerk} sees {len(ids):,}")  # fmt: skip
    print(f"server: gunicorn, {args.workers} workers x {args.threads} thread(s), DEBUG off; wrk {args.duration}s per run after "
          f"{args.warmup}s warm-up, clients {','.join(map(str, args.clients))}\n")  # fmt: skip
    connections.close_all()
    signal.signal(signal.SIGTERM, interrupted)
    server = Server(args.port, args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="httpbench-window-") as tmp:
        try:
            server.start()
            users = {"clerk": args.clerk, "backoffice": args.backoffice}
            headers = {}
            for role, name in users.items():
                headers[role, "session"] = f"Cookie: {session_cookie(server.base, name)}"
                headers[role, "token"] = f"Authorization: Bearer {api_token(server.base, name)}"
            listed = Path(tmp) / "bodies.txt"
            listed.write_text("\n".join(bodies) + "\n", encoding="utf-8")
            loads = []
            for name in args.scenarios:
                what, role, auth = SCENARIOS[name]
                env = {"BENCH_HEADER": headers[role, auth]}
                if name == "file":
                    loads.append((Scenario(name, what, kind="post", auth=auth),
                                  env | {"BENCH_KIND": "post", "BENCH_POST_PATH": "/api/applications", "BENCH_BODIES": str(listed)}))  # fmt: skip
                    continue
                paths = PATHS.get(name) or [f"/window/{i}/" if name == "detail_page" else f"/api/applications/{i}" for i in sample]
                loads.append((Scenario(name, what, auth=auth, paths=paths), env | {"BENCH_KIND": "get"}))
            results = measure(server, args, loads, Path(tmp))
        finally:
            server.stop()
    for r in results:
        r.setdefault("dispatched_per_s", 0.0)
    table(results)
    print(f"\n{load_average()} at the end; {found:,} applications before the run")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "database": re.sub(r"//[^@/]*@", "//", args.database_url), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "applications": found, "visible": len(ids), "workers": args.workers, "threads": args.threads,
            "duration": args.duration, "warmup": args.warmup, "cpus": os.cpu_count(), "results": results,
        }, indent=1))  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; the server was stopped")
