"""Redrawing a grid (网格调整): the old boundary is kept with its period, cases keep the grid they
were reported in, and the lead worker's coverage follows the grid's new shape."""


import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.models import Coverage
from zhenjie.areas.actions import redraw_grid
from zhenjie.areas.locate import boundary_on, locate_on
from zhenjie.areas.models import Area, GridBoundary
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_event, make_grid_world, square

pytestmark = pytest.mark.django_db

OLD = square(116.0, 35.0, 0.05)  # make_world's 甲一村第1网格: the village's south-west quarter
NEW = square(116.0, 35.05, 0.05)  # redrawn: the north-west quarter


@pytest.fixture
def gw(db):
    return make_grid_world()


def test_a_redraw_keeps_the_old_boundary_with_its_period_and_is_journaled(gw):
    world = gw.world
    before = timezone.now()

    row = redraw_grid(world.county_admin, world.grid_a, NEW, reason="村组调整")

    world.grid_a.refresh_from_db()
    assert world.grid_a.boundary == NEW and (round(world.grid_a.center_lng, 3), round(world.grid_a.center_lat, 3)) == (116.025, 35.075)
    old, new = GridBoundary.objects.filter(grid=world.grid_a).order_by("valid_from")
    assert (old.boundary, new.boundary, new.pk) == (OLD, NEW, row.pk)
    assert old.valid_until == new.valid_from and new.valid_until is None and new.recorded_by == world.county_admin
    assert boundary_on(world.grid_a, before) == OLD
    assert boundary_on(world.grid_a, timezone.now()) == NEW
    entry = JournalEntry.objects.get(verb="area.redraw")
    assert (entry.actor, entry.data["code"], entry.data["reason"]) == (world.county_admin, "990199101201001", "村组调整")


def test_events_keep_the_grid_of_their_day_and_the_lead_workers_reports_follow_the_new_shape(gw):
    world = gw.world
    earlier = make_event(world, lng=116.01, lat=35.01)
    assert earlier.case.area == world.grid_a
    reported_at = timezone.now()

    redraw_grid(world.county_admin, world.grid_a, NEW)

    earlier.case.refresh_from_db()
    assert earlier.case.area_id == world.grid_a.pk  # never reassigned by a redraw
    lead = Coverage.objects.get(grid=world.grid_a, is_lead=True, ended_at__isnull=True)
    assert lead.worker == world.grid_worker_a  # the coverage is on the grid, not on its shape
    later = make_event(world, lng=116.01, lat=35.07)
    assert later.case.area == world.grid_a
    with pytest.raises(Rejected) as error:
        make_event(world, lng=116.01, lat=35.01)  # where the grid used to be
    assert error.value.code == "event.position_outside"
    # Asked about the day of the earlier report, the place still lies in the grid as drawn then.
    assert locate_on(116.01, 35.01, world.village_a, reported_at) == world.grid_a
    assert locate_on(116.01, 35.01, world.village_a, timezone.now()) == world.village_a


def test_a_grid_drawn_before_history_was_kept_gets_its_old_boundary_recorded_at_the_first_redraw(gw):
    world = gw.world
    legacy = Area.objects.create(code="990199101201009", name="旧网格", level="grid", parent=world.village_a, path="990199101201009", boundary=square(116.0, 35.08, 0.01))

    redraw_grid(None, legacy, square(116.0, 35.08, 0.02))

    old, new = GridBoundary.objects.filter(grid=legacy).order_by("pk")
    assert old.valid_from is None and old.boundary == square(116.0, 35.08, 0.01) and new.valid_until is None


def test_only_a_county_or_system_administrator_may_redraw_and_a_refusal_changes_nothing(gw):
    world = gw.world
    for someone in (world.dispatcher_a, world.grid_worker_a, world.leader_b):
        with pytest.raises(Forbidden):
            redraw_grid(someone, world.grid_a, NEW)
    with pytest.raises(Rejected):
        redraw_grid(world.county_admin, world.village_a, NEW)
    with pytest.raises(Rejected):
        redraw_grid(world.county_admin, world.grid_a, {"type": "Point", "coordinates": [116.0, 35.0]})
    world.grid_a.refresh_from_db()
    assert world.grid_a.boundary == OLD and GridBoundary.objects.filter(grid=world.grid_a).count() == 1


def test_the_grid_page_lists_the_boundary_history_to_those_who_see_the_grid(gw, client):
    world = gw.world
    redraw_grid(world.county_admin, world.grid_a, NEW, reason="村组调整")
    url = reverse("grid:grid", args=[world.grid_a.pk])

    client.force_login(world.leader_a)
    page = client.get(url).content.decode()

    assert 'data-testid="boundary-history"' in page and "村组调整" in page and "现行" in page
    client.force_login(world.leader_b)
    assert client.get(url).status_code == 404
