"""Webhooks: the 12345 platform pushes one work order, a video platform pushes one alarm. The key
decides the county and channel; the place decides whose queue the event lands in."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhenjie.events.models import Category, Event
from zhenjie.integrations.actions import issue_key, map_alarm_type, revoke_key
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.models import Attachment, Case

pytestmark = pytest.mark.django_db

HOTLINE = "/api/integrations/hotline/orders"
ALARMS = "/api/integrations/video/alarms"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "grey").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def keys(world):
    return {channel: issue_key(world.county_admin, f"{channel}平台", channel)[1] for channel in ("hotline", "video", "open311")}


def push(client, path, key, body):
    return client.post(path, body, content_type="application/json", HTTP_X_API_KEY=key)


def order(**changes):
    return {"order_id": "12345-20261120-0007", "called_at": "2026-11-20T09:30:00+08:00", "content": "河道漂浮大量垃圾",
            "category": "河湖管护", "township": "乙镇", "village": "乙一村", "caller_name": "李先生", "caller_phone": "13700007777",
            **changes}


def alarm(**changes):
    return {"alarm_id": "CAM7-20261120-001", "camera_id": "CAM-007", "camera_name": "乙一村路口", "alarm_type": "垃圾堆放",
            "lng": 116.21, "lat": 35.01, "occurred_at": "2026-11-20T10:05:00+08:00",
            "snapshot_base64": base64.b64encode(jpeg()).decode(), "snapshot_name": "抓拍.jpg", **changes}


# ---- 12345 work orders ----------------------------------------------------------------------


def test_a_pushed_work_order_lands_in_the_townships_queue(client, world, keys):
    response = push(client, HOTLINE, keys["hotline"], order())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["township"], body["state"], body["duplicate"]) == ("乙镇", "reported", False)
    event = Event.objects.select_related("case__area").get(case_id=body["event_id"])
    assert (event.channel, event.case.external_id, event.case.area, event.category.code) == ("hotline", "12345-20261120-0007", world.village_b, "river_lake")
    assert event.reporter_phone_masked == "137****7777" and event.reporter is None
    assert [a.todo for a in inbox_for(world.dispatcher_b)] == ["register"] and not inbox_for(world.dispatcher_a).exists()
    assert event.case.journal.get(verb="open").actor_name == "12345热线接口：hotline平台"


def test_a_repeated_push_answers_with_the_first_event_and_makes_no_second(client, world, keys):
    first = push(client, HOTLINE, keys["hotline"], order()).json()
    again = push(client, HOTLINE, keys["hotline"], order(content="重复推送"))
    assert again.status_code == 200 and again.json() == {**first, "duplicate": True}
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"township": "丙镇"}, "township"),
        ({"village": "甲一村"}, "village"),  # township A's village, named under B
        ({"category": "市容环境"}, "category"),
        ({"content": "长" * 4001}, "content"),
        ({"called_at": "上午九点"}, "called_at"),
        ({"called_at": "2099-01-01T00:00:00+08:00"}, "called_at"),
        ({"order_id": ""}, "order_id"),
        ({"lng": 116.01, "lat": 35.01}, "lng"),  # in township A, not in 乙一村
        ({"lng": 116.21}, "lng"),
    ],
)
def test_bad_work_orders_are_400_naming_the_field(client, world, keys, changes, field):
    response = push(client, HOTLINE, keys["hotline"], order(**changes))
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Event.objects.exists() and not Case.objects.exists()


def test_the_hotline_needs_its_own_live_key(client, world, keys):
    assert client.post(HOTLINE, order(), content_type="application/json").status_code == 401
    assert push(client, HOTLINE, "zj_forged", order()).json()["code"] == "integration.key_invalid"
    wrong = push(client, HOTLINE, keys["video"], order())
    assert wrong.status_code == 403 and wrong.json()["message"] == "该密钥只能用于「视频告警」渠道"
    from zhenjie.integrations.models import IntegrationKey

    revoke_key(world.county_admin, IntegrationKey.objects.get(channel="hotline"))
    assert push(client, HOTLINE, keys["hotline"], order()).status_code == 401
    assert not Event.objects.exists()


def test_a_body_that_is_not_json_is_400(client, world, keys):
    response = client.post(HOTLINE, "{not json", content_type="application/json", HTTP_X_API_KEY=keys["hotline"])
    assert response.status_code == 400 and response.json()["message"]
    assert not Event.objects.exists()


# ---- video alarms ---------------------------------------------------------------------------


def test_a_video_alarm_becomes_an_event_with_its_snapshot(client, world, keys):
    map_alarm_type(world.county_admin, "垃圾堆放", Category.objects.get(code="sanitation"))
    response = push(client, ALARMS, keys["video"], alarm())
    assert response.status_code == 201, response.content
    event = Event.objects.select_related("case__area").get(case_id=response.json()["event_id"])
    assert (event.channel, event.category.code, event.case.area, event.case.external_id) == ("video", "sanitation", world.grid_b, "CAM7-20261120-001")
    assert event.description == "视频告警：垃圾堆放（摄像头 乙一村路口）"
    assert event.reported_at.isoformat() == "2026-11-20T02:05:00+00:00"
    photo = Attachment.objects.get(case=event.case)
    assert (photo.name, photo.blob.content_type, photo.uploaded_by) == ("抓拍.jpg", "image/jpeg", None)
    assert [a.todo for a in inbox_for(world.dispatcher_b)] == ["register"]
    assert push(client, ALARMS, keys["video"], alarm()).json()["duplicate"] is True


def test_an_alarm_type_may_also_be_a_category_code_or_name(client, world, keys):
    assert push(client, ALARMS, keys["video"], alarm(alarm_type="straw_burning", snapshot_base64="")).status_code == 201
    assert push(client, ALARMS, keys["video"], alarm(alarm_id="2", alarm_type="占道经营", snapshot_base64="")).status_code == 201
    assert sorted(Event.objects.values_list("category__code", flat=True)) == ["straw_burning", "street_vending"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"alarm_type": "未知识别"}, "alarm_type"),
        ({"snapshot_base64": "@@not base64@@"}, "snapshot_base64"),
        ({"snapshot_base64": base64.b64encode(b"MZ\x90\x00 an executable").decode()}, "snapshot_base64"),
        ({"lng": 117.5}, "lng"),  # outside the county
        ({"lat": 91}, "lat"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({"camera_id": ""}, "camera_id"),
    ],
)
def test_bad_alarms_are_400_naming_the_field(client, world, keys, changes, field):
    map_alarm_type(world.county_admin, "垃圾堆放", Category.objects.get(code="sanitation"))
    response = push(client, ALARMS, keys["video"], alarm(**changes))
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Event.objects.exists() and not Attachment.objects.exists()


def test_an_alarm_may_carry_its_snapshot_as_a_multipart_file(client, world, keys):
    fields = {k: v for k, v in alarm(alarm_type="sanitation").items() if not k.startswith("snapshot")}
    response = client.post(f"{ALARMS}/upload", {**fields, "snapshot": SimpleUploadedFile("cam.jpg", jpeg(), "image/jpeg")},
                           HTTP_X_API_KEY=keys["video"])
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().blob.content_type == "image/jpeg"
    bad = client.post(f"{ALARMS}/upload", {**fields, "alarm_id": "x2", "snapshot": SimpleUploadedFile("cam.jpg", b"text", "image/jpeg")},
                      HTTP_X_API_KEY=keys["video"])
    assert bad.status_code == 400 and "snapshot" in bad.json()["fields"]


def test_video_alarms_refuse_other_channels_keys(client, world, keys):
    assert push(client, ALARMS, keys["hotline"], alarm()).status_code == 403
    assert push(client, ALARMS, keys["open311"], alarm()).status_code == 403
    assert not Event.objects.exists()


def test_webhooks_need_no_csrf_token(world, keys):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert push(client, HOTLINE, keys["hotline"], order()).status_code == 201
    assert push(client, ALARMS, keys["video"], alarm(alarm_type="sanitation")).status_code == 201


def test_an_order_made_by_another_push_between_the_check_and_the_write_answers_as_a_repeat(world, keys):
    """The race below, made to happen every time: the other push's event is there when this one
    writes, past the check for an earlier order. Intake refuses the number as taken; the push is
    answered as the repeat it is (200, the other's event), not refused (400, seen under load)."""
    from django.test import Client

    from zhenjie.events.intake import Report
    from zhenjie.integrations import receive
    from zhenjie.integrations.auth import IntegrationActor, key_for

    first = push(Client(), HOTLINE, keys["hotline"], order())
    assert first.status_code == 201
    actor = IntegrationActor(key_for(keys["hotline"], "hotline"))
    report = Report(channel="hotline", category=Category.objects.get(code="sanitation"), description="河道漂浮大量垃圾",
                    area=world.village_b, external_id=order()["order_id"])  # fmt: skip
    received = receive._take_in(actor, report)
    assert received.duplicate and received.event.case_id == first.json()["event_id"]
    assert Event.objects.count() == 1


def test_a_number_another_countys_order_took_in_the_meantime_stays_refused_as_taken(world, keys):
    """The same race across counties: the number is not this county's repeat to answer with."""
    from django.test import Client

    from zhenjie.areas.actions import create_area
    from zhenjie.events.intake import Report
    from zhenjie.integrations import receive
    from zhenjie.integrations.auth import IntegrationActor, key_for
    from zhenjie.kernel.errors import Conflict
    from zhenjie.testing import make_other_county, square
    from zhenjie.units.actions import create_unit
    from zhenjie.units.models import Unit

    other, other_admin = make_other_county()
    township, _ = create_area(None, code="990299101000", name="邻镇", level="township", parent=other, township_kind="town", boundary=square(117.0, 35.0, 0.2))
    create_unit(None, name="邻镇人民政府", kind=Unit.Kind.TOWNSHIP_GOVERNMENT, area=township)
    assert push(Client(), HOTLINE, keys["hotline"], order()).status_code == 201
    _, raw = issue_key(other_admin, "邻县12345平台", "hotline")
    report = Report(channel="hotline", category=Category.objects.get(code="sanitation"), description="河道漂浮大量垃圾",
                    area=township, external_id=order()["order_id"])  # fmt: skip
    with pytest.raises(Conflict) as refused:
        receive._take_in(IntegrationActor(key_for(raw, "hotline")), report)
    assert refused.value.code == "integration.external_id_taken"
    assert Event.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_order_pushed_twice_at_once_makes_one_event():
    import threading

    from django.db import connection, connections
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers itself")
    from zhenjie.testing import make_world

    world = make_world()
    _, raw = issue_key(world.county_admin, "12345平台", "hotline")
    statuses: list[int] = []
    start = threading.Barrier(3)

    def send():
        try:
            start.wait()
            statuses.append(push(Client(), HOTLINE, raw, order()).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 201]
    assert Event.objects.count() == 1
