#!/usr/bin/env python
"""Benchmark: the service window at 1,000,000 applications — the applications list, the clerk's
queue and the back office's queue against hand-written SQL, and filing an application against raw
inserts.

Not a test and not run by CI. It builds its own database (SQLite under var/bench/ by default, or
the PostgreSQL database given with --database-url), loads the demo county (without its event and
application history), seeds N applications with the assignments the workflow would have left by
bulk insert, then:

1. times, each as the page reads it — reach_of(), the count and the first page of 20 with what a
   row shows — against hand-written SQL that returns the same ids and count: (a) the window
   clerk's applications list (`applications_for`, counted from the indexes by `counted_for`),
   (b) the clerk's queue (待受理, `queue_for`: the centre's open checks by deadline) and (c) the
   back office's queue (待审批, `decision_queue_for`: the centre's open decisions by deadline);
2. times filing: the clerk's own action, window.actions.intake.file_application (applicant found
   by ID number, every paper received), against raw INSERTs of the same rows (in bulk, and one
   application per transaction; the raw rows are deleted again).

See bench/README.md; figures go to docs/PERFORMANCE.md.

    .venv/bin/python bench/window.py --applications 20000      # try it small first
    .venv/bin/python bench/window.py                           # 1,000,000 applications on SQLite
    .venv/bin/python bench/window.py --database-url postgres://postgres@127.0.0.1:5432/zhenjie_bench_window
"""

import io
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, for the shared helpers

from events import Seeder as EventSeeder, _due, after_bulk_load, visible_sql  # noqa: E402
from inbox import BENCH_VAR, bench_parser, describe_machine, load_average, measure, p95, prepare_database, seed_rows, setup_django  # noqa: E402

DEFAULT_URL = f"sqlite:///{BENCH_VAR / 'window_bench.sqlite3'}"  # the name must contain "bench"
PAGE_SIZE = 20
SEED = 20261206
APPLICANTS = 500  # parties, reused as the demo reuses them
TOWNSHIP_WEIGHTS = {"liuwan": 0.35, "chengguan": 0.30, "dongxi": 0.20, "shiqiao": 0.15}
# 97 % finished over the past year, 3 % open within the last month, over the open states.
OPEN_SHARE = 0.03
FINISHED_STATES = {"delivered": 0.94, "not_accepted": 0.04, "withdrawn": 0.02}
OPEN_STATES = {"received": 0.15, "notified": 0.10, "reviewing": 0.50, "excluded": 0.05, "decided": 0.20}


def parse_args(argv=None):
    parser = bench_parser(__doc__, rows="applications", default_url=DEFAULT_URL, batch=50_000, repeat=30)
    parser.set_defaults(user="liuwan.backoffice")
    parser.add_argument("--clerk", default="liuwan.window", help="whose queue to time (default liuwan.window)")
    parser.add_argument("--create", type=int, default=300, help="applications to file through the engine (default 300; 0 skips)")
    return parser.parse_args(argv)


def build_county() -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", events=0, applications=0, stdout=io.StringIO())  # idempotent
    print(f"demo county ready ({time.monotonic() - started:.1f}s) without its event and application history")


# ── the reads under test ────────────────────────────────────────────────────────────────────────


# ── the county as the seeder sees it ────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Township:
    slug: str
    weight: float
    area_id: int
    prefix: str  # 柳湾办, as window.workflow numbers applications
    centre_id: int
    clerk_id: int
    backoffice_id: int
    items: tuple  # (id, code, name, promised days) of the guide in force
    applicants: tuple[int, ...]


