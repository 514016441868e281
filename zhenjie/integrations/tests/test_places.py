"""Reading a place from what outside systems write: names or codes, or a free address."""

import pytest

from zhenjie.areas.actions import create_area
from zhenjie.integrations.places import Places

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin_villages(world):
    """A 新村 in each township: the name alone does not say which."""
    in_a, _ = create_area(None, code="990199101202", name="新村", level="village", parent=world.a, village_kind="village")
    in_b, _ = create_area(None, code="990199102202", name="新村", level="village", parent=world.b, village_kind="village")
    return in_a, in_b


def test_townships_and_villages_are_found_by_name_or_code(world):
    places = Places(world.county)
    assert places.township("甲镇") == places.township("990199101000") == places.township(" 990199101 ") == world.a
    assert places.village(world.a, "甲一村") == places.village(world.a, "990199101201") == world.village_a
    assert places.village(world.b, "甲一村") is None and places.township("丙镇") is None


def test_an_address_names_the_longest_place_it_mentions(world):
    places = Places(world.county)
    assert places.from_address("甲镇甲一村3组12号") == world.village_a
    assert places.from_address("乙镇政府门口") == world.b
    assert places.from_address("8TH AVE and JUDAH ST") is None


def test_a_village_name_shared_by_two_townships_needs_its_township(world, twin_villages):
    in_a, in_b = twin_villages
    places = Places(world.county)
    assert places.from_address("新村3组") is None
    assert places.from_address("乙镇新村3组") == in_b and places.from_address("甲镇新村") == in_a
