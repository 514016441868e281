#!/usr/bin/env python
"""Benchmark: events at 1,000,000 — creation through the actions against raw inserts, and the
event list and the dispatcher's queue against hand-written SQL.

Not a test and not run by CI. It builds its own database (SQLite under var/bench/ by default, or
the PostgreSQL database given with --database-url), loads the demo county, seeds N events with
the assignments the actions would have left by bulk insert, then:

1. times the event list as a township dispatcher reads it (`/events/`: the paginator's count, the
   page of `events_for(user)` with the view's filters, and the tab counts), page 1, a later page,
   one state tab and one category, and the dispatcher's queue (the 待受理 and 待派遣 tabs), each
   against hand-written SQL that returns the same ids and counts;
2. times events made through the real path (`intake.report_event`, `actions.register_event`,
   `actions.dispatch_event`: routing from the lists, assignments, journal), one transaction per
   action as in use, against raw INSERTs of the same case, event and assignment rows (in bulk,
   and one event per transaction). The raw rows are deleted afterwards; the events made through
   the actions stay (their journal entries cannot be deleted).

See bench/README.md; figures go to docs/PERFORMANCE.md.

    .venv/bin/python bench/events.py --events 20000          # try it small first
    .venv/bin/python bench/events.py                         # 1,000,000 events on SQLite
    .venv/bin/python bench/events.py --database-url postgres://postgres@127.0.0.1:5432/zhenjie_bench_events
"""

import argparse
import io
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, time as clock, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, for the helpers of inbox.py

from inbox import BENCH_VAR, bench_parser, describe_machine, load_average, measure, p95, prepare_database, seed_rows, setup_django  # noqa: E402

DEFAULT_URL = f"sqlite:///{BENCH_VAR / 'events_bench.sqlite3'}"  # the name must contain "bench"
PAGE_SIZE = 20  # workbench.paging.paginate's default
SEED = 20261124


def parse_args(argv=None) -> argparse.Namespace:
    parser = bench_parser(__doc__, rows="events", default_url=DEFAULT_URL, batch=50_000, repeat=30)
    parser.add_argument("--later-page", type=int, default=50, help="the later page to time (default 50)")
    parser.add_argument("--create", type=int, default=500, help="events to make through the actions (default 500; 0 skips)")
    parser.add_argument("--create-in", default="shiqiao", help="township whose dispatcher and grid worker make them (default shiqiao)")
    parser.add_argument(
        "--years", type=int, default=1, choices=range(1, 21), metavar="1..20",
        help="years the events span (default 1): with 10, a county of a tenth the volume with ten years behind it — the"
             " same open work and day's reports as --events/10 over one year, ten times the history",
    )
    return parser.parse_args(argv)


def build_county() -> None:
    """migrate, then `manage.py demo`; without its event history when it can leave it out."""
    from django.core.management import call_command, load_command_class

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    parser = load_command_class("zhenjie.demo", "demo").create_parser("manage.py", "demo")
    options = {"events": 0} if any("--events" in action.option_strings for action in parser._actions) else {}
    call_command("demo", stdout=io.StringIO(), **options)  # idempotent
    print(f"demo county ready ({time.monotonic() - started:.1f}s){' without its event history' if options else ''}")


# ── the county as the seeder sees it ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Grid:
    area_id: int
    place: str  # the village the grid lies in
    lng: float | None
    lat: float | None
    worker: tuple[int, int] | None  # (user, unit) of its grid worker


@dataclass(frozen=True)
class Route:
    category: object
    unit_id: int  # who handles it here: what routing.route names, else a township office
    worker_id: int | None  # someone in that unit, to sign
    lead_department_id: int | None
    duty_item_code: str


@dataclass(frozen=True)
class Township:
    slug: str
    weight: float
    path: str
    prefix: str  # 柳湾事, as events.workflow numbers them
    command_id: int  # the command centre (intake.command_unit_for)
    dispatcher_id: int
    grids: tuple[Grid, ...]
    routes: tuple[Route, ...]


TOWNSHIP_WEIGHTS = {"liuwan": 0.35, "chengguan": 0.30, "dongxi": 0.20, "shiqiao": 0.15}


