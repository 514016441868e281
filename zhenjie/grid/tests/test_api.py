"""The grid worker's phone over the API: the same rules and messages as the pages."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhenjie.grid.models import Patrol, Visit
from zhenjie.testing import citizen_id, make_key_person, make_resident

from .conftest import days_ago, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="孙奶奶", born=date(1938, 2, 2), phone="13912345678")
    return make_key_person(resident, gw.world.grid_worker_a, "elderly_alone", since=days_ago(10))


def test_my_grids_lists_the_workers_grids_with_their_role_and_figures(api, gw, person):
    body = api.as_("grid_worker_a").get("/api/grid/my-grids").json()
    assert [(g["name"], g["role"], g["counts"]["key_persons"], g["counts"]["overdue"]) for g in body] == [("甲一村第1网格", "lead", 1, 1)]
    assert body[0]["boundary"]["type"] == "Polygon"


def test_registers_come_masked_and_are_searched_by_the_full_number(api, gw, person):
    api.as_("grid_worker_a")
    number = citizen_id(11, date(1938, 2, 2))
    item = api.get("/api/grid/residents").json()["items"][0]
    assert item["id_number_masked"] == number[:6] + "********" + number[-4:] and item["phone_masked"] == "139****5678"
    assert number not in str(item) and "13912345678" not in str(item)
    assert api.get("/api/grid/residents", q=number).json()["count"] == 1
    assert api.get("/api/grid/residents", q="139 1234 5678").json()["count"] == 1
    assert api.get("/api/grid/residents", q=citizen_id(12)).json()["count"] == 0


def test_the_due_list_puts_the_overdue_first_and_says_by_how_much(api, gw, person):
    fresh = make_key_person(make_resident(gw.world.grid_a, gw.world.grid_worker_a, 13, name="周爷爷", born=date(1940, 1, 1)), gw.world.grid_worker_a, "elderly_alone")
    body = api.as_("grid_worker_a").get("/api/grid/key-persons").json()
    assert [(i["resident"]["name"], i["overdue"], i["days_overdue"]) for i in body["items"]] == [("孙奶奶", True, 3), ("周爷爷", False, 0)]
    assert api.get("/api/grid/key-persons", due="overdue").json()["count"] == 1
    assert api.get(f"/api/grid/key-persons/{fresh.pk}").json()["kind_label"] == "高龄独居老人"


def test_a_visit_is_recorded_with_a_photo_over_multipart(api, gw, person):
    api.as_("grid_worker_a")
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = api.post_form(f"/api/grid/key-persons/{person.pk}/visits", {"situation": "normal", "findings": "精神好，饮食正常", "lng": "116.01", "lat": "35.01", "photo": photo})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visitor"] == "grid_worker_a" and len(body["photos"]) == 1
    image = api.get(body["photos"][0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert api.get("/api/grid/key-persons", due="overdue").json()["count"] == 0
    assert api.as_("dispatcher_b").get(body["photos"][0]["url"]).status_code == 404


@pytest.mark.parametrize(
    "data, status, code, field",
    [
        ({"situation": "normal", "findings": "x", "photo": SimpleUploadedFile("a.jpg", b"GIF-not-really", "image/jpeg")}, 400, "file.type_not_allowed", "photo"),
        ({"situation": "normal", "findings": "x", "lng": "116.3", "lat": "35.0"}, 400, "position.outside_grid", "position"),
        ({"situation": "normal", "findings": "x" * 2001}, 400, "invalid", "findings"),
        ({"situation": "great", "findings": "x"}, 400, "invalid", "situation"),
        ({"findings": "x"}, 400, "invalid", "situation"),
    ],
)
def test_bad_visits_over_the_api_get_400_with_the_field_and_save_nothing(api, gw, person, data, status, code, field):
    response = api.as_("grid_worker_a").post_form(f"/api/grid/key-persons/{person.pk}/visits", data)
    assert response.status_code == status and response.json()["code"] == code and field in response.json()["fields"]
    assert not Visit.objects.exists()


def test_a_photo_over_the_limit_is_refused_before_it_is_read(api, gw, person, settings):
    settings.ATTACHMENT_MAX_BYTES = {"photo": 2048}
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * 4096, "image/png")
    response = api.as_("grid_worker_a").post_form(f"/api/grid/key-persons/{person.pk}/visits", {"situation": "normal", "findings": "x", "photo": big})
    assert response.status_code == 400 and response.json()["code"] == "file.too_large" and "文件过大" in response.json()["message"]


def test_a_patrol_over_the_api_from_start_to_stop(api, gw):
    api.as_("grid_worker_a")
    started = api.post("/api/grid/patrols", {"grid_id": gw.world.grid_a.pk, "lng": 116.01, "lat": 35.01})
    assert started.status_code == 201
    patrol_id = started.json()["id"]
    at = (timezone.now() - timedelta(seconds=30)).isoformat()
    moved = api.post(f"/api/grid/patrols/{patrol_id}/positions", {"positions": [{"lng": 116.02, "lat": 35.01, "at": at, "accuracy": 8}, {"lng": 116.02, "lat": 35.02}]})
    assert moved.json()["point_count"] == 3
    outside = api.post(f"/api/grid/patrols/{patrol_id}/positions", {"positions": [{"lng": 116.3, "lat": 35.0}]})
    assert outside.status_code == 400 and outside.json()["fields"] == {"positions.0": outside.json()["message"]}
    finding = api.post_form(f"/api/grid/patrols/{patrol_id}/findings", {"description": "井盖缺失", "needs_handling": "true", "photo": SimpleUploadedFile("a.png", png_bytes(), "image/png")})
    assert finding.status_code == 201 and finding.json()["needs_handling"] is True and finding.json()["case_id"] is None
    stopped = api.post(f"/api/grid/patrols/{patrol_id}/stop", {"summary": "正常", "findings": [{"description": "路灯不亮"}]})
    body = stopped.json()
    assert body["track"]["type"] == "LineString" and len(body["track"]["coordinates"]) == 3 and len(body["findings"]) == 2
    again = api.post(f"/api/grid/patrols/{patrol_id}/stop", {})
    assert again.status_code == 409 and "已于" in again.json()["message"]
    listed = api.get("/api/grid/patrols", mine=True).json()
    assert listed["items"][0]["finding_count"] == 2 and "track" not in listed["items"][0]


def test_patrol_input_out_of_range_is_400_before_any_query(api, gw):
    api.as_("grid_worker_a")
    assert api.post("/api/grid/patrols", {"grid_id": 0}).status_code == 400
    assert api.post("/api/grid/patrols", {"grid_id": gw.world.grid_a.pk, "lng": 500, "lat": 35}).json()["fields"] == {"lng": "数值过大"}
    too_many = api.post("/api/grid/patrols/1/positions", {"positions": [{"lng": 116.0, "lat": 35.0}] * 501})
    assert too_many.status_code == 400 and too_many.json()["fields"] == {"positions": "条目过多"}
    assert not Patrol.objects.exists()


def test_another_townships_grid_cannot_be_patrolled(api, gw):
    response = api.as_("grid_worker_a").post("/api/grid/patrols", {"grid_id": gw.world.grid_b.pk})
    assert response.status_code == 404 and response.json()["fields"] == {"grid_id": "网格不存在或不在您的辖区内"}


def test_a_patrol_walked_without_signal_is_uploaded_whole(api, gw):
    start = timezone.now() - timedelta(hours=2)
    body = {
        "grid_id": gw.world.grid_a.pk, "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=50)).isoformat(),
        "positions": [{"lng": 116.01 + i / 1000, "lat": 35.01, "at": (start + timedelta(minutes=5 * i)).isoformat()} for i in range(6)],
        "findings": [{"description": "电线杆倾斜", "needs_handling": True}],
    }
    response = api.as_("grid_worker_a").post("/api/grid/patrols/upload", body)
    assert response.status_code == 201 and response.json()["point_count"] == 6 and response.json()["ended_at"]
    again = api.post("/api/grid/patrols/upload", body)
    assert again.status_code == 409 and again.json()["fields"] == {"started_at": "该时段与您的另一次巡查重叠"}