def load_county() -> list[Township]:
    from django.utils import timezone

    from zhenjie.accounts.models import Post, User
    from zhenjie.areas.models import Area
    from zhenjie.demo import county as plan
    from zhenjie.kernel.models import Party
    from zhenjie.kernel.parties import register_party
    from zhenjie.kernel.pii import citizen_id_check_character
    from zhenjie.lists.models import ListKind, ListSeries, ServiceItem
    from zhenjie.lists.queries import version_in_force

    county = Area.objects.get(level="county", code=f"{plan.COUNTY_CODE}000000")
    clerk0 = User.objects.get(username="liuwan.window")
    applicants = list(Party.objects.filter(county=county).order_by("pk").values_list("pk", flat=True)[:APPLICANTS])
    for n in range(len(applicants), APPLICANTS):
        body = f"{plan.COUNTY_CODE}1970{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
        applicants.append(register_party(clerk0, county, Party.Kind.PERSON, f"申请人{n}", id_number=body + citizen_id_check_character(body)).pk)
    found = []
    for t in plan.TOWNSHIPS:
        area = Area.objects.get(code=f"{plan.COUNTY_CODE}{t.segment}000")
        clerk, backoffice = User.objects.get(username=f"{t.slug}.window"), User.objects.get(username=f"{t.slug}.backoffice")
        centre = Post.objects.filter(user=clerk, is_active=True).select_related("unit").first().unit
        version = version_in_force(ListSeries.objects.get(kind=ListKind.SERVICE, area=area), timezone.localdate())
        items = tuple(ServiceItem.objects.filter(version=version, agent_point=False).values_list("pk", "code", "name", "promised_days"))
        found.append(Township(t.slug, TOWNSHIP_WEIGHTS.get(t.slug, 0.1), area.pk, f"{area.name[:2]}办", centre.pk, clerk.pk, backoffice.pk,
                              items, tuple(applicants)))  # fmt: skip
    return found


class Seeder(EventSeeder):
    """Rows of kernel_case, window_application and kernel_assignment as the workflow would have
    left them (materials and the journal are left out: neither read is timed here). Numbering,
    writing (COPY on PostgreSQL, executemany on SQLite) and deleting are events.py's."""

    SERIES = "application"
    DETAIL = "window_application"

    def tables(self) -> dict:
        from zhenjie.kernel.models import Assignment, Case
        from zhenjie.window.models import Application

        return {"kernel_case": Case, self.DETAIL: Application, "kernel_assignment": Assignment}

    def numbering_unit(self, township: Township) -> int:
        return township.centre_id

    def draft(self, rng: random.Random, state: str | None = None, received: datetime | None = None, township=None):
        township = township or rng.choices(self.townships, self.weights)[0]
        item_id, code, name, days = rng.choice(township.items)
        if state is None:
            pool = OPEN_STATES if rng.random() < OPEN_SHARE else FINISHED_STATES
            state = rng.choices(list(pool), list(pool.values()))[0]
        received = received or self.now - timedelta(days=rng.uniform(0, 30 if state in OPEN_STATES else 365))
        span = (self.now - received) * 0.9
        accepted = received + span * rng.uniform(0.001, 0.05) if state not in ("received", "notified", "not_accepted", "withdrawn") else None
        decided = accepted + span * rng.uniform(0.2, 0.6) if state in ("decided", "delivered") else None
        delivered = decided + span * rng.uniform(0.05, 0.3) if state == "delivered" else None
        closed = delivered or (received + span * 0.1 if state in ("not_accepted", "withdrawn") else None)
        case_id, application_id = self.next_case, self.next_detail
        self.next_case, self.next_detail = case_id + 1, application_id + 1
        notice_due = _due(received, 5, "working_days", self.tz)
        due = _due(accepted, days, "working_days", self.tz) if accepted else notice_due
        case = dict(
            id=case_id, kind="application", number=self._number(township, received), title=f"{name}(申请人)", state=state,
            area_id=township.area_id, owner_unit_id=township.centre_id, channel="window", opened_at=received, closed_at=closed,
            deadline_unit="working_days", deadline_amount=days if accepted else 5, deadline_started_at=accepted or received, due_at=due,
            due_uncertain=False, paused_at=self.now - timedelta(days=1) if state == "excluded" else None, extended_amount=0,
            paused_working_days=0, paused_seconds=0, alert="", alert_since=None, alert_leader_notified=False, external_id="",
            tracking_digest="", rating=rng.choice([None, 5, 5, 4, 3]) if delivered else None, rating_comment="", rated_at=delivered,
            parent_id=None, version=2 + (accepted is not None) + (decided is not None) + (delivered is not None), created_by_id=township.clerk_id,
            updated_at=closed or decided or accepted or received,
        )  # fmt: skip
        application = dict(
            id=application_id, case_id=case_id, service_item_id=item_id, item_code=code, item_name=name,
            applicant_id=rng.choice(township.applicants), intake_unit_id=township.centre_id, filed_by_id=township.clerk_id,
            citizen_account_id=None, delivery_point_id=None, decided_late=bool(decided and decided > due), received_at=received, notice_due_at=notice_due, accepted_at=accepted, deemed_accepted=False,
            deciding_unit_id=township.centre_id if accepted else None, decision="approved" if decided else "", decision_reason="",
            legal_basis="", decided_at=decided, delivery_method="window" if delivered else "", tracking_number="", delivered_at=delivered,
            collection="window" if decided else "", post_address="",
        )  # fmt: skip
        # Assignments: check → decide → deliver, each done by the next step, the current one open.
        work = [("check", township.centre_id, "window_clerk", notice_due, received, accepted or closed, township.clerk_id)]
        if accepted:
            work.append(("decide", township.centre_id, "back_office_handler", due, accepted, decided, township.backoffice_id))
        if decided:
            work.append(("deliver", township.centre_id, "window_clerk", decided + timedelta(days=10), decided, delivered, township.clerk_id))
        assignments = [
            dict(case_id=case_id, unit_id=unit, user_id=None, role=role, todo=todo, state="done" if done else "open", due_at=due_at,
                 due_uncertain=False, created_at=created, done_at=done, done_by_id=signer if done else None, alert="", alert_since=None, alert_rung=0)
            for todo, unit, role, due_at, created, done, signer in work
        ]  # fmt: skip
        if state in ("not_accepted", "withdrawn"):
            assignments[0].update(state="done", done_at=closed, done_by_id=township.clerk_id)
        return case, application, assignments