def load_county() -> list[Township]:
    from zhenjie.accounts.models import Post, User
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.areas.models import Area
    from zhenjie.demo import county as plan
    from zhenjie.events import routing
    from zhenjie.events.intake import command_unit_for
    from zhenjie.events.queries import active_categories
    from zhenjie.units.models import Unit

    def someone_in(unit_id):
        return Post.objects.filter(unit_id=unit_id, is_active=True).order_by("pk").values_list("user_id", flat=True).first()

    townships = []
    for township in plan.TOWNSHIPS:
        area = Area.objects.get(code=f"{plan.COUNTY_CODE}{township.segment}000")
        command = command_unit_for(area)
        workers = {
            post.jurisdiction_id: (post.user_id, post.unit_id)
            for post in Post.objects.filter(is_active=True, roles__code=RoleCode.GRID_WORKER, jurisdiction__path__startswith=area.path)
        }
        grids = tuple(
            Grid(g.pk, g.parent.name, g.center_lng, g.center_lat, workers.get(g.pk))
            for g in Area.objects.filter(level=Area.Level.GRID, path__startswith=area.path).select_related("parent").order_by("path")
        )
        offices = list(Unit.objects.filter(area=area, is_active=True).exclude(pk=command.pk)
                       .exclude(kind=Unit.Kind.TOWNSHIP_GOVERNMENT).order_by("pk").values_list("pk", flat=True))  # fmt: skip
        routes = []
        for index, category in enumerate(active_categories()):
            found = routing.route(category, area)
            unit_id = found.unit.pk if found.unit else offices[index % len(offices)]
            routes.append(Route(category, unit_id, someone_in(unit_id), getattr(found.lead_department, "pk", None), found.duty_item_code))
        dispatcher = User.objects.get(username=f"{township.slug}.dispatcher")
        townships.append(Township(township.slug, TOWNSHIP_WEIGHTS[township.slug], area.path, f"{area.name[:2]}事", command.pk,
                                  dispatcher.pk, grids, tuple(routes)))  # fmt: skip
    return townships


# ── what a seeded event looks like ────────────────────────────────────────────────────────────

# Channels an event comes in by (walk-in reports take another first step, 首问负责; left out).
CHANNELS = {"grid": 0.55, "hotline": 0.20, "citizen": 0.15, "video": 0.10}
# About 2 % open, reported within the last fortnight; the rest closed over the past year.
OPEN_SHARE, OPEN_WITHIN_DAYS = 0.02, 14
OPEN_STATES = {"reported": 0.15, "registered": 0.10, "dispatched": 0.15, "acknowledged": 0.10, "handling": 0.30,
               "paused": 0.05, "reported_back": 0.10, "verified": 0.05}  # fmt: skip
FINISHED_STATES = {"closed": 0.94, "rejected": 0.04, "merged": 0.02}
# The steps of events.actions in order, and how long after the one before each comes (min, max).
STEPS = [("register", 5, 90), ("dispatch", 5, 60), ("acknowledge", 10, 120), ("start", 0, 240),
         ("report_back", 120, 3 * 24 * 60), ("verify", 60, 24 * 60), ("close", 10, 8 * 60)]  # fmt: skip
# The last step each state has been through (rejected and merged leave the intake step only).
REACHED = {"reported": None, "registered": "register", "rejected": None, "merged": None, "dispatched": "dispatch",
           "acknowledged": "acknowledge", "handling": "start", "paused": "start", "reported_back": "report_back",
           "verified": "verify", "closed": "close"}  # fmt: skip
# Which step finishes each piece of work (workflow.perform completes the open assignments).
FINISHED_BY = {"register": "register", "dispatch": "dispatch", "acknowledge": "acknowledge", "handle": "report_back",
               "verify": "verify", "close": "close"}  # fmt: skip
PROBLEMS = [
    "路边垃圾堆放多日未清运，影响通行", "下水道井盖缺失，存在安全隐患", "占道经营，摊点堵塞人行道", "私搭乱建彩钢棚",
    "路灯损坏，夜间照明不足", "河道漂浮物较多", "小区内违规饲养家禽", "施工工地夜间噪音扰民", "电动车楼道充电",
    "废弃车辆长期占用车位", "墙面张贴小广告", "树木倒伏压住电线",
]


def _minutes(rng, low, high) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _due(start: datetime, amount: int, unit: str, tz) -> datetime:
    """deadlines.due_after without the calendar (working days as 7/5 calendar days): enough for
    rows nobody recomputes, and a million calendar look-ups are not."""
    if unit == "hours":
        return start + timedelta(hours=amount)
    days = math.ceil(amount * 7 / 5) if unit == "working_days" else amount
    day = start.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, clock(23, 59, 59), tzinfo=tz).astimezone(UTC)


