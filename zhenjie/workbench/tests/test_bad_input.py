"""No 500 on bad input (issue 12 item 6): each hostile input the security probe found answers
4xx with a Chinese message and writes nothing — a decompression bomb on every way a photo comes
in, ids beyond 64 bits, a date-time without a zone, a login `next` that is neither path nor URL."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhenjie.events.models import Category, Event
from zhenjie.kernel.models import Attachment, Case
from zhenjie.testing import Api, bomb_png, png

pytestmark = pytest.mark.django_db

TOO_MANY_PIXELS = "图片像素过多"


def bomb(name="现场.png"):
    return SimpleUploadedFile(name, bomb_png(), content_type="image/png")


def nothing_written():
    return not Event.objects.exists() and not Case.objects.exists() and not Attachment.objects.exists()


# ---- images: pixel count checked before decoding (kernel.attachments.check_image) ------------


def test_the_bomb_is_small_and_declares_two_hundred_megapixels():
    import struct

    content = bomb_png()
    assert len(content) < 100_000 and struct.unpack(">II", content[16:24]) == (20000, 10000)


def test_a_bomb_on_the_public_report_page_is_400_in_chinese(client, world):
    response = client.post(reverse("events_public:report"), {
        "village": world.village_a.pk, "category": Category.objects.get(code="road_facility").pk,
        "description": "村口路灯坏了一周", "phone": "13812345678", "name": "王先生", "photos": [bomb()],
    })
    assert response.status_code == 400 and TOO_MANY_PIXELS in response.content.decode()
    assert nothing_written()


def test_a_bomb_on_the_api_is_400_naming_the_field(client, world):
    response = Api(client).as_("grid_worker_a").post_form("/api/events", {
        "category": "sanitation", "description": "河边垃圾堆积", "lng": "116.02", "lat": "35.02", "photos": [bomb()],
    })
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "file.image_too_large" and TOO_MANY_PIXELS in response.json()["fields"]["photos"]
    assert nothing_written()


def test_a_bomb_on_the_staff_form_is_put_on_the_form(client, world):
    client.force_login(world.grid_worker_a)
    response = client.post(reverse("events:report"), {
        "category": Category.objects.get(code="sanitation").pk, "description": "垃圾桶满溢", "lng": "116.02", "lat": "35.02",
        "channel": "grid", "photos": [bomb()],
    })
    assert response.status_code in (200, 400) and TOO_MANY_PIXELS in response.content.decode()
    assert nothing_written()


@pytest.fixture
def video_key(world):
    from zhenjie.integrations.actions import issue_key

    return issue_key(world.county_admin, "视频平台", "video")[1]


ALARM = {"alarm_id": "CAM7-20261120-001", "camera_id": "CAM-007", "camera_name": "乙一村路口", "alarm_type": "sanitation",
         "lng": 116.21, "lat": 35.01, "occurred_at": "2026-11-20T10:05:00+08:00"}


def test_a_bomb_in_a_video_alarm_is_400_as_base64_and_as_a_file(client, world, video_key):
    response = client.post("/api/integrations/video/alarms", {**ALARM, "snapshot_base64": base64.b64encode(bomb_png()).decode()},
                           content_type="application/json", HTTP_X_API_KEY=video_key)
    assert response.status_code == 400 and TOO_MANY_PIXELS in response.json()["fields"]["snapshot_base64"], response.content.decode()
    response = client.post("/api/integrations/video/alarms/upload", {**ALARM, "snapshot": bomb("cam.png")}, HTTP_X_API_KEY=video_key)
    assert response.status_code == 400 and TOO_MANY_PIXELS in response.json()["fields"]["snapshot"]
    assert nothing_written()


def test_the_pixel_limit_is_a_setting_and_an_ordinary_photo_passes(world, settings):
    from zhenjie.kernel import attachments
    from zhenjie.kernel.errors import Rejected

    assert attachments.check_file(png(), "a.png", "photo") == "image/png"  # 16×16
    settings.IMAGE_MAX_PIXELS = 100
    with pytest.raises(Rejected) as refused:
        attachments.check_file(png(), "a.png", "photo", field="photo")
    assert refused.value.code == "file.image_too_large" and refused.value.field == "photo"


# ---- ids: one bound, one parser (kernel/ids.py) ------------------------------------------------

BEYOND_64_BITS = str(2**64 + 5)


def test_every_url_with_a_record_id_uses_the_bounded_converter():
    """A new URL with <int:…> would take any number to the database; <id:…> stops it at 404."""
    from django.urls import URLResolver, get_resolver

    def routes(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    every = list(routes(get_resolver().url_patterns))
    assert [route for route in every if "<int:" in route] == []
    assert sum("<id:" in route for route in every) > 40


@pytest.mark.parametrize("path", [
    "/tasks/{}/", "/grid/grids/{}/", "/grid/residents/{}/", "/grid/ledger/{}/", "/events/{}/", "/events/calls/{}/",
    "/grid/?village={}", "/grid/patrols/?worker={}", "/grid/visits/?visitor={}", "/grid/overdue/?worker={}", "/grid/visits/?grid={}",
])
def test_ids_beyond_64_bits_answer_404_on_pages(client, world, path):
    client.force_login(world.leader_a)
    for value in (BEYOND_64_BITS, "9" * 400, "0", "-1", "１２"):
        response = client.get(path.format(value))
        assert response.status_code in (200, 404), (path, value, response.status_code)


def test_ids_beyond_64_bits_answer_400_or_404_on_the_api(client, world):
    api = Api(client).as_("dispatcher_a")
    for path in ("/api/tasks/{}", "/api/events/{}", "/api/grid/key-persons/{}", "/api/grid/residents?grid_id={}"):
        assert api.get(path.format(BEYOND_64_BITS)).status_code in (400, 404)


def test_the_one_parser_reads_ids_and_nothing_else():
    from zhenjie.kernel.ids import MAX_ID, parse_id, parse_ids

    assert [parse_id(v) for v in ("12", " 7 ", 3, str(MAX_ID))] == [12, 7, 3, MAX_ID]
    assert [parse_id(v) for v in (str(MAX_ID + 1), "0", "-1", "1.5", "１２", "", None, True, "9" * 400)] == [None] * 9
    assert parse_ids(["1", "x", "2", BEYOND_64_BITS]) == [1, 2]


# ---- date-times, login `next`, a form where JSON is expected -----------------------------------


def test_a_deadline_preview_from_a_time_without_a_zone_is_400_in_chinese(client, world):
    api = Api(client).as_("dispatcher_a")
    response = api.get("/api/deadlines/preview", start="2026-11-23T09:30:00", amount="5")
    assert response.status_code == 400 and "须带时区" in response.json()["fields"]["start"]
    assert api.get("/api/deadlines/preview", start="2026-11-23T09:30:00+08:00", amount="5").status_code == 200


@pytest.mark.parametrize("next_url", ["foo", "workbench:home", "javascript:alert(1)", "//evil.example/x", "https://evil.example/", "\\\\x"])
def test_a_login_next_that_is_no_path_of_this_site_goes_home(client, world, next_url):
    from zhenjie.testing import PASSWORD

    response = client.post(reverse("accounts:login") + "?next=" + next_url, {"username": "dispatcher_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    client.logout()
    assert client.get(reverse("accounts:login"), {"next": next_url}).status_code == 200


def test_a_login_next_on_this_site_is_followed(client, world):
    from zhenjie.testing import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": "dispatcher_a", "password": PASSWORD, "next": "/tasks/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/"


def test_a_form_body_where_the_api_expects_json_is_400(client, world):
    response = client.post("/api/auth/token", {"username": "dispatcher_a", "password": "x"})
    assert response.status_code == 400 and response.json()["code"] == "request.json_expected"
