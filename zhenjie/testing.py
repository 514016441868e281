"""Builders for tests: small worlds that say what matters, never one shared fixture graph.

`make_world()` gives two townships (A developed town, B ordinary town) in one county, a village
and a grid in each, a county department with a stationed unit in A, and staff: the cast every
test can ask "and does B see any of it?"."""

import contextlib
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image

from zhenjie.accounts import actions as accounts
from zhenjie.accounts.models import ApiToken, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.areas.models import Area
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

PASSWORD = "Test-password-2026"


def square(west: float, south: float, size: float = 0.1) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_user(username: str, unit: Unit | None, roles: list[str], jurisdiction: Area | None, title: str = "岗位") -> User:
    user = accounts.create_staff(None, username=username, full_name=username, password=PASSWORD)
    # Test people log in as if they had already changed their initial password; tests of the
    # forced change create their own with create_staff.
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    if unit is not None:
        accounts.grant_post(None, user=user, unit=unit, title=title, roles=roles, jurisdiction=jurisdiction)
    return user


@dataclass
class World:
    county: Area
    a: Area
    b: Area
    village_a: Area
    village_b: Area
    grid_a: Area
    grid_b: Area
    gov_a: Unit
    gov_b: Unit
    centre_a: Unit
    centre_b: Unit
    office_a: Unit
    committee_a: Unit
    police: Unit
    police_station_a: Unit
    leader_a: User
    dispatcher_a: User
    clerk_a: User
    agent_a: User
    grid_worker_a: User
    leader_b: User
    dispatcher_b: User
    liaison: User
    county_admin: User


