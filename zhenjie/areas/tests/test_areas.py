import pytest

from zhenjie.areas import geo
from zhenjie.areas.actions import create_area
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.testing import square

pytestmark = pytest.mark.django_db


def test_the_path_comes_from_the_division_code_and_subtrees_nest(world):
    assert (world.county.path, world.a.path, world.village_a.path, world.grid_a.path) == ("990199", "990199101", "990199101201", "990199101201001")
    assert world.a.contains(world.grid_a) and not world.b.contains(world.grid_a)


@pytest.mark.parametrize(
    "code, message",
    [
        ("99019910300", "区划代码应为12位数字"),
        ("990199103001", "第10位起应为0"),
        ("990188103000", "应以上级「测试县」的代码 990199 开头"),
        ("990199000000", "本级代码段不能全为0"),
    ],
)
def test_bad_division_codes_are_refused_with_the_reason(world, code, message):
    with pytest.raises(Rejected) as error:
        create_area(None, code=code, name="新镇", level="township", parent=world.county, township_kind="town")
    assert message in error.value.message and error.value.field == "code"


def test_a_duplicate_code_is_a_conflict(world):
    with pytest.raises(Conflict):
        create_area(None, code="990199101000", name="重复", level="township", parent=world.county, township_kind="town")


def test_a_code_outside_the_usual_range_for_its_kind_is_a_warning_not_an_error(world):
    _, warnings = create_area(None, code="990199150000", name="新街道", level="township", parent=world.county, township_kind="subdistrict")
    assert warnings == ["乡镇代码段 150 不在街道的常用范围内"]


def test_only_a_town_can_be_a_developed_township(world):
    with pytest.raises(Rejected) as error:
        create_area(None, code="990199201000", name="某乡", level="township", parent=world.county, township_kind="township", is_developed=True)
    assert error.value.code == "area.developed_not_town"


def test_points_inside_and_outside_a_polygon():
    polygon = square(116.0, 35.0, 0.1)
    assert geo.contains_point(polygon, 116.05, 35.05)
    assert not geo.contains_point(polygon, 116.15, 35.05)
    assert geo.centroid(polygon) == pytest.approx((116.05, 35.05))
