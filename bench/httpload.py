#!/usr/bin/env python
"""Benchmark: whole requests under load, through the production server, on a seeded database.

Not a test and not run by CI. On a database bench/events.py seeded (it does not seed one), it
migrates, collects the static files, starts gunicorn as production does (zhenjie.wsgi, 2 sync
workers, DEBUG off, the benchmark's var directory), logs in as users do (the login form for the
dispatcher's pages, POST /api/auth/token for the API), then loads each scenario with wrk for
--duration seconds per client count, after a warm-up, and prints req/s, p50, p99 and the
answers that were not 2xx. The server is stopped at the end, on error and on Ctrl-C.
See bench/README.md; figures go to docs/PERFORMANCE.md.

    .venv/bin/python bench/events.py --seed-only --events 100000   # a database first
    .venv/bin/python bench/httpload.py --duration 10                   # var/bench/events_bench.sqlite3
    .venv/bin/python bench/httpload.py --database-url postgres://postgres@127.0.0.1:5432/http_bench
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench/, for the helpers of inbox.py and events.py

from events import DEFAULT_URL  # noqa: E402
from inbox import BENCH_VAR, ROOT, describe_machine, load_average, prepare_database, setup_django  # noqa: E402

PASSWORD = "Zhenjie@2026"  # every demo account's (zhenjie/demo/build.py)
LUA = HERE / "httpload.lua"


@dataclass
class Scenario:
    name: str
    what: str
    kind: str = "get"  # get | report | flow (bench/httpload.lua)
    auth: str = "session"  # session | token
    paths: list[str] = field(default_factory=list)


def load_parser(doc: str, scenarios: dict, port: int) -> argparse.ArgumentParser:
    """The options every whole-request bench shares (this one and httpload_window.py): how long,
    how many clients, which scenarios, the server's shape, wrk's timeout, the JSON file."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per scenario and client count (default 10)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of load per scenario before it is measured, not counted (default 3)"
    )
    parser.add_argument("--clients", default="1,8", help="connections wrk holds open, comma-separated (default 1,8)")
    parser.add_argument(
        "--scenarios", default=",".join(scenarios), help=f"comma-separated, in this order (default all: {','.join(scenarios)})"
    )
    parser.add_argument("--port", type=int, default=port, help=f"the server's port on 127.0.0.1 (default {port})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker; over 1 gunicorn runs gthread workers, as `manage.py serve` (4) does (default 1: sync)",
    )
    parser.add_argument("--timeout", type=int, default=60, help="wrk's per-request timeout in seconds (default 60)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    return parser


def parse_load_args(parser: argparse.ArgumentParser, scenarios: dict, argv=None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(scenarios)
    if unknown:
        parser.error(f"unknown scenarios {', '.join(sorted(unknown))}; known: {', '.join(scenarios)}")
    return args


def parse_args(argv=None) -> argparse.Namespace:
    parser = load_parser(__doc__, SCENARIOS, 8765)
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"a seeded database; its name must contain 'bench' (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--user", default="liuwan.dispatcher", help="the dispatcher whose pages are loaded (default liuwan.dispatcher)"
    )
    parser.add_argument(
        "--reporters", type=int, default=8, help="grid workers of the dispatcher's township who report (default 8)"
    )
    parser.add_argument("--sample", type=int, default=1000, help="event ids the detail scenarios pick from (default 1000)")
    parser.add_argument("--min-events", type=int, default=100_000, help="refuse a database with fewer events (default 100,000)")
    return parse_load_args(parser, SCENARIOS, argv)


# name: what it loads. Reads first; the two that write come last, since they add events.
SCENARIOS = {
    "list_page": "GET /events/, the dispatcher's event list (session)",
    "list_api": "GET /api/events?page_size=25 (token)",
    "inbox_page": "GET /inbox/, the dispatcher's inbox (session)",
    "inbox_api": "GET /api/inbox (token)",
    "detail_page": "GET /events/<id>/, random ids the dispatcher sees (session)",
    "detail_api": "GET /api/events/<id>, the same ids (token)",
    "dashboard_data": "GET /dashboard/data/, the command screen's figures (session)",
    "create": "POST /api/events, multipart, grid workers of the township (their tokens)",
    "flow": "report, register, dispatch through the API; figure: events dispatched per second",
}


# ── the database ──────────────────────────────────────────────────────────────────────────────


def check_seeded(url: str, least: int) -> int:
    """The events in the database, or exit saying how to seed it. Counted before migrating, so a
    mistyped URL does not leave a freshly migrated empty database behind."""
    from django.db import connection

    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "sqlite" and not Path(parts.path).exists():
        count = 0
    elif "events_event" not in connection.introspection.table_names():
        count = 0
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM events_event")
            count = cursor.fetchone()[0]
    if count < least:
        sys.exit(f"{count:,} events in {url}; this benchmark wants at least {least:,} (--min-events). Seed them first:\n"
                 f"  .venv/bin/python bench/events.py --seed-only --events 1000000 --database-url {url}")  # fmt: skip
    return count


def prepare() -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)  # index changes are measured without reseeding
    call_command("collectstatic", verbosity=0, interactive=False)  # WhiteNoise serves what the pages link
    print(f"migrated and collected static files ({time.monotonic() - started:.0f}s)")