class Seeder:
    """Rows of kernel_case, events_event and kernel_assignment, as the actions would have left
    them, from a seeded random generator; written with COPY (PostgreSQL) or executemany (SQLite)."""

    SERIES = "event"  # the number series the seeded cases continue
    DETAIL = "events_event"  # the kind's row beside each case

    def __init__(self, townships: list, now: datetime, years: int = 1):
        from django.db import connection
        from django.utils import timezone

        from zhenjie.kernel.models import NumberSeries

        self.townships, self.weights = townships, [t.weight for t in townships]
        self.now, self.tz = now, timezone.get_current_timezone()
        self.years = years  # the span of the history; the open share falls with it (parse_args: --years)
        self.postgres = connection.vendor == "postgresql"
        self.models = self.tables()
        self.numbers = {(r.unit_id, r.year): r.last for r in NumberSeries.objects.filter(series=self.SERIES)}
        self.last_in_township: dict[str, int] = {}  # for merged events: what they duplicate
        self.next_case, self.next_detail = self._next_id("kernel_case"), self._next_id(self.DETAIL)

    def tables(self) -> dict:
        from zhenjie.events.models import Event
        from zhenjie.kernel.models import Assignment, Case

        return {"kernel_case": Case, self.DETAIL: Event, "kernel_assignment": Assignment}

    def _next_id(self, table: str) -> int:
        return (self.models[table].objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def numbering_unit(self, township) -> int:
        return township.command_id

    def _number(self, township, opened: datetime) -> str:
        from zhenjie.kernel.numbering import format_number

        year = opened.astimezone(self.tz).year
        key = (self.numbering_unit(township), year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return format_number(township.prefix, year, self.numbers[key])

    def save_numbers(self) -> None:
        from zhenjie.kernel.models import NumberSeries

        for (unit_id, year), last in self.numbers.items():
            NumberSeries.objects.update_or_create(unit_id=unit_id, series=self.SERIES, year=year, defaults={"last": last})

    def draft(self, rng: random.Random, state: str | None = None, reported: datetime | None = None, township=None):
        """One event: (case row, event row, assignment rows), each a dict of column values."""
        township = township or rng.choices(self.townships, self.weights)[0]
        grid = rng.choice(township.grids)
        route = rng.choice(township.routes)
        category = route.category
        channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        if state is None:
            pool = OPEN_STATES if rng.random() < OPEN_SHARE / self.years else FINISHED_STATES
            state = rng.choices(list(pool), list(pool.values()))[0]
        if reported is None:
            days = OPEN_WITHIN_DAYS if state in OPEN_STATES else 365 * self.years
            reported = self.now - timedelta(days=rng.uniform(0, days))
        # The moments of the steps taken, squeezed before now when the event is recent.
        order = [name for name, _, _ in STEPS if name != "verify" or category.needs_verification]
        if state == "verified" and not category.needs_verification:
            state = "reported_back"
        last = REACHED[state]
        steps = order[: order.index(last) + 1] if last else []
        when, moment = {}, reported
        gaps = {name: (low, high) for name, low, high in STEPS}
        for name in steps:
            moment += _minutes(rng, *gaps[name])
            when[name] = moment
        if when and max(when.values()) >= self.now:
            squeeze = (self.now - reported) * 0.95 / (max(when.values()) - reported)
            when = {name: reported + (at - reported) * squeeze for name, at in when.items()}
        reporter = grid.worker[0] if channel == "grid" and grid.worker else None
        case_id, event_id = self.next_case, self.next_detail
        self.next_case, self.next_detail = case_id + 1, event_id + 1
        description = f"{grid.place}{rng.choice(PROBLEMS)}"
        dispatcher, command = township.dispatcher_id, township.command_id
        case = dict(
            id=case_id, kind="event", number=self._number(township, reported), title=f"{category.name}：{description[:40]}",
            state=state, area_id=grid.area_id, owner_unit_id=command, channel=channel, opened_at=reported, closed_at=None,
            deadline_unit="", deadline_amount=None, deadline_started_at=None, due_at=None, due_uncertain=False, paused_at=None,
            extended_amount=0, paused_working_days=0, paused_seconds=0, alert="", alert_since=None, alert_leader_notified=False,
            external_id=f"{channel}-{case_id}" if channel in ("hotline", "video") else "", tracking_digest="", rating=None, rating_comment="", rated_at=None, parent_id=None, version=1 + len(steps) + (state in ("rejected", "merged")), created_by_id=reporter,
            updated_at=max([reported, *when.values()]),
        )  # fmt: skip
        event = dict(
            id=event_id, case_id=case_id, category_id=category.pk, channel=channel, description=description, address="",
            lng=grid.lng if channel == "grid" else None, lat=grid.lat if channel == "grid" else None, reporter_id=reporter,
            reporter_name="", reporter_phone_masked="", reporter_phone_cipher="",
            duty_item_code="", lead_department_id=None, handling_unit_id=None, duplicate_of_id=None, rejection_reason="",
            result="", verification_note="", reported_at=reported,
        )  # fmt: skip
        # Assignments: (todo, unit, user, role, due, created); each step finishes the one before.
        two_hours = timedelta(hours=2)
        work = [("register", command, None, "dispatcher", reported + two_hours, reported)]
        if "register" in when:
            work.append(("dispatch", command, None, "dispatcher", when["register"] + two_hours, when["register"]))
        if "dispatch" in when:
            start = when["dispatch"]
            case.update(owner_unit_id=route.unit_id, deadline_unit=category.handle_unit, deadline_amount=category.handle_amount,
                        deadline_started_at=start, due_at=_due(start, category.handle_amount, category.handle_unit, self.tz))  # fmt: skip
            event.update(handling_unit_id=route.unit_id, lead_department_id=route.lead_department_id, duty_item_code=route.duty_item_code)
            work.append(("acknowledge", route.unit_id, None, "", _due(start, category.acknowledge_amount, category.acknowledge_unit, self.tz), start))
        if "acknowledge" in when:
            work.append(("handle", route.unit_id, None, "", case["due_at"], when["acknowledge"]))
        if "report_back" in when:
            event["result"] = "已现场处置完毕，拍照留存。"
            back = when["report_back"]
            if category.needs_verification:
                verify_due = _due(back, category.verify_amount, category.verify_unit, self.tz)
                by = (grid.worker[1], grid.worker[0], "") if grid.worker else (command, None, "dispatcher")
                work.append(("verify", by[0], by[1], by[2], verify_due, back))
            else:
                work.append(("close", command, None, "dispatcher", back + two_hours, back))
        if "verify" in when:
            event["verification_note"] = "经核查已整改到位。"
            work.append(("close", command, None, "dispatcher", when["verify"] + two_hours, when["verify"]))
        # Who signed each piece of work off: the next step's actor.
        signer = {"register": dispatcher, "dispatch": dispatcher, "acknowledge": route.worker_id, "handle": route.worker_id,
                  "verify": grid.worker[0] if grid.worker and category.needs_verification else dispatcher, "close": dispatcher}  # fmt: skip
        assignments = []
        for todo, unit, user, role, due, created in work:
            finished = when.get(FINISHED_BY[todo])
            assignments.append(dict(
                case_id=case_id, unit_id=unit, user_id=user, role=role, todo=todo, state="done" if finished else "open",
                due_at=due, due_uncertain=False, created_at=created, done_at=finished, done_by_id=signer[todo] if finished else None,
                alert="", alert_since=None, alert_rung=0,
            ))  # fmt: skip
        if state in ("rejected", "merged"):
            end = reported + _minutes(rng, 5, 90)
            assignments[0].update(state="done", done_at=end, done_by_id=dispatcher)
            case.update(closed_at=end, updated_at=end)
            if state == "rejected":
                event["rejection_reason"] = "不属于受理范围，已告知上报人"
            else:
                event["duplicate_of_id"] = self.last_in_township.get(township.slug)
        elif state == "closed":
            case["closed_at"] = when["close"]
        elif state == "paused":
            case["paused_at"] = when["start"] + (self.now - when["start"]) * rng.random()
        if case["closed_at"] is None and case["due_at"] is not None and case["paused_at"] is None:
            if case["due_at"] < self.now:
                case.update(alert="red", alert_since=case["due_at"], alert_leader_notified=True)
            elif case["due_at"] < self.now + timedelta(hours=24):
                case.update(alert="yellow", alert_since=case["due_at"] - timedelta(hours=24))
        if state != "merged":
            self.last_in_township[township.slug] = event_id
        return case, event, assignments

    def columns(self, table: str, with_id: bool = True) -> list[str]:
        return [f.attname for f in self.models[table]._meta.concrete_fields if with_id or not f.primary_key]

    def write(self, table: str, rows: list[dict], with_id: bool = True) -> None:
        """Insert rows (dicts of column values) into table, with COPY or executemany."""
        from django.db import connection

        columns = self.columns(table, with_id)
        names = ", ".join(self.models[table]._meta.get_field(c).column for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
            else:  # SQLite keeps datetimes as UTC text, as Django's adapter writes them
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                                   [[_sqlite(row[c]) for c in columns] for row in rows])  # fmt: skip

    def insert(self, drafts) -> int:
        """Cases, their detail rows and assignments of the drafts in one transaction; returns assignments made."""
        from django.db import transaction

        with transaction.atomic():
            self.write("kernel_case", [case for case, _, _ in drafts])
            self.write(self.DETAIL, [detail for _, detail, _ in drafts])
            assignments = [a for _, _, rows in drafts for a in rows]
            self.write("kernel_assignment", assignments, with_id=False)
            self.save_numbers()
        return len(assignments)

    def insert_one_by_one(self, drafts) -> float:
        """The drafts inserted raw, one case (with its detail and assignments) per transaction;
        returns the seconds it took."""
        from django.db import connection, transaction

        tables = [("kernel_case", True), (self.DETAIL, True), ("kernel_assignment", False)]
        statements = {t: _insert_sql(self, t, with_id) for t, with_id in tables}
        convert = (lambda v: v) if self.postgres else _sqlite
        started = time.perf_counter()
        for case, detail, assignments in drafts:
            with transaction.atomic(), connection.cursor() as cursor:
                for table, with_id in tables:
                    for row in {"kernel_case": [case], self.DETAIL: [detail], "kernel_assignment": assignments}[table]:
                        cursor.execute(statements[table], [convert(row[c]) for c in self.columns(table, with_id)])
        return time.perf_counter() - started

    def delete_from(self, first_case: int) -> None:
        """The raw rows go again: every case from `first_case` on, with its detail and assignments."""
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM kernel_assignment WHERE case_id >= %s", [first_case])
            cursor.execute(f"DELETE FROM {self.DETAIL} WHERE case_id >= %s", [first_case])
            cursor.execute("DELETE FROM kernel_case WHERE id >= %s", [first_case])


def _sqlite(value):
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def seed(target: int, batch: int, years: int = 1) -> None:
    """Insert events until the database holds `target`, over `years`; resumable, as
    bench/inbox.py's seed."""
    from django.utils import timezone

    from zhenjie.events.models import Event

    if not seed_rows("events", Event.objects.count(), target, batch, Seeder(load_county(), timezone.now(), years), SEED):
        return
    from zhenjie.kernel.assignments import note_sent_outside

    started = time.monotonic()
    note_sent_outside()  # what kernel.assignments.add would have noted of the rows written in bulk
    print(f"cases sent outside their units' areas noted ({time.monotonic() - started:.0f}s)")
    after_bulk_load(("kernel_case", "events_event"))
    count_days()


def count_days() -> None:
    """What the nightly job has counted in a county with a year behind it: the command screen's
    daily rows (events/daily.py). Without them every screen request counts its 30 days live —
    seconds at a million events — which is not what a running platform serves."""
    from zhenjie.events import daily, jobs

    started = time.monotonic()
    daily.forget_all()  # the bulk rows were written past any day counted before (a grown database)
    jobs.count_yesterday.call_local()
    # Today's ledger, as a platform that ran yesterday's job has it; counted now, while nothing
    # else writes (daily.open_ledger).
    daily.open_today_while_nothing_writes()
    print(f"the nightly job's daily rows counted ({time.monotonic() - started:.0f}s)")


def after_bulk_load(tables) -> None:
    """On PostgreSQL, after rows written with their ids: move each table's identity on, then
    VACUUM ANALYZE (what autovacuum would do after a bulk load). SQLite: nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        started = time.monotonic()
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE ({time.monotonic() - started:.0f}s)")


# ── reads: the list and the queue, ORM and hand-written ───────────────────────────────────────


@dataclass
class Answer:
    ids: list[int]
    count: int
    tabs: dict[str, str] | None  # as the badges show them
    ms: dict[str, float]


@dataclass(frozen=True)
class Scenario:
    label: str
    params: dict  # the query string of /events/


def scenarios(args, category_code: str) -> list[Scenario]:
    return [
        Scenario("list, page 1", {}),
        Scenario(f"list, page {args.later_page}", {"page": str(args.later_page)}),
        Scenario("list, tab 处置中 (state)", {"tab": "handling"}),
        Scenario(f"list, category {category_code}", {"category": category_code}),
        Scenario("queue: 待受理 (tab intake)", {"tab": "intake"}),
        Scenario("queue: 待派遣 (tab dispatch)", {"tab": "dispatch"}),
    ]


def orm_request(user, scenario: Scenario, tabs: bool = True) -> Answer:
    """What events.views.event_list asks of the database for one request, in its order:
    reach_of(), the paginator's count and page of the filtered events_for(user), the tab counts.
    The template's fields are read from the page's objects (all select_related: no query)."""
    from django.test import RequestFactory

    from zhenjie.events import queries, views
    from zhenjie.kernel.scoping import forget_reach, reach_of
    from zhenjie.workbench.paging import paginate

    request = RequestFactory().get("/events/", scenario.params)
    request.user = user
    forget_reach(user)
    t0 = time.perf_counter()
    reach_of(user)
    t1 = time.perf_counter()
    rows, tab, _ = views._filtered(request, queries.events_for(user))
    parts, exact = views._counting_parts(user)
    counted = views._tab_counts(parts) if tabs else None
    t2 = time.perf_counter()
    known = views._list_total(request, tab, counted, parts) if counted and exact else None
    page = paginate(request, rows, known=known)
    events = list(page)
    for e in events:  # what events/_event_table.html renders
        (e.category.name, e.case.number, e.case.area.name, e.handling_unit and e.handling_unit.name, e.case.state_label)
    t3 = time.perf_counter()
    counts = {key: views._shown(*value) for key, value in counted.items()} if counted else None
    ms = {"reach": (t1 - t0) * 1e3, "page": (t3 - t2) * 1e3} | ({"tabs": (t2 - t1) * 1e3} if tabs else {})
    return Answer([e.pk for e in events], page.paginator.count, counts, ms)


# What the list renders (events/_event_table.html): the event's category, description, address,
# channel, report time; the case's number, area, state, deadline, closing and card; the handler.
LIST_COLUMNS = (
    "e.id", "e.case_id", "e.channel", "e.description", "e.address", "e.reported_at", "cat.name", "c.number", "c.state",
    "c.alert", "c.closed_at", "c.due_at", "c.due_uncertain", "c.paused_at", "ar.name", "hu.name",
)  # fmt: skip
LIST_FROM = """FROM events_event e
JOIN kernel_case c ON c.id = e.case_id
JOIN areas_area ar ON ar.id = c.area_id
JOIN events_category cat ON cat.id = e.category_id
LEFT JOIN units_unit hu ON hu.id = e.handling_unit_id"""
COUNT_FROM = "FROM events_event e\nJOIN kernel_case c ON c.id = e.case_id"
CASES_FROM = "FROM kernel_case c"


@dataclass
class RawList:
    page_sql: str
    page_params: list
    count_sql: str
    count_params: list
    tabs_sql: list  # [(sql, params)]: the open tabs exactly, then 已关闭 counted up to the badge's cap
    tab_keys: list  # the open tabs, in the order of the first query's columns


def visible_sql(reach) -> tuple[str, list]:
    """visible_cases() for events, by hand: in the user's jurisdiction, or sent to one of their units."""
    terms, params = [], []
    for root in reach.paths:
        terms.append("c.area_id IN (SELECT id FROM areas_area WHERE path LIKE %s)")
        params.append(root + "%")
    if reach.unit_ids:
        units = sorted(reach.unit_ids)
        terms.append(f"EXISTS (SELECT 1 FROM kernel_assignment a WHERE a.case_id = c.id AND a.unit_id IN ({', '.join(['%s'] * len(units))}))")
        params += units
    # Every case of an event is of kind 'event' (intake opens it so): no need to ask.
    return f"({' OR '.join(terms) or '1 = 0'})", params


def raw_list(reach, scenario: Scenario) -> RawList:
    from zhenjie.events.workflow import EVENT_WORKFLOW
    from zhenjie.kernel.workflow import DONE
    from zhenjie.events.views import BADGE_CAP
    from zhenjie.workbench.paging import COUNT_CAP

    # The list's tabs are the workflow's phases (events.views): the done phase is 已关闭.
    TABS = {key: (phase.label, list(phase.states)) for key, phase in EVENT_WORKFLOW.phases.items()}
    closed_key = next(key for key, phase in EVENT_WORKFLOW.phases.items() if phase.group == DONE)

    where, params = visible_sql(reach)
    filters, extra = [], []
    tab = scenario.params.get("tab")
    if tab and TABS[tab][1]:
        states = TABS[tab][1]
        filters.append(f"c.state IN ({', '.join(['%s'] * len(states))})")
        extra += states
    if category := scenario.params.get("category"):
        filters.append("e.category_id = (SELECT id FROM events_category WHERE code = %s)")
        extra.append(category)
    condition = " AND ".join([where, *filters])
    offset = (int(scenario.params.get("page", 1)) - 1) * PAGE_SIZE
    page_sql = (f"SELECT {', '.join(LIST_COLUMNS)}\n{LIST_FROM}\nWHERE {condition}\n"
                f"ORDER BY e.reported_at DESC, e.id DESC\nLIMIT {PAGE_SIZE} OFFSET {offset}")  # fmt: skip
    # The list counts no further than COUNT_CAP (workbench.paging): so does the hand-written side.
    count_sql = f"SELECT COUNT(*) FROM (SELECT 1\n{COUNT_FROM}\nWHERE {condition}\nLIMIT {COUNT_CAP + 1}) capped"
    open_keys = [key for key, (_, states) in TABS.items() if states and key != closed_key]
    open_states = [state for key in open_keys for state in TABS[key][1]]
    tab_terms, tab_params = [], []
    for key in open_keys:
        states = TABS[key][1]
        tab_terms.append(f"COUNT(*) FILTER (WHERE c.state IN ({', '.join(['%s'] * len(states))}))")
        tab_params += states
    # Counted on the cases (one per event), as events.queries.event_cases_for does.
    tabs_sql = (f"SELECT {', '.join(tab_terms)}\n{CASES_FROM}\nWHERE {where} AND c.kind = 'event' AND c.state IN ({', '.join(['%s'] * len(open_states))})",
                tab_params + params + open_states)  # fmt: skip
    closed = TABS[closed_key][1]
    closed_sql = (f"SELECT COUNT(*) FROM (SELECT 1\n{CASES_FROM}\nWHERE {where} AND c.kind = 'event' AND c.state IN ({', '.join(['%s'] * len(closed))})\n"
                  f"LIMIT {BADGE_CAP + 1}) capped", params + closed)  # fmt: skip
    return RawList(page_sql, params + extra, count_sql, params + extra, [tabs_sql, closed_sql], open_keys)


def shown_counts(open_keys: list, open_counts, closed: int) -> dict[str, str]:
    """The tab badges as events.views._tab_counts shows them."""
    from zhenjie.events.views import BADGE_CAP

    shown = {key: str(count) for key, count in zip(open_keys, open_counts)}
    capped = "+" if closed > BADGE_CAP else ""
    shown["closed"] = f"{min(closed, BADGE_CAP)}{capped}"
    shown["all"] = f"{sum(open_counts) + min(closed, BADGE_CAP)}{capped}"
    return shown


def raw_request(raw: RawList, tabs: bool = True) -> Answer:
    from django.db import connection

    from zhenjie.workbench.paging import COUNT_CAP

    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute(raw.count_sql, raw.count_params)
        count = min(cursor.fetchone()[0], COUNT_CAP)
        cursor.execute(raw.page_sql, raw.page_params)
        rows = cursor.fetchall()
        t1 = time.perf_counter()
        if tabs:
            (open_sql, open_params), (closed_sql, closed_params) = raw.tabs_sql
            cursor.execute(open_sql, open_params)
            open_counts = cursor.fetchone()
            cursor.execute(closed_sql, closed_params)
            counts = shown_counts(raw.tab_keys, open_counts, cursor.fetchone()[0])
        t2 = time.perf_counter()
    ms = {"page": (t1 - t0) * 1e3} | ({"tabs": (t2 - t1) * 1e3} if tabs else {})
    return Answer([r[0] for r in rows], count, counts if tabs else None, ms)


def check_same(user, scenario: Scenario, raw: RawList) -> Answer:
    orm, hand = orm_request(user, scenario), raw_request(raw)
    if orm.ids != hand.ids:
        sys.exit(f"{scenario.label}: ORM page {orm.ids} differs from the hand-written {hand.ids}: the comparison is void")
    if orm.count != hand.count or orm.tabs != hand.tabs:  # the tab counts are checked in every scenario
        sys.exit(f"{scenario.label}: counts differ: ORM {orm.count} {orm.tabs}, hand-written {hand.count} {hand.tabs}")
    if len(orm.ids) < PAGE_SIZE:
        print(f"warning: {scenario.label}: only {len(orm.ids)} rows on the page")
    return orm


def show_plans(user, scenario: Scenario, raw: RawList, explain: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        orm_request(user, scenario)
    queries = [(f"ORM {i + 1}", q["sql"], None) for i, q in enumerate(captured.captured_queries)]
    queries += [("hand-written count", raw.count_sql, raw.count_params), ("hand-written page", raw.page_sql, raw.page_params)]
    queries += [(f"hand-written tabs {i + 1}", sql, params) for i, (sql, params) in enumerate(raw.tabs_sql)]
    prefix = "EXPLAIN (ANALYZE, BUFFERS)" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    print(f"\n══ {scenario.label} ══")
    for label, sql, params in queries:
        print(f"── {label} ──\n{sql}" + (f"\n  params: {params}" if params is not None else ""))
        if explain:
            with connection.cursor() as cursor:
                if params is None:  # the SQL Django logged has its parameters inlined
                    cursor.execute(f"{prefix} {sql}".replace("%", "%%"))
                else:
                    cursor.execute(f"{prefix} {sql}", params)
                print("  plan:\n    " + "\n    ".join(" | ".join(str(v) for v in row) for row in cursor.fetchall()))


def summed(parts: dict[str, list[float]], *names: str) -> list[float]:
    return [sum(values) for values in zip(*(parts[name] for name in names))]


def time_reads(args, user) -> None:
    """Each scenario: reach + the paginator's count + the page, ORM against SQL. The tab counts
    ignore the filters (views._tab_counts), so they are the same query in every scenario: timed
    with the first only, and added to each scenario's page for the whole request."""
    from zhenjie.events.queries import active_categories
    from zhenjie.kernel.scoping import reach_of

    reach = reach_of(user)
    category = active_categories().first().code
    results = []
    for index, scenario in enumerate(scenarios(args, category)):
        raw, tabs = raw_list(reach, scenario), index == 0
        orm = check_same(user, scenario, raw)
        if args.show_sql or args.explain:
            show_plans(user, scenario, raw, args.explain)
        sides = {"orm": lambda s=scenario, t=tabs: orm_request(user, s, t), "raw": lambda r=raw, t=tabs: raw_request(r, t)}
        t = measure(sides, args.warmup, args.repeat)
        rows = {"ORM page (reach + count + page)": summed(t["orm"], "reach", "page"), "SQL page (count + page)": summed(t["raw"], "page")}
        if tabs:
            rows |= {"ORM tab counts": summed(t["orm"], "tabs"), "SQL tab counts": summed(t["raw"], "tabs")}
        results.append((scenario, rows))
        print(f"\n{scenario.label}: {orm.count:,} events match, page {orm.ids[:3]}…   ({load_average()})")
        print(f"  {'milliseconds':<34}{'min':>9}{'median':>9}{'p95':>9}")
        for label, values in rows.items():
            print(f"  {label:<34}{min(values):>9.2f}{statistics.median(values):>9.2f}{p95(values):>9.2f}")
    tab_orm, tab_sql = (statistics.median(results[0][1][k]) for k in ("ORM tab counts", "SQL tab counts"))
    print(f"\nsummary, medians in ms ({args.repeat} runs after {args.warmup} warm-up); request = page + tab counts "
          f"(ORM {tab_orm:.2f}, SQL {tab_sql:.2f}, ratio {tab_orm / tab_sql:.2f})")  # fmt: skip
    print(f"{'':<34}{'ORM page':>10}{'SQL page':>10}{'ratio':>7}{'p95 ORM':>10}{'p95 SQL':>10}{'ORM req':>10}{'SQL req':>10}{'ratio':>7}")
    for scenario, rows in results:
        orm, sql = rows["ORM page (reach + count + page)"], rows["SQL page (count + page)"]
        op, sp = statistics.median(orm), statistics.median(sql)
        print(f"{scenario.label:<34}{op:>10.2f}{sp:>10.2f}{op / sp:>7.2f}{p95(orm):>10.2f}{p95(sql):>10.2f}"
              f"{op + tab_orm:>10.2f}{sp + tab_sql:>10.2f}{(op + tab_orm) / (sp + tab_sql):>7.2f}")  # fmt: skip
    # The target is for the list; the queue is measured against the SQL, with no target.
    within = all(statistics.median(r["ORM page (reach + count + page)"]) <= 2 * statistics.median(r["SQL page (count + page)"])
                 for scenario, r in results if scenario.label.startswith("list"))  # fmt: skip
    print(f"target 'the list at 1,000,000 events within 2x the hand-written SQL': {'MET on every list page' if within else 'NOT MET on some list page'}")


# ── creation: through the actions, and raw ────────────────────────────────────────────────────


def time_creation(n: int, township_slug: str) -> None:
    """n events made as in use: the grid worker reports (intake.report_event), the township's
    dispatcher registers and dispatches them to the unit the lists name (routing), each action in
    its own transaction. Against it: the same rows (case, event, the three assignments) inserted
    raw, in bulk and one event per transaction, then deleted."""
    from django.utils import timezone

    from zhenjie.accounts.models import Post, User
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.events import actions
    from zhenjie.events.intake import Report, report_event

    township = next(t for t in load_county() if t.slug == township_slug)
    grid = next(g for g in township.grids if g.worker and g.lng is not None)
    worker = User.objects.get(pk=grid.worker[0])
    dispatcher = User.objects.get(pk=township.dispatcher_id)
    routes = [r for r in township.routes if r.lead_department_id is not None] or list(township.routes)
    assert Post.objects.filter(user=worker, roles__code=RoleCode.GRID_WORKER).exists()
    rng = random.Random(SEED)

    started = time.perf_counter()
    for i in range(n):
        event = report_event(worker, Report(channel="grid", category=routes[i % len(routes)].category,
                                            description=f"{grid.place}{rng.choice(PROBLEMS)}", lng=grid.lng, lat=grid.lat))  # fmt: skip
        actions.register_event(dispatcher, event)
        actions.dispatch_event(dispatcher, event)
    actions_s = time.perf_counter() - started

    seeder = Seeder([township], timezone.now())
    seeder.townships = [township]

    def drafts():
        return [seeder.draft(rng, state="dispatched", reported=timezone.now() - timedelta(minutes=30), township=township)
                for _ in range(n)]  # fmt: skip

    first_case = seeder.next_case
    batch = drafts()
    started = time.perf_counter()
    seeder.insert(batch)
    bulk_s = time.perf_counter() - started

    single_s = seeder.insert_one_by_one(drafts())
    seeder.delete_from(first_case)
    print(f"\ncreation: {n} events of {township_slug} (grid worker {worker.username} reports, {dispatcher.username} registers and dispatches)")
    print(f"  {'through the actions (3 transactions each)':<52}{n / actions_s:>9,.0f} events/s  {actions_s / n * 1e3:>7.2f} ms each")
    print(f"  {'raw INSERT, bulk (one transaction)':<52}{n / bulk_s:>9,.0f} events/s  {bulk_s / n * 1e3:>7.2f} ms each"
          f"   ratio {actions_s / bulk_s:,.0f}×")  # fmt: skip
    print(f"  {'raw INSERT, single rows, one transaction per event':<52}{n / single_s:>9,.0f} events/s  {single_s / n * 1e3:>7.2f} ms each"
          f"   ratio {actions_s / single_s:,.1f}×")  # fmt: skip


def _insert_sql(seeder: Seeder, table: str, with_id: bool) -> str:
    columns = seeder.columns(table, with_id)
    names = ", ".join(seeder.models[table]._meta.get_field(c).column for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"


def describe_database() -> None:
    from zhenjie.events.models import Event
    from zhenjie.kernel.models import Assignment, Case

    describe_machine()
    events = Event.objects.count()
    open_ = Case.objects.filter(kind="event", closed_at__isnull=True).count()
    print(f"rows: {Case.objects.count():,} cases, {events:,} events ({open_:,} open), {Assignment.objects.count():,} assignments")


def main(argv=None) -> None:
    args = parse_args(argv)
    prepare_database(args.database_url, args.reseed)
    setup_django(args.database_url)
    build_county()
    seed(args.events, args.batch, args.years)
    if args.seed_only:
        return
    from zhenjie.accounts.models import User

    describe_database()
    user = User.objects.get(username=args.user)
    wall, cpu = time.perf_counter(), time.process_time()
    time_reads(args, user)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"read timings: {cpu:.1f}s CPU in {wall:.1f}s wall ({cpu / wall:.0%} of one CPU for this process)")
    if args.create:
        time_creation(args.create, args.create_in)


if __name__ == "__main__":
    main()
