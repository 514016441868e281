"""Patrols: start, track, findings, stop; offline upload; the events app's hook for findings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.grid import actions, queries
from zhenjie.grid.models import Patrol, PatrolFinding, PatrolPoint
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Case, JournalEntry

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

# 甲一村第1网格 is the square 116.00–116.05 × 35.00–35.05.
INSIDE = [{"lng": 116.010, "lat": 35.010}, {"lng": 116.020, "lat": 35.010}, {"lng": 116.020, "lat": 35.020}]


def test_a_patrol_records_its_track_and_findings_and_stops_with_a_line_and_a_distance(gw):
    worker, grid = gw.world.grid_worker_a, gw.world.grid_a
    patrol = actions.start_patrol(worker, grid, lng=116.005, lat=35.005)
    actions.add_positions(worker, patrol, INSIDE)
    actions.add_finding(worker, patrol, description="河道有垃圾", needs_handling=True, lng=116.02, lat=35.02, photo=(png_bytes(), "河道.png"))
    patrol = actions.stop_patrol(worker, patrol, summary="巡查一遍", findings=[{"description": "路灯不亮", "needs_handling": False}])
    assert patrol.track["type"] == "LineString" and patrol.track["coordinates"][0] == [116.005, 35.005] and len(patrol.track["coordinates"]) == 4
    assert patrol.point_count == 4 and 2500 < patrol.distance_m < 3000
    assert [f.description for f in queries.findings_of(patrol)] == ["河道有垃圾", "路灯不亮"]
    assert [e.verb for e in JournalEntry.objects.filter(subject=f"patrol:{patrol.pk}").order_by("seq")] == ["grid.patrol.start", "grid.patrol.finding", "grid.patrol.stop"]


def test_a_position_outside_the_grid_is_refused_and_the_batch_is_not_kept(gw):
    worker = gw.world.grid_worker_a
    patrol = actions.start_patrol(worker, gw.world.grid_a)
    with pytest.raises(Rejected) as error:
        actions.add_positions(worker, patrol, INSIDE + [{"lng": 116.25, "lat": 35.02}])
    assert error.value.field == "positions.3" and error.value.message.startswith("第4个位置不在「甲一村第1网格」范围内")
    assert not PatrolPoint.objects.exists()


@pytest.mark.parametrize(
    "position, code",
    [({"lng": 200, "lat": 35}, "position.invalid"), ({"lng": 116.01}, "position.incomplete"), ({"lng": float("nan"), "lat": 35.0}, "position.invalid"), ("116,35", "position.invalid")],
)
def test_positions_that_are_not_coordinates_are_refused(gw, position, code):
    patrol = actions.start_patrol(gw.world.grid_worker_a, gw.world.grid_a)
    with pytest.raises(Rejected) as error:
        actions.add_positions(gw.world.grid_worker_a, patrol, [position])
    assert error.value.code == code


def test_a_worker_has_one_open_patrol_and_cannot_start_it_outside_the_grid(gw):
    worker = gw.world.grid_worker_a
    with pytest.raises(Rejected):
        actions.start_patrol(worker, gw.world.grid_a, lng=117.0, lat=36.0)
    assert not Patrol.objects.exists()
    actions.start_patrol(worker, gw.world.grid_a)
    with pytest.raises(Conflict) as error:
        actions.start_patrol(worker, gw.world.grid_a)
    assert "尚未结束" in error.value.message


def test_a_stopped_patrol_takes_no_more_positions_and_stops_once(gw):
    worker = gw.world.grid_worker_a
    patrol = actions.start_patrol(worker, gw.world.grid_a)
    actions.stop_patrol(worker, patrol)
    with pytest.raises(Conflict):
        actions.add_positions(worker, patrol, INSIDE)
    with pytest.raises(Conflict):
        actions.stop_patrol(worker, patrol)


def test_nobody_writes_into_another_workers_patrol_and_another_township_cannot_see_it(gw):
    w = gw.world
    patrol = actions.start_patrol(w.grid_worker_a, w.grid_a)
    with pytest.raises(Forbidden):
        actions.add_positions(w.dispatcher_a, patrol, INSIDE)
    with pytest.raises(NotFound):
        actions.stop_patrol(w.dispatcher_b, patrol)
    with pytest.raises(NotFound):
        queries.get_patrol_for(w.dispatcher_b, patrol.pk)
    with pytest.raises(NotFound):
        actions.start_patrol(w.grid_worker_a, gw.grid_a2)  # not their grid


def test_an_offline_patrol_is_uploaded_whole_and_may_not_overlap_another(gw):
    worker, grid = gw.world.grid_worker_a, gw.world.grid_a
    start = timezone.now() - timedelta(hours=3)
    positions = [dict(p, at=start + timedelta(minutes=10 * i)) for i, p in enumerate(INSIDE)]
    patrol = actions.upload_patrol(worker, grid, started_at=start, ended_at=start + timedelta(minutes=40), positions=positions, findings=[{"description": "井盖缺失", "needs_handling": True}])
    assert patrol.ended_at and patrol.point_count == 3 and patrol.track["coordinates"][-1] == [116.02, 35.02]
    with pytest.raises(Conflict) as error:
        actions.upload_patrol(worker, grid, started_at=start + timedelta(minutes=20), ended_at=start + timedelta(minutes=50), positions=positions)
    assert error.value.message == "该时段与您的另一次巡查重叠"
    with pytest.raises(Rejected):
        actions.upload_patrol(worker, grid, started_at=start - timedelta(hours=30), ended_at=start, positions=positions)


def test_the_events_app_links_a_finding_to_its_event_once(gw):
    w = gw.world
    patrol = actions.start_patrol(w.grid_worker_a, w.grid_a)
    finding = actions.add_finding(w.grid_worker_a, patrol, description="违章搭建", needs_handling=True)
    assert list(queries.findings_for(w.dispatcher_a).filter(needs_handling=True, case__isnull=True)) == [finding]
    case = Case.objects.create(kind="event", title="违章搭建", state="registered", area=w.grid_a)
    actions.link_finding_to_case(w.dispatcher_a, finding, case)
    assert PatrolFinding.objects.get().case == case
    with pytest.raises(Conflict):
        actions.link_finding_to_case(w.dispatcher_a, finding, case)
    assert list(queries.findings_for(w.dispatcher_b)) == []


def test_the_patrol_pages_run_a_patrol_from_start_to_stop(client, gw):
    w = gw.world
    client.force_login(w.grid_worker_a)
    client.post(reverse("grid:patrol_start"), {"grid": w.grid_a.pk, "lng": "116.01", "lat": "35.01"})
    patrol = Patrol.objects.get()
    page = client.get(reverse("grid:patrol")).content.decode()
    assert "巡查中 · 甲一村第1网格" in page and f"/api/grid/patrols/{patrol.pk}/positions" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("grid:patrol_finding", args=[patrol.pk]), {"description": "树枝挡路", "photo": SimpleUploadedFile("a.png", png_bytes(), "image/png")})
    response = client.post(reverse("grid:patrol_stop", args=[patrol.pk]), {"summary": "正常"})
    assert response["Location"] == reverse("grid:patrol_detail", args=[patrol.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "树枝挡路" in detail and "1个轨迹点" in detail


def test_the_patrol_map_data_holds_the_grids_the_track_and_the_findings(client, gw):
    w = gw.world
    patrol = actions.start_patrol(w.grid_worker_a, w.grid_a, lng=116.005, lat=35.005)
    actions.add_positions(w.grid_worker_a, patrol, INSIDE)
    actions.stop_patrol(w.grid_worker_a, patrol, findings=[{"description": "坑洼", "lng": 116.02, "lat": 35.02, "needs_handling": True}])
    client.force_login(w.dispatcher_a)
    features = client.get(reverse("grid:patrol_geojson", args=[patrol.pk])).json()["features"]
    roles = sorted(f["properties"]["role"] for f in features)
    assert roles == ["finding", "neighbour", "own", "track"]
    client.force_login(w.dispatcher_b)
    assert client.get(reverse("grid:patrol_geojson", args=[patrol.pk])).status_code == 404
