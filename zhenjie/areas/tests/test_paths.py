import pytest

from zhenjie.areas.paths import ancestor_paths, county_of, county_path, is_grid_path, path_at, reaches_level, township_of, township_path, village_path

GRID = "990199101201001"


def test_each_level_is_read_off_the_path_by_name():
    assert (county_path(GRID), township_path(GRID), village_path(GRID), path_at(GRID, "grid")) == (
        "990199", "990199101", "990199101201", GRID,
    )
    assert ancestor_paths(GRID) == ["990199", "990199101", "990199101201", GRID]
    assert is_grid_path(GRID) and not is_grid_path("990199101201")


def test_a_path_above_the_level_asked_for_is_returned_whole():
    assert township_path("990199") == "990199" and village_path("990199101") == "990199101"
    assert reaches_level("990199101", "township") and not reaches_level("990199101", "village")


@pytest.mark.django_db
def test_the_county_and_township_of_an_area(world):
    assert county_of(world.grid_a) == world.county and county_of(world.county) == world.county
    assert township_of(world.grid_a) == world.a and township_of(world.a) == world.a
    with pytest.raises(ValueError):
        township_of(world.county)
