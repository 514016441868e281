#!/usr/bin/env python
"""Benchmark: one township user's inbox with 1,000,000 cases, the ORM against hand-written SQL.

Not a test and not run by CI. It builds its own database (SQLite under var/bench/ by default, or
the PostgreSQL database given with --database-url), loads the demo county, seeds N task cases
with their assignments by bulk insert, then times the inbox as the application reads it per
request (reach_of(), the first page `Inbox(user)[0:20]`, `inbox_counts(user)`, and the
paginator's count) against the same queries written by hand and run through a DB-API cursor:
one head query per branch, merged in Python, then the page's rows. `--single-or` also times the
page as one query over the OR of the branches, as the application read it before Inbox.
See bench/README.md; figures go to docs/PERFORMANCE.md.

    .venv/bin/python bench/inbox.py --cases 20000            # try it small first
    .venv/bin/python bench/inbox.py                          # 1,000,000 cases on SQLite
    .venv/bin/python bench/inbox.py --database-url postgres://postgres@127.0.0.1:5432/zhenjie_bench
"""

import argparse
import gc
import heapq
import io
import itertools
import math
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
DEFAULT_URL = f"sqlite:///{BENCH_VAR / 'bench.sqlite3'}"
sys.path.insert(0, str(ROOT))

PAGE_SIZE = 20  # what workbench.paging.paginate serves by default
SEED = 20261123  # fixed, so two runs (or a resumed run) seed the same data


# ── command line and the database ─────────────────────────────────────────────────────────────


def bench_parser(doc: str, *, rows: str, default_url: str, batch: int, repeat: int) -> argparse.ArgumentParser:
    """The options every benchmark here shares (bench/events.py uses it too); `rows` names what is seeded."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(f"--{rows}", type=int, default=1_000_000, help=f"{rows} the database must hold (default 1,000,000)")
    parser.add_argument("--database-url", default=default_url, help=f"default {default_url}")
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and build it again")
    parser.add_argument("--batch", type=int, default=batch, help=f"{rows} per insert transaction (default {batch:,})")
    parser.add_argument("--user", default="liuwan.dispatcher", help="whose pages to time (default liuwan.dispatcher)")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"timed repetitions (default {repeat})")
    parser.add_argument("--warmup", type=int, default=5, help="untimed repetitions first (default 5)")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of both sides")
    parser.add_argument("--explain", action="store_true", help="print the database's plans, the ORM's beside the hand-written")
    parser.add_argument("--seed-only", action="store_true", help="build and seed, do not time")
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = bench_parser(__doc__, rows="cases", default_url=DEFAULT_URL, batch=20_000, repeat=50)
    parser.add_argument("--single-or", action="store_true", help="also time the page as one query over the OR (before Inbox)")
    parser.add_argument("--proposed", action="store_true", help="also time two variants not applied (bench/README.md)")
    return parser.parse_args(argv)


def prepare_database(url: str, reseed: bool) -> None:
    """Make sure the benchmark database exists (and is empty when reseeding).

    The database name must contain "bench": seeding a million rows into, or dropping, a
    developer's database by a mistyped URL is not something to allow."""
    parts = urlsplit(url)
    name = Path(parts.path).name if parts.scheme == "sqlite" else parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: a benchmark database's name must contain 'bench'")
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if reseed:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif parts.scheme in ("postgres", "postgresql"):
        _prepare_postgres(parts, name, reseed)
    else:
        sys.exit(f"unsupported database URL scheme {parts.scheme!r}")