def seed(target: int, batch: int) -> None:
    from django.utils import timezone

    from zhenjie.window.models import Application

    if not seed_rows("applications", Application.objects.count(), target, batch, Seeder(load_county(), timezone.now()), SEED):
        return
    after_bulk_load(("kernel_case", "window_application"))


# ── reads: ORM against hand-written SQL ─────────────────────────────────────────────────────────


@dataclass
class Answer:
    ids: list[int]
    count: int
    ms: dict[str, float]


# The three reads: (what the label says, whose, the todo of the queue or None for the list).
READS = (
    ("(a) applications list, page 1", "clerk", None),
    ("(b) clerk's queue, page 1", "clerk", "check"),
    ("(c) back-office queue, page 1", "user", "decide"),
)
QUEUE_STATES = {"check": ("received",), "decide": ("reviewing", "excluded")}


def orm_request(user, todo: str | None) -> Answer:
    """As the page reads it: reach_of(), the count (the list's from the indexes, a queue's over
    the units' open work) and the first page, and the fields a row shows."""
    from django.test import RequestFactory

    from zhenjie.kernel.scoping import forget_reach, reach_of
    from zhenjie.window.queries import applications_for, counted_for, queue_for
    from zhenjie.window.queries_backoffice import decision_queue_for
    from zhenjie.workbench.paging import paginate

    request = RequestFactory().get("/window/")
    forget_reach(user)
    t0 = time.perf_counter()
    reach_of(user)
    if todo is None:
        page = paginate(request, applications_for(user), known=counted_for(user))
    else:
        page = paginate(request, queue_for(user) if todo == "check" else decision_queue_for(user))
    shown = list(page)
    for a in shown:  # what the pages show (window/_rows.html; the back office's also the deciding units)
        (a.case.number, a.item_name, a.case.state, a.case.area.name, a.case.due_at, a.intake_unit.name)
        if todo == "decide":
            [route.unit.name for route in a.routes.all()]
    t1 = time.perf_counter()
    return Answer([a.pk for a in shown], page.paginator.count, {"page": (t1 - t0) * 1e3})


COLUMNS = ("a.id", "c.number", "a.item_name", "c.state", "c.opened_at", "c.due_at", "ar.name", "iu.name", "du.name")
SHOWN = """JOIN areas_area ar ON ar.id = c.area_id
JOIN units_unit iu ON iu.id = a.intake_unit_id
LEFT JOIN units_unit du ON du.id = a.deciding_unit_id"""
FROM = f"FROM window_application a\nJOIN kernel_case c ON c.id = a.case_id\n{SHOWN}"
FROM_WORK = f"FROM kernel_assignment w\nJOIN window_application a ON a.case_id = w.case_id\nJOIN kernel_case c ON c.id = w.case_id\n{SHOWN}"


