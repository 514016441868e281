"""Units: where each kind may sit, and who sees which (the directory every township calls on)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import PASSWORD
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.units.queries import get_unit_for, units_for

pytestmark = pytest.mark.django_db


def names(units) -> set[str]:
    return {unit.name for unit in units}


def test_a_township_sees_its_own_units_and_the_county_departments_but_not_another_townships(world):
    seen = names(units_for(world.leader_a))
    assert {"甲镇人民政府", "甲镇社会治理综合指挥中心", "甲一村村民委员会", "甲镇派出所", "测试县公安局"} <= seen
    assert not {"乙镇人民政府", "乙镇社会治理综合指挥中心"} & seen
    assert "甲镇人民政府" not in names(units_for(world.leader_b))


def test_a_department_liaison_sees_their_own_department_and_the_county_level_only(world):
    assert names(units_for(world.liaison)) == {"测试县公安局"}


def test_another_townships_unit_is_not_found_like_a_missing_one(world):
    with pytest.raises(NotFound) as outside:
        get_unit_for(world.leader_a, world.gov_b.pk)
    with pytest.raises(NotFound) as missing:
        get_unit_for(world.leader_a, 999_999)
    assert outside.value.message == missing.value.message == "机构不存在或不在您的辖区内"
    with pytest.raises(NotFound):
        get_unit_for(world.leader_a, "abc")


def test_search_and_kind_filter(world):
    assert names(units_for(world.leader_a, search="派出所")) == {"甲镇派出所"}
    assert names(units_for(world.leader_a, kind=Unit.Kind.DEPARTMENT)) == {"测试县公安局"}


def test_inactive_units_drop_out_of_the_directory(world):
    Unit.objects.filter(pk=world.office_a.pk).update(is_active=False)
    assert "甲镇社会治理办公室" not in names(units_for(world.leader_a))


@pytest.mark.parametrize(
    "kind, area_name, message",
    [
        (Unit.Kind.DEPARTMENT, "a", "县直部门应设在县(市、区)一级"),
        (Unit.Kind.OFFICE, "county", "党政工作机构应设在乡镇(街道)一级"),
        (Unit.Kind.VILLAGE_COMMITTEE, "a", "村(居)民委员会应设在村(社区)一级"),
    ],
)
def test_a_unit_sits_at_the_level_its_kind_belongs_to(world, kind, area_name, message):
    with pytest.raises(Rejected) as error:
        create_unit(None, name="新机构", kind=kind, area=getattr(world, area_name))
    assert error.value.field == "area" and error.value.message == message
    assert not Unit.objects.filter(name="新机构").exists()


def test_a_stationed_unit_names_its_home_department(world):
    with pytest.raises(Rejected) as error:
        create_unit(None, name="乙镇市场监管所", kind=Unit.Kind.STATIONED, area=world.b)
    assert error.value.field == "home_department"
    with pytest.raises(Rejected):  # a township office is not a department
        create_unit(None, name="乙镇市场监管所", kind=Unit.Kind.STATIONED, area=world.b, home_department=world.gov_a)
    unit = create_unit(None, name="乙镇派出所", kind=Unit.Kind.STATIONED, area=world.b, home_department=world.police)
    assert unit.home_department == world.police


@pytest.mark.parametrize("name", ["", "   ", "机" * 65])
def test_a_name_is_required_and_bounded(world, name):
    with pytest.raises(Rejected) as error:
        create_unit(None, name=name, kind=Unit.Kind.OFFICE, area=world.a)
    assert error.value.field == "name"


def test_two_units_of_one_area_cannot_share_a_name_and_creation_is_journaled(world):
    with pytest.raises(Conflict) as error:
        create_unit(None, name="甲镇人民政府", kind=Unit.Kind.OFFICE, area=world.a)
    assert "甲镇已有名为「甲镇人民政府」的机构" == error.value.message
    unit = create_unit(world.county_admin, name="甲镇党政办公室", kind=Unit.Kind.OFFICE, area=world.a)
    entry = JournalEntry.objects.get(subject=f"unit:{unit.pk}")
    assert entry.verb == "unit.create" and entry.summary == "新增机构 甲镇党政办公室"


@pytest.fixture
def token(client, world):
    def for_(username):
        response = client.post("/api/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json")
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    return for_


def test_api_lists_the_visible_units_in_a_fixed_number_of_queries(client, world, token):
    headers = token("leader_a")
    with CaptureQueriesContext(connection) as few:
        body = client.get("/api/units", {"kind": "department"}, **headers).json()
    assert [item["name"] for item in body["items"]] == ["测试县公安局"] and body["items"][0]["kind_label"] == "县直部门"
    for extra in range(3):
        create_unit(None, name=f"测试县部门{extra}", kind=Unit.Kind.DEPARTMENT, area=world.county)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/api/units", {"kind": "department"}, **headers).json()["items"]) == 4
    assert len(more) == len(few)


def test_api_answers_404_for_another_townships_unit_and_400_for_a_bad_kind(client, world, token):
    headers = token("leader_a")
    assert client.get(f"/api/units/{world.gov_a.pk}", **headers).json()["name"] == "甲镇人民政府"
    response = client.get(f"/api/units/{world.gov_b.pk}", **headers)
    assert response.status_code == 404 and response.json()["code"] == "unit.not_found"
    assert client.get("/api/units", {"kind": "nonsense"}, **headers).status_code == 400