@dataclass
class Cast:
    """Who the load acts as, and what it picks from."""

    dispatcher: str
    township: str
    reporters: list[tuple[str, float, float]]  # grid worker, a point in their grid
    categories: list[str]
    routable: list[str]  # those the lists route to a unit of the township: dispatch needs no unit
    detail_ids: list[int]
    visible: int


def cast(username: str, reporters: int, sample: int) -> Cast:
    from zhenjie.accounts.models import Post, User
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.areas.models import Area
    from zhenjie.areas.paths import township_path
    from zhenjie.events import routing
    from zhenjie.events.queries import active_categories, events_for

    user = User.objects.get(username=username)
    post = Post.objects.filter(user=user, is_active=True).exclude(jurisdiction=None).select_related("jurisdiction").first()
    if post is None:
        sys.exit(f"{username} has no post with a jurisdiction")
    township = Area.objects.get(path=township_path(post.jurisdiction.path))
    grids = (
        Post.objects.filter(is_active=True, roles__code=RoleCode.GRID_WORKER, jurisdiction__path__startswith=township.path,
                            jurisdiction__center_lng__isnull=False)
        .select_related("user", "jurisdiction").order_by("user__username").distinct()
    )  # fmt: skip
    points = [(p.user.username, p.jurisdiction.center_lng, p.jurisdiction.center_lat) for p in grids[:reporters]]
    categories = list(active_categories())
    ids = list(events_for(user).order_by().values_list("case_id", flat=True))
    return Cast(
        dispatcher=username, township=township.name, reporters=points, categories=[c.code for c in categories],
        routable=[c.code for c in categories if routing.route(c, township).unit is not None],
        detail_ids=random.Random(11).sample(ids, min(sample, len(ids))), visible=len(ids),
    )  # fmt: skip


def row_counts() -> dict[str, int]:
    from zhenjie.events.models import Event
    from zhenjie.kernel.models import Assignment, Case

    return {"events": Event.objects.count(), "cases": Case.objects.count(), "assignments": Assignment.objects.count()}


# ── the server ────────────────────────────────────────────────────────────────────────────────


