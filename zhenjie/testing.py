"""Builders for tests: small worlds that say what matters, never one shared fixture graph.

`make_world()` gives two townships (A developed town, B ordinary town) in one county, a village
and a grid in each, a county department with a stationed unit in A, and staff: the cast every
test can ask "and does B see any of it?"."""

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


def make_task(world: World, assignee: Unit | None = None, *, issuer: User | None = None, days: int = 5, title: str = "排查河道"):
    from zhenjie.tasks.actions import assign_task

    return assign_task(
        issuer or world.leader_a, title=title, description="按要求排查并反馈", assignee_unit=assignee or world.office_a, working_days=days
    )


def make_event(world: World, *, category: str = "sanitation", reporter: User | None = None, lng: float = 116.01, lat: float = 35.01,
               description: str = "路边垃圾堆积", channel: str = "grid"):
    """An event reported by township A's grid worker inside grid A (by default)."""
    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category

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