def raw_sql(reach, todo: str | None) -> tuple[str, str, list]:
    """The same count and page by hand. The list: every visible application newest first. A
    queue: the units' open work `todo` on visible applications in its states, soonest due first
    (every seeded assignment has a deadline, so NULLS LAST is left out)."""
    from zhenjie.workbench.paging import COUNT_CAP

    where, params = visible_sql(reach)
    condition = f"{where} AND c.kind = 'application'"
    if todo is None:
        page = f"SELECT {', '.join(COLUMNS)}\n{FROM}\nWHERE {condition}\nORDER BY c.opened_at DESC, a.case_id DESC\nLIMIT {PAGE_SIZE}"
        count = f"SELECT COUNT(*) FROM (SELECT 1 FROM window_application a JOIN kernel_case c ON c.id = a.case_id WHERE {condition} LIMIT {COUNT_CAP + 1}) capped"
        return page, count, params
    units = sorted(reach.unit_ids)
    work = (f"w.unit_id IN ({', '.join(['%s'] * len(units))}) AND w.state = 'open' AND w.todo = '{todo}'"
            f" AND c.state IN ({', '.join(repr(s) for s in QUEUE_STATES[todo])}) AND {condition}")  # fmt: skip
    page = f"SELECT {', '.join(COLUMNS)}\n{FROM_WORK}\nWHERE {work}\nORDER BY w.due_at, w.id\nLIMIT {PAGE_SIZE}"
    count = (f"SELECT COUNT(*) FROM (SELECT DISTINCT w.case_id FROM kernel_assignment w JOIN kernel_case c ON c.id = w.case_id"
             f" WHERE {work} LIMIT {COUNT_CAP + 1}) capped")  # fmt: skip
    return page, count, units + params


def raw_request(page_sql: str, count_sql: str, params: list) -> Answer:
    from django.db import connection

    from zhenjie.workbench.paging import COUNT_CAP

    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(count_sql, params)
        count = min(cursor.fetchone()[0], COUNT_CAP)
        cursor.execute(page_sql, params)
        rows = cursor.fetchall()
        t1 = time.perf_counter()
    return Answer([r[0] for r in rows], count, {"page": (t1 - t0) * 1e3})