class Server:
    """gunicorn in its own process group, with the environment setup_django() gave this process
    (DATABASE_URL, ZHENJIE_VAR_DIR, DEBUG=0); its output goes to a log under var/bench/."""

    def __init__(self, port: int, workers: int, threads: int):
        self.base = f"http://127.0.0.1:{port}"
        self.log = BENCH_VAR / f"http-gunicorn-{port}.log"
        self.command = [
            sys.executable, "-m", "gunicorn", "zhenjie.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--timeout", "120", "--graceful-timeout", "20",
            "--access-logfile", "-",
        ]  # fmt: skip
        self.process = None

    def start(self) -> None:
        if self._answers("/healthz", 1) is not None:
            sys.exit(f"something already answers on {self.base}: choose another --port")
        log = open(self.log, "w")
        # A session of its own: stopping the group stops the master and its workers together.
        self.process = subprocess.Popen(self.command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(
                    f"gunicorn stopped (exit {self.process.returncode}); its log, {self.log}:\n{self.log.read_text()[-2000:]}"
                )
            if self._answers("/healthz", 5) == 200:
                print(f"gunicorn answers on {self.base} (pid {self.process.pid}; log {self.log.relative_to(ROOT)})")
                return
            time.sleep(0.3)
        sys.exit(f"gunicorn did not answer /healthz within 90 s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        print(f"gunicorn stopped (pid {self.process.pid})")

    def _answers(self, path: str, timeout: float) -> int | None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def settle(self, limit: float = 120) -> None:
        """Wait until /healthz answers promptly twice running: a sync worker finishes the requests
        wrk gave up on when a run ended, which would otherwise load the next run."""
        deadline, prompt = time.monotonic() + limit, 0
        while prompt < 2 and time.monotonic() < deadline:
            started = time.perf_counter()
            self._answers("/healthz", limit)
            prompt = prompt + 1 if time.perf_counter() - started < 0.2 else 0
            time.sleep(0.1)


# ── logging in, as users do ───────────────────────────────────────────────────────────────────


def session_cookie(base: str, username: str) -> str:
    """Log in through the login form (CSRF cookie and token, then the POST); the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=60).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": "/"})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form.encode(), headers={"Referer": f"{base}/accounts/login/"}),
                timeout=60).read()  # fmt: skip
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if session is None:
        sys.exit(f"logging in as {username} through /accounts/login/ failed")
    return f"sessionid={session}; csrftoken={csrf}"


def api_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base}/api/auth/token", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)["token"]
    except urllib.error.HTTPError as error:
        sys.exit(f"POST /api/auth/token as {username}: {error.code} {error.read()[:300]!r}")


def probe(base: str, path: str, header: str) -> tuple[int, float, int]:
    """One request before the load: status, milliseconds, bytes (a page that fails is said at once)."""
    name, value = header.split(": ", 1)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers={name: value}), timeout=120) as answer:
            status, size = answer.status, len(answer.read())
    except urllib.error.HTTPError as error:
        status, size = error.code, len(error.read())
    return status, (time.perf_counter() - started) * 1000, size


# ── the load ──────────────────────────────────────────────────────────────────────────────────


def scenarios(names: list[str], crew: Cast) -> list[Scenario]:
    ids = crew.detail_ids
    paths = {
        "list_page": ["/events/"], "list_api": ["/api/events?page_size=25"], "inbox_page": ["/inbox/"], "inbox_api": ["/api/inbox"],
        "detail_page": [f"/events/{i}/" for i in ids], "detail_api": [f"/api/events/{i}" for i in ids],
        "dashboard_data": ["/dashboard/data/"],
    }  # fmt: skip
    chosen = []
    for name in names:
        if name in ("create", "flow"):
            chosen.append(Scenario(name, SCENARIOS[name], kind="report" if name == "create" else "flow", auth="token"))
        else:
            chosen.append(Scenario(name, SCENARIOS[name], auth="token" if "_api" in name else "session", paths=paths[name]))
    return chosen


def wrk(base: str, env: dict[str, str], clients: int, seconds: int, timeout: int) -> dict:
    command = ["wrk", "--threads", str(min(clients, 2)), "--connections", str(clients), "--duration", f"{seconds}s",
               "--timeout", f"{timeout}s", "--script", str(LUA), base]  # fmt: skip
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=seconds + timeout + 60)
    found = re.search(r"^HTTPBENCH (\{.*\})$", done.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk gave no figures (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = json.loads(found.group(1))
    figures["rps"] = figures["good"] / figures["seconds"]
    figures["dispatched_per_s"] = figures["dispatched"] / figures["seconds"]
    return figures


def run(args, crew: Cast, tmp: Path) -> list[dict]:
    server = Server(args.port, args.workers, args.threads)
    try:
        server.start()
        cookie = f"Cookie: {session_cookie(server.base, crew.dispatcher)}"
        bearer = f"Authorization: Bearer {api_token(server.base, crew.dispatcher)}"
        grid = tmp / "grid.txt"
        grid.write_text("".join(f"{api_token(server.base, name)} {lng} {lat}\n" for name, lng, lat in crew.reporters))
        print(
            f"logged in: {crew.dispatcher} (session and token), {len(crew.reporters)} grid workers of {crew.township} (tokens)\n"
        )
        loads = []
        for scenario in scenarios(args.scenarios, crew):
            env = {"BENCH_KIND": scenario.kind, "BENCH_HEADER": cookie if scenario.auth == "session" else bearer}
            if scenario.kind != "get":
                codes = crew.routable if scenario.kind == "flow" else crew.categories
                env |= {"BENCH_GRID": str(grid), "BENCH_CODES": " ".join(codes), "BENCH_DISPATCHER": bearer.rsplit(" ", 1)[1]}
            loads.append((scenario, env))
        results = measure(server, args, loads, tmp)
        return results
    finally:
        server.stop()


def measure(server: Server, args, loads: list[tuple[Scenario, dict[str, str]]], tmp: Path) -> list[dict]:
    """Each scenario after a warm-up, at each client count, the server settled between runs. A GET
    scenario's paths go to wrk in a file and its first path is tried once first (a failing page is
    said at once)."""
    results = []
    for scenario, env in loads:
        if scenario.kind == "get":
            listed = tmp / f"{scenario.name}.txt"
            listed.write_text("\n".join(scenario.paths) + "\n")
            env = env | {"BENCH_PATHS": str(listed)}
            status, ms, size = probe(server.base, scenario.paths[0], env["BENCH_HEADER"])
            print(f"{scenario.name}: {scenario.what}; first request {status}, {ms:,.0f} ms, {size:,} bytes", flush=True)
            if not 200 <= status < 300:
                print(f"  warning: {scenario.paths[0]} answered {status}; its figures count only 2xx as served")
        else:
            print(f"{scenario.name}: {scenario.what}", flush=True)
        if args.warmup > 0:
            wrk(server.base, env, max(args.clients), args.warmup, args.timeout)
            server.settle()
        for clients in args.clients:
            load = os.getloadavg()[0]
            figures = wrk(server.base, env, clients, args.duration, args.timeout)
            figures |= {"scenario": scenario.name, "clients": clients, "load_before": round(load, 2),
                        "load_after": round(os.getloadavg()[0], 2)}  # fmt: skip
            results.append(figures)
            print(f"  {clients:>3} clients  {line(figures)}", flush=True)
            server.settle()
    return results


def line(r: dict) -> str:
    extra = f"  {r['dispatched_per_s']:.1f} events dispatched/s" if r["scenario"] == "flow" else ""
    return (f"{r['rps']:>8.1f} req/s  p50 {r['p50_ms']:>8.1f} ms  p99 {r['p99_ms']:>8.1f} ms  non-2xx {r['other']:>4}  "
            f"errors {r['socket_errors'] + r['timeouts']:>3}  load {r['load_before']:.2f}{extra}")  # fmt: skip


def table(results: list[dict]) -> None:
    print("\n| scenario | clients | answers | req/s | p50 ms | p99 ms | non-2xx | errors | load avg (1 min, before) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rate = f"{r['rps']:.1f}" + (f" ({r['dispatched_per_s']:.1f} dispatched/s)" if r["scenario"] == "flow" else "")
        print(f"| {r['scenario']} | {r['clients']} | {r['requests']} | {rate} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['other']} | "
              f"{r['socket_errors'] + r['timeouts']} | {r['load_before']:.2f} |")  # fmt: skip


def interrupted(*_) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the run as Ctrl-C does: the server is stopped on the way out


def main(argv=None) -> None:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (Debian, Ubuntu), then run this again")
    prepare_database(args.database_url, reseed=False)  # refuses a name without "bench"
    setup_django(args.database_url)  # the server started below inherits this environment
    found = check_seeded(args.database_url, args.min_events)
    prepare()
    from django.db import connections

    crew = cast(args.user, args.reporters, args.sample)
    counts = row_counts()
    describe_machine()
    print(f"rows: {counts['events']:,} events, {counts['cases']:,} cases, {counts['assignments']:,} assignments; "
          f"{crew.dispatcher} sees {crew.visible:,} events")  # fmt: skip
    print(f"server: gunicorn, {args.workers} workers x {args.threads} thread(s), DEBUG off; wrk {args.duration}s per run after "
          f"{args.warmup}s warm-up, clients {','.join(map(str, args.clients))}\n")  # fmt: skip
    connections.close_all()  # the server's workers have the database to themselves
    signal.signal(signal.SIGTERM, interrupted)
    with tempfile.TemporaryDirectory(prefix="httpbench-") as tmp:
        results = run(args, crew, Path(tmp))
    table(results)
    print(f"\n{load_average()} at the end; {found:,} events before the run")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "database": re.sub(r"//[^@/]*@", "//", args.database_url), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "rows": counts, "visible": crew.visible, "workers": args.workers, "threads": args.threads,
            "duration": args.duration, "warmup": args.warmup, "cpus": os.cpu_count(), "results": results,
        }, indent=1))  # fmt: skip
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; the server was stopped")