def make_world() -> World:
    county, _ = create_area(None, code="990199000000", name="测试县", level="county", boundary=square(116.0, 35.0, 0.4))
    a, _ = create_area(None, code="990199101000", name="甲镇", level="township", parent=county, township_kind="town", is_developed=True, boundary=square(116.0, 35.0, 0.2))
    b, _ = create_area(None, code="990199102000", name="乙镇", level="township", parent=county, township_kind="town", boundary=square(116.2, 35.0, 0.2))
    village_a, _ = create_area(None, code="990199101201", name="甲一村", level="village", parent=a, village_kind="village", boundary=square(116.0, 35.0, 0.1))
    village_b, _ = create_area(None, code="990199102201", name="乙一村", level="village", parent=b, village_kind="village", boundary=square(116.2, 35.0, 0.1))
    grid_a, _ = create_area(None, code="990199101201001", name="甲一村第1网格", level="grid", parent=village_a, boundary=square(116.0, 35.0, 0.05))
    grid_b, _ = create_area(None, code="990199102201001", name="乙一村第1网格", level="grid", parent=village_b, boundary=square(116.2, 35.0, 0.05))
    gov_a = create_unit(None, name="甲镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, area=a)
    gov_b = create_unit(None, name="乙镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, area=b)
    centre_a = create_unit(None, name="甲镇社会治理综合指挥中心", kind=Unit.Kind.CENTRE, area=a)
    centre_b = create_unit(None, name="乙镇社会治理综合指挥中心", kind=Unit.Kind.CENTRE, area=b)
    office_a = create_unit(None, name="甲镇社会治理办公室", kind=Unit.Kind.OFFICE, area=a)
    committee_a = create_unit(None, name="甲一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=village_a)
    police = create_unit(None, name="测试县公安局", kind=Unit.Kind.DEPARTMENT, area=county)
    police_station_a = create_unit(None, name="甲镇派出所", kind=Unit.Kind.STATIONED, area=a, home_department=police)
    return World(
        county=county, a=a, b=b, village_a=village_a, village_b=village_b, grid_a=grid_a, grid_b=grid_b,
        gov_a=gov_a, gov_b=gov_b, centre_a=centre_a, centre_b=centre_b, office_a=office_a, committee_a=committee_a,
        police=police, police_station_a=police_station_a,
        leader_a=make_user("leader_a", gov_a, [R.TOWNSHIP_LEADER], a),
        dispatcher_a=make_user("dispatcher_a", centre_a, [R.DISPATCHER], a),
        clerk_a=make_user("clerk_a", office_a, [R.BACK_OFFICE_HANDLER], a),
        agent_a=make_user("agent_a", committee_a, [R.VILLAGE_AGENT], village_a),
        grid_worker_a=make_user("grid_worker_a", committee_a, [R.GRID_WORKER], grid_a),
        leader_b=make_user("leader_b", gov_b, [R.TOWNSHIP_LEADER], b),
        dispatcher_b=make_user("dispatcher_b", centre_b, [R.DISPATCHER], b),
        liaison=make_user("liaison", police, [R.DEPARTMENT_LIAISON], None),
        county_admin=make_user("county_admin", police, [R.COUNTY_ADMIN], county),
    )


def make_other_county() -> tuple[Area, User]:
    """A second county, 邻县, beside make_world's, with its own county administrator: for "and
    the other county's administrator changes nothing here?"."""
    county, _ = create_area(None, code="990299000000", name="邻县", level="county", boundary=square(117.0, 35.0, 0.4))
    unit = create_unit(None, name="邻县公安局", kind=Unit.Kind.DEPARTMENT, area=county)
    return county, make_user("other_county_admin", unit, [R.COUNTY_ADMIN], county)


def make_task(world: World, assignee: Unit | None = None, *, issuer: User | None = None, days: int = 5, title: str = "排查河道"):
    from zhenjie.tasks.actions import assign_task

    return assign_task(
        issuer or world.leader_a, title=title, description="按要求排查并反馈", assignee_unit=assignee or world.office_a, working_days=days
    )


def make_event(world: World, *, category: str = "sanitation", reporter: User | None = None, lng: float = 116.01, lat: float = 35.01,
               description: str = "路边垃圾堆积", channel: str = "grid"):
    """An event reported by township A's grid worker inside grid A (by default), with what the
    report's commit sets off (the early warning's job) run as a committed report would."""
    from django.test import TestCase

    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category

    with TestCase.captureOnCommitCallbacks(execute=True):
        return report_event(
            reporter or world.grid_worker_a,
            Report(channel=channel, category=Category.objects.get(code=category), description=description, lng=lng, lat=lat),
        )

# ---- the grid (镇村治理一张网) ------------------------------------------------------------------


def citizen_id(sequence: int, born=None, address: str = "990199") -> str:
    """A fictional citizen ID number that passes GB 11643's checksum; address code 99xxxx is no
    real province. `sequence` odd gives a man, even a woman."""
    from datetime import date

    from zhenjie.kernel.pii import citizen_id_check_character

    born = born or date(1960, 1, 1)
    body = f"{address}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + citizen_id_check_character(body)


def credit_code(sequence: int, division: str = "990199") -> str:
    """A fictional unified social credit code with a valid check character."""
    from zhenjie.kernel.pii import CREDIT_CODE_CHARACTERS, credit_code_check_character

    serial = ""
    n = sequence
    for _ in range(9):
        serial = CREDIT_CODE_CHARACTERS[n % 31] + serial
        n //= 31
    body = f"91{division}{serial}"
    return body + credit_code_check_character(body)


@dataclass
class GridWorld:
    """make_world() plus what grid tests need: a second grid in 甲一村 with its own worker, a
    grid worker in 乙镇, and the demo-like lead assignments (each worker leads their own grid)."""

    world: World
    grid_a2: Area
    grid_worker_a2: User
    grid_worker_b: User


def make_grid_world(world: World | None = None) -> GridWorld:
    from zhenjie.grid import actions as grid_actions

    world = world or make_world()
    grid_a2, _ = create_area(
        None, code="990199101201002", name="甲一村第2网格", level="grid", parent=world.village_a, boundary=square(116.05, 35.0, 0.05)
    )
    committee_b = create_unit(None, name="乙一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=world.village_b)
    worker_a2 = make_user("grid_worker_a2", world.committee_a, [R.GRID_WORKER], grid_a2)
    worker_b = make_user("grid_worker_b", committee_b, [R.GRID_WORKER], world.grid_b)
    grid_actions.set_lead_worker(world.leader_a, world.grid_a, world.grid_worker_a, expected_lead=None)
    grid_actions.set_lead_worker(world.leader_a, grid_a2, worker_a2, expected_lead=None)
    grid_actions.set_lead_worker(world.leader_b, world.grid_b, worker_b, expected_lead=None)
    return GridWorld(world=world, grid_a2=grid_a2, grid_worker_a2=worker_a2, grid_worker_b=worker_b)


def make_resident(grid: Area, actor: User, sequence: int = 1, *, name: str = "张三", born=None, phone: str = "", **fields):
    from zhenjie.grid.actions import register_resident

    return register_resident(
        actor, grid, name=name, id_number=citizen_id(sequence, born), phone=phone, address=fields.pop("address", "幸福路1号"), **fields
    )


def make_key_person(resident, actor: User, kind: str = "subsistence", *, since=None, **fields):
    from zhenjie.grid.actions import add_key_person

    return add_key_person(actor, resident, kind=kind, since=since, **fields)


# ---- the API as a client sees it: bearer tokens issued directly, JSON or multipart bodies


def png(colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int = 20000, height: int = 10000) -> bytes:
    """A small PNG whose header declares `width`×`height` pixels (a decompression bomb): 200
    megapixels of zeros compress to a few hundred kilobytes, so only the first rows are written —
    enough for anything that reads the header, as an attacker's file would be."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (width + 1) * 8, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class Api:
    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def as_(self, username: str) -> "Api":
        if username not in self.tokens:
            _, self.tokens[username] = ApiToken.issue(User.objects.get(username=username), timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}
        return self

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path, body=None):
        return self.client.post(path, body if body is not None else {}, content_type="application/json", **self.headers)

    def post_form(self, path, data):
        """multipart/form-data, as a phone sends photos."""
        return self.client.post(path, data, **self.headers)


@pytest.fixture
def api(client, world):
    return Api(client)


# ---- what a request asks of the database (issue 11: query plans and budgets as tests) ----------


def statements_of(fetch, status: int = 200) -> list[str]:
    """The SQL a request sends, in order: `fetch` calls the test client and must answer `status`.
    Statements are as Django logs them, with their parameters inlined."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == status, response.content[:500]
    return [query["sql"] for query in captured.captured_queries]


def fetcher(client, person: str, url: str):
    """The request as its reader makes it: pages with a session, the API with a bearer token."""
    if url.startswith("/api/"):
        api = Api(client).as_(person)
        path, _, query = url.partition("?")
        return lambda: api.get(path, **dict(part.split("=") for part in query.split("&") if part))
    from zhenjie.accounts.models import User

    client.force_login(User.objects.get(username=person))
    return lambda: client.get(url)


def count_queries(client, person: str, urls) -> dict[str, int]:
    """How many queries each url costs `person`, as they make the request (fetcher)."""
    return {url: len(statements_of(fetcher(client, person, url))) for url in urls}


def assert_the_same_at_two_sizes(client, person: str, budgets: dict[str, int], grow) -> None:
    """Each url costs `person` the same number of queries before and after `grow()` adds rows
    (several times as many), and no more than its budget (issue 11's query budgets)."""
    count_queries(client, person, budgets)  # the session, the token and the caches
    few = count_queries(client, person, budgets)
    grow()
    many = count_queries(client, person, budgets)
    assert many == few
    assert {url: count for url, count in many.items() if count > budgets[url]} == {}


def page_statements(statements: list[str], table: str) -> list[str]:
    """The statements that read a page of rows of `table`: a SELECT from it, ordered and limited,
    not an aggregate."""
    head = f'FROM "{table}"'
    return [sql for sql in statements if sql.startswith("SELECT") and head in sql and " ORDER BY " in sql and " LIMIT " in sql
            and " GROUP BY " not in sql and sql.index(head) < sql.index(" ORDER BY ")]


def query_plan(sql: str) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of `sql`, one line a step."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in cursor.fetchall()]


def plan_faults(plan: list[str]) -> list[str]:
    """The steps of a plan that read more than the page: a sort of every matching row before the
    first is returned, or a table scanned without an index. ("USE TEMP B-TREE FOR RIGHT PART OF
    ORDER BY" sorts only rows tied on the order an index gives, as the walk goes: not a fault.)"""
    import re

    return [step for step in plan if step == "USE TEMP B-TREE FOR ORDER BY" or re.fullmatch(r"SCAN \S+( AS \S+)?", step)]


def index_shapes(table: str) -> dict[str, tuple[list[str], list[str]]]:
    """The indexes of `table` in the database the tests run on: name → (columns, orders)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: (info["columns"], info.get("orders") or []) for name, info in found.items() if info["index"]}


def fill_lists(world: World, rounds: int = 1) -> None:
    """Rows in every list and tab for make_world()'s dispatcher, grid worker, department liaison
    and county administrator. Each round: an event in each of the dispatcher's tabs (from 待派遣
    on also one handled by the county's police, whom the liaison answers for), a call to the
    police, and tasks in each phase to a township office and to the police, and two to the grid
    worker's village committee (待签收, 办理中)."""
    from zhenjie.calls.actions import call_departments
    from zhenjie.events import actions as events
    from zhenjie.tasks import actions as tasks

    dispatcher, liaison, police = world.dispatcher_a, world.liaison, world.police

    def registered():
        return events.register_event(dispatcher, make_event(world))

    def with_police():
        return events.dispatch_event(dispatcher, registered(), unit=police, reason="清单未列明，由县公安局处置")

    def handled_by_police():
        event = events.start_handling(liaison, events.acknowledge_event(liaison, with_police()))
        return events.report_back(liaison, event, "已到场处置")

    def task_phases(issuer, unit, handler):
        make_task(world, unit, issuer=issuer)  # 待签收
        tasks.acknowledge_task(handler, make_task(world, unit, issuer=issuer))  # 办理中
        reported = tasks.report_task(handler, tasks.acknowledge_task(handler, make_task(world, unit, issuer=issuer)), "已办理")  # 待审核
        tasks.close_task(issuer, tasks.report_task(handler, tasks.acknowledge_task(handler, make_task(world, unit, issuer=issuer)), "已办理"))
        return reported

    for _ in range(rounds):
        make_event(world)  # 待受理
        registered()  # 待派遣
        events.return_event(liaison, with_police(), "不属本部门职责")  # 待派遣, and the police saw it
        call_departments(dispatcher, with_police().case, [police], "请到场处置", 3)  # 处置中
        handled_by_police()  # 待核查/结案
        events.close_event(dispatcher, events.verify_event(world.grid_worker_a, handled_by_police(), True))  # 已关闭
        events.reject_event(dispatcher, make_event(world), "重复上报")  # 已关闭
        task_phases(world.leader_a, world.office_a, world.clerk_a)
        task_phases(world.county_admin, police, liaison)
        make_task(world, world.committee_a)
        tasks.acknowledge_task(world.grid_worker_a, make_task(world, world.committee_a))


# ---- the journal's database guard ---------------------------------------------------------------


@contextlib.contextmanager
def journal_guard_lifted(connection=None):
    """What an attacker with DDL rights would do first — and what emptying a test database needs:
    lift the triggers that make kernel_journalentry append-only, then put them back."""
    from importlib import import_module

    from django.db import connection as default_connection

    connection = connection or default_connection
    guard = import_module("zhenjie.kernel.migrations.0017_journal_refuses_delete")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks from the caller's inserts must run before ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE kernel_journalentry DISABLE TRIGGER USER")
        else:
            for name in guard.SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE kernel_journalentry ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for statement in guard.SQLITE_UP:
                    cursor.execute(statement)


def wait_until(page, expression: str, timeout: float = 30000) -> None:
    """Playwright's `wait_for_function` for pages under our Content-Security-Policy: it evaluates
    its string with eval(), which the policy refuses ('unsafe-eval' is not allowed), while
    `page.evaluate` goes through the browser's debugging protocol. Polls every 100 ms."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(100)


# ---- base-map files (workbench/basemap.py): small raster MBTiles / PMTiles built in the test


def tile_png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def tiles_covering(west: float, south: float, east: float, north: float, zooms) -> list[tuple[int, int, int]]:
    """The XYZ tiles (y from the north, Web Mercator) over a longitude/latitude box."""
    import math

    def xy(lng, lat, z):
        n = 1 << z
        x = int((lng + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return min(x, n - 1), min(y, n - 1)

    found = []
    for z in zooms:
        (x0, y0), (x1, y1) = xy(west, north, z), xy(east, south, z)
        found += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return found


def make_mbtiles(path, tiles: dict, *, fmt: str = "png", bounds: str = "", attribution: str = "", metadata: dict | None = None):
    """An MBTiles 1.3 file: `tiles` maps XYZ (z, x, y) to the tile's bytes; rows are stored in TMS
    order (counted from the south), as the spec and every tool writing MBTiles do."""
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    zooms = [z for z, _, _ in tiles] or [0]
    meta = {"name": "测试底图", "format": fmt, "minzoom": str(min(zooms)), "maxzoom": str(max(zooms)), **(metadata or {})}
    if bounds:
        meta["bounds"] = bounds
    if attribution:
        meta["attribution"] = attribution
    connection.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    connection.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    connection.commit()
    connection.close()
    return path


def make_pmtiles(path, tiles: dict, *, bounds=(-180.0, -85.0, 180.0, 85.0)):
    """A raster PMTiles v3 file of PNG tiles, written with protomaps' own writer."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    zooms = [z for z, _, _ in tiles]
    with write(str(path)) as writer:
        for tile_id, data in sorted((zxy_to_tileid(z, x, y), data) for (z, x, y), data in tiles.items()):
            writer.write_tile(tile_id, data)
        writer.finalize(
            {
                "tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": min(zooms), "max_zoom": max(zooms),
                "min_lon_e7": int(bounds[0] * 1e7), "min_lat_e7": int(bounds[1] * 1e7),
                "max_lon_e7": int(bounds[2] * 1e7), "max_lat_e7": int(bounds[3] * 1e7),
                "center_zoom": min(zooms), "center_lon_e7": 0, "center_lat_e7": 0,
            },
            {"attribution": "测试底图"},
        )
    return path


def browser_log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Through the login form, as a person does, on to the workbench."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