def time_reads(args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenjie.accounts.models import User
    from zhenjie.kernel.scoping import reach_of

    results = []
    for label, whose, todo in READS:
        username = args.clerk if whose == "clerk" else args.user
        user = User.objects.get(username=username)
        page_sql, count_sql, params = raw_sql(reach_of(user), todo)
        orm, hand = orm_request(user, todo), raw_request(page_sql, count_sql, params)
        if orm.ids != hand.ids or orm.count != hand.count:
            sys.exit(f"{label}: ORM {orm.count} {orm.ids} differs from the hand-written {hand.count} {hand.ids}: the comparison is void")
        if args.show_sql or args.explain:
            with CaptureQueriesContext(connection) as captured:
                orm_request(user, todo)
            print(f"\n══ {label} ══")
            for q in captured.captured_queries:
                print(f"── ORM ──\n{q['sql']}")
                if args.explain:
                    print(explain(q["sql"]))
            print(f"── hand-written ──\n{count_sql}\n{page_sql}\n  params: {params}")
        t = measure({"orm": lambda u=user, q=todo: orm_request(u, q), "raw": lambda: raw_request(page_sql, count_sql, params)}, args.warmup, args.repeat)
        results.append((label, username, orm.count, t["orm"]["page"], t["raw"]["page"]))
        print(f"\n{label} as {username}: {orm.count:,} match (capped), page {orm.ids[:3]}…   ({load_average()})")
    print(f"\nsummary, ms ({args.repeat} runs after {args.warmup} warm-up)")
    print(f"{'':<32}{'ORM med':>9}{'SQL med':>9}{'ratio':>7}{'ORM p95':>9}{'SQL p95':>9}")
    for label, _, _, orm, sql in results:
        om, sm = statistics.median(orm), statistics.median(sql)
        print(f"{label:<32}{om:>9.2f}{sm:>9.2f}{om / sm:>7.2f}{p95(orm):>9.2f}{p95(sql):>9.2f}")


def explain(sql: str) -> str:
    """The database's plan of a statement as Django logged it (parameters inlined)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql)
        return "\n".join("   " + str(row[-1]) for row in cursor.fetchall())


# ── filing: through the engine, and raw ─────────────────────────────────────────────────────────


def _file(clerk, item, n: int):
    """Filing as a clerk does it: window.actions.intake.file_application, every paper received,
    the applicant found by ID number (registered once, then reused)."""
    from zhenjie.demo import county as plan
    from zhenjie.kernel.pii import citizen_id_check_character
    from zhenjie.lists.models import ServiceMaterial
    from zhenjie.window.actions.intake import Filing, MaterialIn, file_application
    from zhenjie.window.models import MaterialStatus

    body = f"{plan.COUNTY_CODE}1970{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    materials = {m.pk: MaterialIn(status=MaterialStatus.RECEIVED, form=m.form, copies=m.copies) for m in ServiceMaterial.objects.filter(item=item)}
    filing = Filing(item_id=item.pk, applicant_kind="person", applicant_name=f"申请人{n % APPLICANTS}",
                    id_number=body + citizen_id_check_character(body), phone="13800138000", materials=materials)  # fmt: skip
    return file_application(clerk, filing).application


def time_filing(n: int) -> None:
    from django.utils import timezone

    from zhenjie.accounts.models import User
    from zhenjie.lists.models import ServiceItem
    from zhenjie.units.models import Unit

    township = next(t for t in load_county() if t.slug == "shiqiao")
    clerk, centre = User.objects.get(pk=township.clerk_id), Unit.objects.select_related("area").get(pk=township.centre_id)
    items = list(ServiceItem.objects.filter(pk__in=[i[0] for i in township.items]))
    started = time.perf_counter()
    for i in range(n):
        _file(clerk, items[i % len(items)], i)
    engine_s = time.perf_counter() - started

    seeder = Seeder([township], timezone.now())
    rng = random.Random(SEED)
    first_case = seeder.next_case

    def drafts():
        return [seeder.draft(rng, state="received", received=timezone.now() - timedelta(minutes=5), township=township) for _ in range(n)]

    batch = drafts()
    started = time.perf_counter()
    seeder.insert(batch)
    bulk_s = time.perf_counter() - started
    single_s = seeder.insert_one_by_one(drafts())
    seeder.delete_from(first_case)  # the raw rows go again (the seeder's ids follow the filed ones)
    print(f"\nfiling: {n} applications at {centre.name} by {clerk.username}")
    print(f"  {'through the engine (open_case + rows + link), 1 tx each':<58}{n / engine_s:>8,.0f} /s  {engine_s / n * 1e3:>7.2f} ms each")
    print(f"  {'raw INSERT, bulk (one transaction)':<58}{n / bulk_s:>8,.0f} /s  {bulk_s / n * 1e3:>7.2f} ms each   ratio {engine_s / bulk_s:,.0f}×")
    print(f"  {'raw INSERT, one application per transaction':<58}{n / single_s:>8,.0f} /s  {single_s / n * 1e3:>7.2f} ms each   ratio {engine_s / single_s:,.1f}×")


def describe_database() -> None:
    from zhenjie.kernel.models import Assignment, Case
    from zhenjie.window.models import Application

    describe_machine()
    open_ = Case.objects.filter(kind="application", closed_at__isnull=True).count()
    print(f"rows: {Case.objects.count():,} cases, {Application.objects.count():,} applications ({open_:,} open), {Assignment.objects.count():,} assignments")


def main(argv=None) -> None:
    args = parse_args(argv)
    prepare_database(args.database_url, args.reseed)
    setup_django(args.database_url)
    build_county()
    seed(args.applications, args.batch)
    if args.seed_only:
        return
    describe_database()
    time_reads(args)
    if args.create:
        time_filing(args.create)


if __name__ == "__main__":
    main()