def _prepare_postgres(parts, name: str, reseed: bool) -> None:
    import psycopg
    from psycopg import sql

    # CREATE/DROP DATABASE cannot run inside the database itself: use the maintenance database.
    server = dict(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres")
    with psycopg.connect(dbname="postgres", autocommit=True, password=parts.password, **server) as conn:
        if reseed:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    """Point the settings at the benchmark database and var directory, then start Django."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["ZHENJIE_VAR_DIR"] = str(BENCH_VAR)  # secret key, Huey queue and uploads stay apart too
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhenjie.settings"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory: it would slow the ORM side
    import django

    django.setup()


def build_county() -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "--events", "0", stdout=io.StringIO())  # idempotent; no event history: the figures are for tasks
    print(f"demo county ready ({time.monotonic() - started:.1f}s)")


# ── the county as the seeder sees it ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Issuer:
    """Who hands out tasks in a township: the leader (government) or the dispatcher (command centre)."""

    unit_id: int
    user_id: int
    prefix: str  # case number prefix, as tasks.workflow's number_prefix makes it: 柳湾交


@dataclass(frozen=True)
class Assignee:
    unit_id: int
    area_id: int
    place: str  # the village (or the township) a title names
    worker_id: int | None  # someone in the unit, to sign the assignments it did


@dataclass(frozen=True)
class Township:
    weight: float
    issuers: tuple[Issuer, ...]
    assignees: tuple[Assignee, ...]


# Share of the cases per township: the developed town and the county seat are the busy ones.
TOWNSHIP_WEIGHTS = {"liuwan": 0.35, "chengguan": 0.30, "dongxi": 0.20, "shiqiao": 0.15}


def load_county() -> list[Township]:
    from zhenjie.accounts.models import Post, User
    from zhenjie.areas.models import Area
    from zhenjie.demo import county as plan
    from zhenjie.units.models import Unit

    townships = []
    for township in plan.TOWNSHIPS:
        area = Area.objects.get(code=f"{plan.COUNTY_CODE}{township.segment}000")
        villages = list(Area.objects.filter(parent=area).order_by("sort_order").values_list("name", flat=True))
        issuers = []
        for role in ("leader", "dispatcher"):
            user = User.objects.get(username=f"{township.slug}.{role}")
            post = Post.objects.filter(user=user, is_active=True).select_related("unit__area").get()
            issuers.append(Issuer(post.unit_id, user.pk, f"{post.unit.area.name[:2]}交"))
        units = Unit.objects.filter(area__path__startswith=area.path, is_active=True).exclude(kind=Unit.Kind.TOWNSHIP_GOVERNMENT)
        assignees = []
        for index, unit in enumerate(units.select_related("area").order_by("pk")):
            worker = Post.objects.filter(unit=unit, is_active=True).order_by("pk").values_list("user_id", flat=True).first()
            # A village committee's titles name its village; a township unit works all over the
            # township, so its titles name one of the villages.
            place = unit.area.name if unit.kind == Unit.Kind.VILLAGE_COMMITTEE else villages[index % len(villages)]
            assignees.append(Assignee(unit.pk, unit.area_id, place, worker))
        townships.append(Township(TOWNSHIP_WEIGHTS[township.slug], tuple(issuers), tuple(assignees)))
    return townships


# ── what a seeded case looks like ─────────────────────────────────────────────────────────────

# Task workflow states (tasks/workflow.py) and their share: most work of the past year is done.
STATE_WEIGHTS = {"closed": 0.70, "cancelled": 0.03, "assigned": 0.07, "acknowledged": 0.14, "reported": 0.06}
OPEN_STATES = {"assigned", "acknowledged", "reported"}
WORKING_DAYS = [2, 3, 5, 5, 5, 7, 7, 10, 10, 15, 20, 30]

# Open cases' deadlines, in whole days from today: (share, first day, last day).
# Deadlines end at 23:59:59 local time (deadlines.py), so "due within 24 h" means "due today".
OPEN_DUE_DAYS = [(0.15, -30, -1), (0.05, 0, 0), (0.80, 1, 40)]

EXTRA_TOPICS = [
    ("排查自建房安全隐患", "对辖区经营性自建房逐栋排查结构安全和消防安全，建立隐患台账并督促整改。"),
    ("清理河道两侧违章搭建", "对河道管理范围内违章搭建进行摸底，下达限期拆除通知，配合执法队依法处置。"),
    ("核实困难群众临时救助申请", "对本周提交的临时救助申请逐户入户核实，填写核查意见后报社会事务办。"),
    ("开展校园周边环境整治", "对中小学周边流动摊贩、占道经营开展整治，上下学时段安排专人值守。"),
    ("统计秋粮收购进度", "逐村统计秋粮收购数量和价格，发现压级压价情况及时报告。"),
    ("排查独居老人取暖安全", "入户检查独居老人冬季取暖设施，发现煤炉无烟囱、电线私拉乱接的立即整改。"),
    ("化解拖欠农民工工资纠纷", "会同人社部门约谈施工单位负责人，督促按期支付拖欠工资，做好农民工情绪疏导。"),
    ("落实食品安全包保责任", "对辖区食品生产经营主体开展包保督导检查，填写督导记录。"),
    ("核查群众反映的噪音扰民问题", "到现场核实夜间施工噪音扰民问题，督促施工单位调整作业时间并回复群众。"),
    ("推进人居环境整治村庄清洁行动", "组织村民开展房前屋后清洁，清理残垣断壁和积存垃圾，整治前后拍照留存。"),
    ("排查防汛重点部位", "对山塘水库、地质灾害隐患点和低洼易涝区域开展排查，落实巡查责任人。"),
    ("开展禁毒宣传进村入户", "组织网格员入户发放禁毒宣传材料，重点人员逐一走访见面。"),
]


def _topics() -> list[tuple[str, str]]:
    from zhenjie.demo.build import TASK_TEMPLATES

    return [(title, description) for title, description, _days in TASK_TEMPLATES] + EXTRA_TOPICS


@dataclass
class Draft:
    """One case before insert; tasks and assignments need its id, so they are built after."""

    case: object
    issuer: Issuer
    assignee: Assignee
    description: str
    steps: list = field(default_factory=list)  # (todo, unit_id, state, created_at, done_at, done_by_id)


class Seeder:
    """Makes realistic cases from a seeded random generator and inserts them in batches."""

    def __init__(self, townships: list[Township], now: datetime):
        from django.utils import timezone

        self.townships = townships
        self.weights = [t.weight for t in townships]
        self.topics = _topics()
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(now, self.tz).date()
        self.numbers = self._number_counters()

    # The case numbers continue the demo's series and are saved back, so the application's next
    # number after seeding neither repeats nor skips one.
    def _number_counters(self) -> dict[tuple[int, int], int]:
        from zhenjie.kernel.models import NumberSeries

        return {(row.unit_id, row.year): row.last for row in NumberSeries.objects.filter(series="task")}

    def save_numbers(self) -> None:
        from zhenjie.kernel.models import NumberSeries

        for (unit_id, year), last in self.numbers.items():
            NumberSeries.objects.update_or_create(unit_id=unit_id, series="task", year=year, defaults={"last": last})

    def _next_number(self, issuer: Issuer, opened: datetime) -> str:
        from zhenjie.kernel.numbering import format_number

        year = opened.astimezone(self.tz).year
        key = (issuer.unit_id, year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return format_number(issuer.prefix, year, self.numbers[key])

    def _end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, clock(23, 59, 59), tzinfo=self.tz)

    def _office_hours(self, rng: random.Random, day: date) -> datetime:
        return datetime.combine(day, clock(8, 30), tzinfo=self.tz) + timedelta(minutes=rng.randrange(9 * 60))

    def _timeline(self, rng: random.Random, state: str) -> tuple[datetime, datetime, int]:
        """(opened, due, working days). Working days are taken as 5/7 of calendar days: close
        enough here, where only due_at matters, and a million calendar look-ups are not."""
        days = rng.choice(WORKING_DAYS)
        if state in OPEN_STATES:
            share_roll, due_offset = rng.random(), 0
            for share, first, last in OPEN_DUE_DAYS:
                if share_roll < share:
                    due_offset = rng.randint(first, last)
                    break
                share_roll -= share
            days = max(days, math.ceil((due_offset + 1) * 5 / 7))  # opened at least a day ago
            due_day = self.today + timedelta(days=due_offset)
            opened_day = due_day - timedelta(days=math.ceil(days * 7 / 5))
        else:
            opened_day = self.today - timedelta(days=rng.randrange(1, 366))
            due_day = opened_day + timedelta(days=math.ceil(days * 7 / 5))
        return self._office_hours(rng, opened_day), self._end_of_day(due_day), days

    def draft(self, rng: random.Random) -> Draft:
        from zhenjie.kernel.models import Case

        township = rng.choices(self.townships, self.weights)[0]
        issuer = rng.choice(township.issuers)
        assignee = rng.choice(township.assignees)
        if assignee.unit_id == issuer.unit_id:  # the command centre does not hand work to itself
            issuer = township.issuers[0]
        state = rng.choices(list(STATE_WEIGHTS), list(STATE_WEIGHTS.values()))[0]
        opened, due, days = self._timeline(rng, state)
        topic, description = rng.choice(self.topics)
        case = Case(
            kind="task", number=self._next_number(issuer, opened), title=f"{assignee.place}{topic}", state=state,
            area_id=assignee.area_id, owner_unit_id=assignee.unit_id, channel="task", opened_at=opened,
            deadline_unit="working_days", deadline_amount=days, deadline_started_at=opened, due_at=due,
            created_by_id=issuer.user_id,
        )  # fmt: skip
        draft = Draft(case, issuer, assignee, description)
        self._history(rng, draft)
        return draft

    def _history(self, rng: random.Random, draft: Draft) -> None:
        """The assignments the task actions would have left (tasks/actions.py), and the case's
        closing time and supervision card (kernel/supervision.py)."""
        case, state, opened = draft.case, draft.case.state, draft.case.opened_at
        unit, worker, issuer = draft.assignee.unit_id, draft.assignee.worker_id, draft.issuer
        if state in OPEN_STATES:
            end = self.now
        else:  # closed (or cancelled) after 30 % to 130 % of the time allowed
            end = min(self.now, opened + (case.due_at - opened) * rng.uniform(0.3, 1.3))
        # Two moments between opening and now (or closing): acknowledged, then reported.
        t1, t2 = sorted(opened + (end - opened) * rng.random() for _ in range(2))
        # Each step: (todo, unit, assignment state, created, done at, done by).
        acknowledged = ("acknowledge", unit, "done", opened, t1, worker)
        reported = ("report_back", unit, "done", t1, t2, worker)
        if state == "assigned":
            draft.steps = [("acknowledge", unit, "open", opened, None, None)]
        elif state == "acknowledged":
            draft.steps = [acknowledged, ("report_back", unit, "open", t1, None, None)]
        elif state == "reported":
            draft.steps = [acknowledged, reported, ("review", issuer.unit_id, "open", t2, None, None)]
        elif state == "closed":
            draft.steps = [acknowledged, reported, ("review", issuer.unit_id, "done", t2, end, issuer.user_id)]
        elif rng.random() < 0.5:  # cancelled before anyone signed for it …
            draft.steps = [("acknowledge", unit, "cancelled", opened, end, None)]
        else:  # … or while it was being done
            draft.steps = [acknowledged, ("report_back", unit, "cancelled", t1, end, None)]
        if state not in OPEN_STATES:
            case.closed_at = end
        elif case.due_at < self.now:
            case.alert, case.alert_since, case.alert_leader_notified = "red", case.due_at, True
        elif case.due_at < self.now + timedelta(hours=24):
            case.alert, case.alert_since = "yellow", case.due_at - timedelta(hours=24)

    def insert(self, drafts: list[Draft]) -> int:
        """Cases, their task details and assignments, in one transaction. Returns assignments made.

        The journal is skipped: it is not read by the inbox, and hash-chaining a million entries
        one by one is what seeding in bulk avoids."""
        from django.db import transaction

        from zhenjie.kernel.models import Assignment, Case
        from zhenjie.tasks.models import Task

        with transaction.atomic():
            Case.objects.bulk_create([d.case for d in drafts])  # sets the ids (RETURNING)
            Task.objects.bulk_create([self._task(d) for d in drafts])
            assignments = [
                Assignment(case_id=d.case.pk, unit_id=unit_id, todo=todo, state=state, due_at=d.case.due_at,
                           created_at=created, done_at=done_at, done_by_id=done_by)
                for d in drafts
                for todo, unit_id, state, created, done_at, done_by in d.steps
            ]  # fmt: skip
            Assignment.objects.bulk_create(assignments)
            self.save_numbers()
        return len(assignments)

    @staticmethod
    def _task(draft: Draft):
        from zhenjie.tasks.models import Task

        reported = draft.case.state in ("reported", "closed")
        result = "已按要求完成，相关照片和台账已留存。" if reported else ""
        return Task(case_id=draft.case.pk, description=draft.description, issued_by_unit_id=draft.issuer.unit_id,
                    assignee_unit_id=draft.assignee.unit_id, result=result)  # fmt: skip


def seed(target: int, batch: int) -> None:
    """Insert cases until the database holds `target`; a run cut short resumes where it stopped.

    Each batch commits on its own, and its random generator is seeded from the number of cases
    already there, so a resumed run makes the same rows a run without a break would have."""
    from django.utils import timezone

    from zhenjie.kernel.models import Case

    if seed_rows("cases", Case.objects.count(), target, batch, Seeder(load_county(), timezone.now())):
        analyze()


def seed_rows(noun: str, have: int, target: int, batch: int, seeder, seed: int = SEED) -> bool:
    """The resumable batch loop both benchmarks seed with: `seeder.draft(rng)` makes one row's
    draft from a generator seeded by `seed` and the rows present, `seeder.insert(drafts)` writes a batch in its own transaction and returns the
    assignments it wrote. False when the database already held `target` rows."""
    if have >= target:
        print(f"seeding skipped: {have:,} {noun} present (>= {target:,}); --reseed to start again")
        return False
    print(f"seeding {target - have:,} {noun} ({have:,} present) in batches of {batch:,}")
    started, seeded, assignments = time.monotonic(), 0, 0
    while have < target:
        rng = random.Random(seed * 1_000_003 + have)
        drafts = [seeder.draft(rng) for _ in range(min(batch, target - have))]
        assignments += seeder.insert(drafts)
        have, seeded = have + len(drafts), seeded + len(drafts)
        rate = seeded / (time.monotonic() - started)
        print(f"  {have:>10,} / {target:,} {noun}  {assignments:>10,} assignments  {rate:>7,.0f} {noun}/s  "
              f"eta {(target - have) / rate:>5.0f}s", flush=True)  # fmt: skip
    seconds = time.monotonic() - started
    print(f"seeded {seeded:,} {noun} and {assignments:,} assignments in {seconds:.0f}s ({seeded / seconds:,.0f} {noun}/s)")
    return True


def analyze() -> None:
    """Give the planner statistics, as autovacuum would on PostgreSQL after a bulk load. SQLite
    is left as the application leaves it: nothing here runs ANALYZE on it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE ({time.monotonic() - started:.0f}s)")


# ── the two sides of the comparison ───────────────────────────────────────────────────────────


@dataclass
class Answer:
    """What one side answered for one request, and how long each part took (milliseconds)."""

    ids: list[int]  # the page, in order
    counts: tuple[int, int, int] | None  # pending, due within 24 h, overdue
    total: int | None  # what the paginator's count() returns
    ms: dict[str, float]


def orm_request(user, now: datetime, single_or: bool = False) -> Answer:
    """The inbox as the views build it, for a user object fresh from the request: reach_of()
    (one query on posts), the first page `Inbox(user)[0:20]` (one head query per branch, then the
    page's rows with case, area and unit), `inbox_counts(user)`, and the count the paginator asks
    for (workbench inbox page and /api/inbox; the home page shows 8 rows without it).

    single_or: page and count as the application read them before Inbox, one query over the
    OR of the branches (`list(inbox_for(user)[:20])`, `inbox_for(user).count()`)."""
    from zhenjie.kernel.assignments import Inbox, inbox_counts, inbox_for
    from zhenjie.kernel.scoping import forget_reach, reach_of

    forget_reach(user)  # a request starts without it: the middleware loads a new user object
    t0 = time.perf_counter()
    reach_of(user)
    t1 = time.perf_counter()
    if single_or:
        rows = inbox_for(user)
        page = list(rows[:PAGE_SIZE])
    else:
        rows = Inbox(user)
        page = rows[0:PAGE_SIZE]
    t2 = time.perf_counter()
    counts = inbox_counts(user, now)
    t3 = time.perf_counter()
    total = rows.count()
    t4 = time.perf_counter()
    ms = {"reach": t1 - t0, "page": t2 - t1, "counts": t3 - t2, "count": t4 - t3}
    three = (counts["pending"], counts["due_soon"], counts["overdue"])
    return Answer([a.pk for a in page], three, total, {part: seconds * 1e3 for part, seconds in ms.items()})


# What the inbox page renders (workbench/_inbox_rows.html and inbox.as_rows): the case's title,
# number, kind, state and area name, the assignment's todo, unit name and deadline.
PAGE_COLUMNS = (
    "a.id", "a.case_id", "a.todo", "a.due_at", "a.due_uncertain",
    "c.kind", "c.number", "c.title", "c.state", "ar.name", "u.name",
)  # fmt: skip

# The joins of select_related("case", "case__area", "unit"): every foreign key is NOT NULL.
PAGE_FROM = """FROM kernel_assignment a
JOIN kernel_case c ON c.id = a.case_id
JOIN areas_area ar ON ar.id = c.area_id
JOIN units_unit u ON u.id = a.unit_id"""
PAGE_ORDER = "ORDER BY a.due_at ASC NULLS LAST, a.id ASC"  # INBOX_ORDER


def all_columns() -> tuple[str, ...]:
    """Every column of the four tables, which is what select_related() fetches."""
    from zhenjie.areas.models import Area
    from zhenjie.kernel.models import Assignment, Case
    from zhenjie.units.models import Unit

    tables = [("a", Assignment), ("c", Case), ("ar", Area), ("u", Unit)]
    return tuple(f"{alias}.{f.column}" for alias, model in tables for f in model._meta.concrete_fields)


@dataclass
class RawInbox:
    """One shape of the inbox in hand-written SQL. The page is either one statement (page_sql)
    or, as Inbox reads it, one head query per branch, the heads merged in Python, then the rows
    kept fetched with `columns`. Counts and the paginator's count are skipped when empty."""

    columns: tuple[str, ...]
    heads: list[tuple[str, list]] = field(default_factory=list)
    page_sql: str = ""
    page_params: list = field(default_factory=list)
    counts_sql: str = ""
    counts_params: list = field(default_factory=list)
    count_sql: str = ""
    count_params: list = field(default_factory=list)

    def fetch_sql(self, n: int) -> str:
        """The page's rows by id, as Assignment.objects.filter(pk__in=ids) with select_related."""
        return f"SELECT {', '.join(self.columns)}\n{PAGE_FROM}\nWHERE a.id IN ({', '.join(['%s'] * n)})\n{PAGE_ORDER}"


def branches_sql(reach) -> list[tuple[str, list]]:
    """inbox_branches() in SQL: work addressed to the user by name, then per unit of theirs (two
    posts in one unit make one branch) work addressed to the unit for one of their roles there,
    or for anyone. The branches are disjoint: a personal assignment names its user, a unit's none."""
    branches = [("a.user_id = %s", [reach.user_id])] if reach.user_id else []
    roles_by_unit: dict[int, set[str]] = {}
    for post in reach.posts:
        roles_by_unit.setdefault(post.unit_id, {""}).update(post.roles)
    for unit_id, roles in sorted(roles_by_unit.items()):
        branches.append((f"a.unit_id = %s AND a.user_id IS NULL AND a.role IN ({', '.join(['%s'] * len(roles))})",
                         [unit_id, *sorted(roles)]))  # fmt: skip
    return branches


# The ORM sends the state as a parameter; so does this side (SQLite plans partial indexes with it).
OPEN = "a.state = %s"


def inbox_where(reach) -> tuple[str, list]:
    """inbox_q() with the open state, in SQL: the OR of the branches."""
    branches = branches_sql(reach)
    terms = " OR ".join(f"({sql})" for sql, _ in branches) or "1 = 0"
    return f"{OPEN} AND ({terms})", ["open", *sum((params for _, params in branches), [])]


def _counts(where: str, params: list, now: datetime) -> tuple[str, list, str, list]:
    """inbox_counts() and the paginator's count(), in SQL."""
    from django.db import connection

    from zhenjie.kernel.assignments import DUE_SOON

    counts_sql = f"""
SELECT COUNT(a.id),
       COUNT(a.id) FILTER (WHERE a.due_at >= %s AND a.due_at < %s),
       COUNT(a.id) FILTER (WHERE a.due_at < %s)
FROM kernel_assignment a
WHERE {where}"""
    # Datetimes go to the driver the way the ORM sends them (SQLite stores them as UTC text).
    adapt = connection.ops.adapt_datetimefield_value
    times = [adapt(now), adapt(now + DUE_SOON), adapt(now)]
    return counts_sql.strip(), [*times, *params], f"SELECT COUNT(*)\nFROM kernel_assignment a\nWHERE {where}", params


def raw_inbox(reach, now: datetime, columns: tuple[str, ...], page_only: bool = False) -> RawInbox:
    """What Inbox(user)[0:20], inbox_counts(user) and Inbox(user).count() send, by hand: one
    head per branch (its first 20 rows in deadline order, walking the branch's partial index),
    the page's rows by id, and the counts over the OR as before."""
    raw = RawInbox(columns)
    for branch, params in branches_sql(reach):
        sql = f"SELECT a.due_at, a.id\nFROM kernel_assignment a\nWHERE {OPEN} AND {branch}\n{PAGE_ORDER}\nLIMIT {PAGE_SIZE}"
        raw.heads.append((sql, ["open", *params]))
    if not page_only:
        raw.counts_sql, raw.counts_params, raw.count_sql, raw.count_params = _counts(*inbox_where(reach), now)
    return raw


def single_or_inbox(reach, now: datetime, columns: tuple[str, ...], page_only: bool = False) -> RawInbox:
    """The application's page before Inbox: one statement over the OR of the branches, which
    neither database can walk in deadline order, so it reads and sorts every open row of the user."""
    where, params = inbox_where(reach)
    raw = RawInbox(columns, page_sql=f"SELECT {', '.join(columns)}\n{PAGE_FROM}\nWHERE {where}\n{PAGE_ORDER}\nLIMIT {PAGE_SIZE}",
                   page_params=params)  # fmt: skip
    if not page_only:
        raw.counts_sql, raw.counts_params, raw.count_sql, raw.count_params = _counts(where, params, now)
    return raw


def proposed_inbox(reach, now: datetime) -> RawInbox:
    """Not what the application runs: two variants docs/PERFORMANCE.md mentions. The page in one
    statement (the heads as a UNION ALL inside IN: one round trip instead of one per branch plus
    one), and the counts summed per branch (UNION ALL) instead of over the OR."""
    from django.db import connection

    from zhenjie.kernel.assignments import DUE_SOON

    branches = branches_sql(reach)
    heads = "\n  UNION ALL ".join(
        f"SELECT id FROM (SELECT a.id FROM kernel_assignment a WHERE {OPEN} AND {branch} {PAGE_ORDER} LIMIT {PAGE_SIZE}) b{i}"
        for i, (branch, _) in enumerate(branches)
    )
    page_sql = f"SELECT {', '.join(PAGE_COLUMNS)}\n{PAGE_FROM}\nWHERE a.id IN (\n  {heads})\n{PAGE_ORDER}\nLIMIT {PAGE_SIZE}"
    counts = (
        "COUNT(a.id) AS p, COUNT(a.id) FILTER (WHERE a.due_at >= %s AND a.due_at < %s) AS s, "
        "COUNT(a.id) FILTER (WHERE a.due_at < %s) AS o"
    )
    per_branch = "\n  UNION ALL ".join(
        f"SELECT {counts} FROM kernel_assignment a WHERE {OPEN} AND {branch}" for branch, _ in branches
    )
    adapt = connection.ops.adapt_datetimefield_value
    times = [adapt(now), adapt(now + DUE_SOON), adapt(now)]
    return RawInbox(
        PAGE_COLUMNS, page_sql=page_sql, page_params=sum((["open", *params] for _, params in branches), []),
        counts_sql=f"SELECT SUM(p), SUM(s), SUM(o) FROM (\n  {per_branch}) t",
        counts_params=sum(([*times, "open", *params] for _, params in branches), []),
    )  # fmt: skip


def _inbox_key(row):
    """(due_at, id) with no deadline last, as INBOX_ORDER. Two NULLs compare equal and fall
    through to the id. Raw SQLite rows hold due_at as UTC text, which sorts as the database does."""
    return (row[0] is None, row[0], row[1])


def raw_request(raw: RawInbox) -> Answer:
    from django.db import connection

    ms: dict[str, float] = {}
    counts = total = None
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        if raw.heads:
            heads = []
            for sql, params in raw.heads:
                cursor.execute(sql, params)
                heads.append(cursor.fetchall())
            ids = [pk for _, pk in itertools.islice(heapq.merge(*heads, key=_inbox_key), PAGE_SIZE)]
            t1 = time.perf_counter()
            rows = []
            if ids:
                cursor.execute(raw.fetch_sql(len(ids)), ids)
                rows = cursor.fetchall()
            t2 = time.perf_counter()
            ms["heads"], ms["fetch"] = (t1 - t0) * 1e3, (t2 - t1) * 1e3
        else:
            cursor.execute(raw.page_sql, raw.page_params)
            rows = cursor.fetchall()
            t2 = time.perf_counter()
        ms["page"] = (t2 - t0) * 1e3
        if raw.counts_sql:
            t3 = time.perf_counter()
            cursor.execute(raw.counts_sql, raw.counts_params)
            counts = cursor.fetchone()
            ms["counts"] = (time.perf_counter() - t3) * 1e3
        if raw.count_sql:
            t4 = time.perf_counter()
            cursor.execute(raw.count_sql, raw.count_params)
            total = cursor.fetchone()[0]
            ms["count"] = (time.perf_counter() - t4) * 1e3
    return Answer([r[0] for r in rows], None if counts is None else tuple(int(n or 0) for n in counts), total, ms)


# ── running and reporting ─────────────────────────────────────────────────────────────────────


def describe_machine() -> None:
    """Software, database and machine, as the figures' conditions (bench/events.py uses it too)."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 'SQLite ' || sqlite_version()")
        version = cursor.fetchone()[0]
    print(f"Python {platform.python_version()}, Django {django.get_version()}, {version.split(' on ')[0]}")
    print(f"{os.cpu_count()} CPUs, {platform.platform()}, {load_average()}")


def describe_database() -> None:
    from zhenjie.kernel.models import Assignment, Case

    describe_machine()
    cases = Case.objects.count()
    assignments = Assignment.objects.count()
    open_ = Assignment.objects.filter(state="open").count()
    print(f"rows: {cases:,} cases, {assignments:,} assignments ({open_:,} open)")


def load_average() -> str:
    """Other work on the machine shows in the spread of the figures: say how busy it was."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def check_same(user, now: datetime, raws: dict[str, RawInbox]) -> Answer:
    """Every side must answer the same rows in the same order, and the same counts: the ORM's
    Inbox pages and its single query, and each hand-written shape."""
    from zhenjie.kernel.assignments import Inbox, inbox_for

    expected = [a.pk for a in inbox_for(user)[:PAGE_SIZE]]
    following = [a.pk for a in inbox_for(user)[PAGE_SIZE : 2 * PAGE_SIZE]]
    if [a.pk for a in Inbox(user)[PAGE_SIZE : 2 * PAGE_SIZE]] != following:
        sys.exit("Inbox(user)[20:40] differs from inbox_for(user)[20:40]")
    orm = orm_request(user, now)
    answers = {"Inbox(user) (ORM)": orm, "inbox_for(user) (ORM, single OR)": orm_request(user, now, single_or=True)}
    answers |= {f"hand-written {name}": raw_request(raw) for name, raw in raws.items()}
    for name, answer in answers.items():
        if answer.ids != expected:
            sys.exit(f"{name}: page {answer.ids} differs from inbox_for(user)[:20] {expected}: the comparison is void")
        if answer.counts is not None and answer.counts != orm.counts:
            sys.exit(f"{name}: counts {answer.counts} differ from inbox_counts() {orm.counts}")
        if answer.total is not None and answer.total != orm.counts[0]:
            sys.exit(f"{name}: count() {answer.total} differs from inbox_counts()'s pending {orm.counts[0]}")
    if len(expected) < PAGE_SIZE:
        print(f"warning: only {len(expected)} rows in the inbox; seed more cases for a meaningful figure")
    return orm


def show_sql(user, now: datetime, raws: dict[str, RawInbox], single_or: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    modes = [False, True] if single_or else [False]
    for mode in modes:
        with CaptureQueriesContext(connection) as captured:
            orm_request(user, now, single_or=mode)
        print(f"\n── ORM{', single OR' if mode else ''}: the SQL Django sent (reach_of, page, counts, count) ──")
        for query in captured.captured_queries:
            print(query["sql"] + ";\n")
    for name, raw in raws.items():
        print(f"── hand-written: {name} ──")
        for sql, params in raw.heads:
            print(f"{sql};\n  params: {params}")
        if raw.heads:
            print(f"{raw.fetch_sql(PAGE_SIZE)};\n  params: the ids the merge kept")
        if raw.page_sql:
            print(f"{raw.page_sql};\n  params: {raw.page_params}")
        if raw.counts_sql:
            print(f"{raw.counts_sql};\n  params: {raw.counts_params}")
        if raw.count_sql:
            print(f"{raw.count_sql};\n  params: {raw.count_params}")
        print()


def explain(user, raws: dict[str, RawInbox], page_ids: list[int]) -> None:
    """The plans of the hand-written queries, then the ORM's, to show they are the same."""
    from django.db import connection

    from zhenjie.kernel.assignments import INBOX_ORDER, inbox_branches, inbox_for
    from zhenjie.kernel.models import Assignment

    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS)" if postgres else "EXPLAIN QUERY PLAN"
    queries = []
    for name, raw in raws.items():
        queries += [(f"{name}: head {i + 1}", sql, params) for i, (sql, params) in enumerate(raw.heads)]
        if raw.heads:
            queries.append((f"{name}: fetch", raw.fetch_sql(len(page_ids)), page_ids))
        if raw.page_sql:
            queries.append((f"{name}: page", raw.page_sql, raw.page_params))
        if raw.counts_sql:
            queries.append((f"{name}: counts", raw.counts_sql, raw.counts_params))
        if raw.count_sql:
            queries.append((f"{name}: count", raw.count_sql, raw.count_params))
    for label, sql, params in queries:
        with connection.cursor() as cursor:
            cursor.execute(f"{prefix} {sql}", params)
            print(f"── plan: hand-written {label} ──")
            for row in cursor.fetchall():
                print("  " + " | ".join(str(v) for v in row))
    # The ORM's queries, built as Inbox and inbox_counts build them.
    open_ = Assignment.objects.filter(state=Assignment.State.OPEN)
    orm = [
        (f"head {i + 1}", open_.filter(branch).order_by(*INBOX_ORDER).values_list("due_at", "id")[:PAGE_SIZE])
        for i, branch in enumerate(inbox_branches(user))
    ]
    rows = Assignment.objects.filter(pk__in=page_ids).select_related("case", "case__area", "unit").order_by(*INBOX_ORDER)
    orm.append(("fetch", rows))
    orm.append(("single OR page", inbox_for(user)[:PAGE_SIZE]))
    for label, queryset in orm:
        plan = queryset.explain(analyze=True, buffers=True) if postgres else queryset.explain()
        print(f"── plan: ORM {label} (QuerySet.explain) ──")
        print("  " + plan.replace("\n", "\n  "))
    print()


def measure(sides: dict, warmup: int, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Interleave the sides, alternating which goes first, so drift and cache order favour none."""
    timings: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    gc.collect()
    for i in range(warmup + repeat):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            answer = sides[name]()
            if i >= warmup:
                for part, ms in answer.ms.items():
                    timings[name].setdefault(part, []).append(ms)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(t: dict[str, dict[str, list[float]]], repeat: int, warmup: int) -> None:
    def parts(side: str, *names: str) -> list[float]:
        return [sum(values) for values in zip(*(t[side][name] for name in names))]

    rows = {
        "ORM reach_of()": parts("orm", "reach"),
        "ORM page Inbox(user)[0:20]": parts("orm", "page"),
        "ORM page incl. reach_of": parts("orm", "reach", "page"),
        "ORM counts": parts("orm", "counts"),
        "ORM total": parts("orm", "reach", "page", "counts"),
        "ORM paginator count()": parts("orm", "count"),
        "ORM total + count()": parts("orm", "reach", "page", "counts", "count"),
        "raw page: heads + merge": parts("raw", "heads"),
        "raw page: fetch of the rows": parts("raw", "fetch"),
        "raw page": parts("raw", "page"),
        "raw page, every column": parts("raw_all", "page"),
        "raw counts": parts("raw", "counts"),
        "raw total": parts("raw", "page", "counts"),
        "raw paginator count()": parts("raw", "count"),
        "raw total + count()": parts("raw", "page", "counts", "count"),
    }
    ratios = [
        ("page (incl. reach_of)", "ORM page incl. reach_of", "raw page"),
        ("page (excl. reach_of)", "ORM page Inbox(user)[0:20]", "raw page"),
        ("page vs every column", "ORM page incl. reach_of", "raw page, every column"),
        ("counts", "ORM counts", "raw counts"),
        ("total", "ORM total", "raw total"),
        ("total + count()", "ORM total + count()", "raw total + count()"),
    ]
    if "orm_or" in t:  # the application's page before Inbox, for the record
        rows |= {
            "single OR: ORM page inbox_for[:20]": parts("orm_or", "page"),
            "single OR: ORM page incl. reach": parts("orm_or", "reach", "page"),
            "single OR: ORM total": parts("orm_or", "reach", "page", "counts"),
            "single OR: raw page": parts("raw_or", "page"),
            "single OR: raw page, every column": parts("raw_or_all", "page"),
            "single OR: raw total": parts("raw_or", "page", "counts"),
        }
        ratios += [
            ("single OR: page", "single OR: ORM page incl. reach", "single OR: raw page"),
            ("single OR: total", "single OR: ORM total", "single OR: raw total"),
        ]
    if "proposed" in t:  # shown for comparison, outside the ratios: not what the application runs
        rows["page in one statement (raw)"] = parts("proposed", "page")
        rows["counts per branch (raw)"] = parts("proposed", "counts")
    print(f"\n{'milliseconds':<38}{'min':>9}{'median':>9}{'p95':>9}   ({repeat} runs after {warmup} warm-up)")
    for label, values in rows.items():
        print(f"{label:<38}{min(values):>9.2f}{statistics.median(values):>9.2f}{p95(values):>9.2f}")
    med = {label: statistics.median(values) for label, values in rows.items()}
    print("\nORM / hand-written (medians); target: total <= 2.0      ratio   ORM - raw (ms)")
    for label, orm, raw in ratios:
        print(f"  {label:<52}{med[orm] / med[raw]:>6.2f}{med[orm] - med[raw]:>12.2f}")
    verdict = "MET" if med["ORM total"] <= 2 * med["raw total"] else "NOT MET"
    page = "within" if med["ORM page incl. reach_of"] <= 2 * med["raw page"] else "over"
    print(f"\ntarget 'within 2x the hand-written SQL of the same query': {verdict} on the total; the page alone is {page} 2x"
          f"   ({load_average()})")  # fmt: skip


def run_benchmark(args) -> None:
    from django.utils import timezone

    from zhenjie.accounts.models import User
    from zhenjie.kernel.scoping import reach_of

    describe_database()
    user = User.objects.get(username=args.user)
    now = timezone.now()
    reach = reach_of(user)
    raws = {"raw": raw_inbox(reach, now, PAGE_COLUMNS), "raw_all": raw_inbox(reach, now, all_columns(), page_only=True)}
    if args.single_or:
        raws["raw_or"] = single_or_inbox(reach, now, PAGE_COLUMNS)
        raws["raw_or_all"] = single_or_inbox(reach, now, all_columns(), page_only=True)
    if args.proposed:
        raws["proposed"] = proposed_inbox(reach, now)
    orm = check_same(user, now, raws)
    pending, due_soon, overdue = orm.counts
    units = ", ".join(str(p.unit_id) for p in reach.posts)
    print(f"inbox of {args.user} (unit {units}, {len(raws['raw'].heads)} branches): {pending:,} open assignments, "
          f"{overdue:,} overdue, {due_soon:,} due within 24 h")  # fmt: skip
    print("ORM side: reach_of() is forgotten before every run, so each pays its one query on posts, as a request does;")
    print("the page is Inbox(user)[0:20] (a head query per branch, merged, then the 20 rows with case, area and unit);")
    print("counts is inbox_counts(user); count() is what the paginator asks of Inbox (inbox page and /api/inbox).")
    print("hand-written side: the same SQL through connection.cursor(), fetchall(), the heads merged with heapq.merge;")
    print("reach computed once beforehand. Every side answered the same page and counts.")
    if args.show_sql:
        show_sql(user, now, raws, args.single_or)
    if args.explain:
        explain(user, raws, orm.ids)
    sides = {"orm": lambda: orm_request(user, now)}
    if args.single_or:
        sides["orm_or"] = lambda: orm_request(user, now, single_or=True)
    sides |= {name: (lambda raw=raw: raw_request(raw)) for name, raw in raws.items()}
    wall, cpu = time.perf_counter(), time.process_time()
    timings = measure(sides, args.warmup, args.repeat)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report(timings, args.repeat, args.warmup)
    # On SQLite the database works inside this process, so a share well under 100 % means the
    # process waited for a CPU (or the disk) and the absolute figures are inflated; ratios hold.
    print(f"timing phase: {cpu:.1f}s CPU in {wall:.1f}s wall ({cpu / wall:.0%} of one CPU for this process)")


def main(argv=None) -> None:
    args = parse_args(argv)
    prepare_database(args.database_url, args.reseed)
    setup_django(args.database_url)
    build_county()
    seed(args.cases, args.batch)
    if not args.seed_only:
        run_benchmark(args)


if __name__ == "__main__":
    main()
