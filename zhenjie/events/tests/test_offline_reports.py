"""A grid worker's report filed on a phone without signal reaches the server perhaps more than
once (the queue is sent again when the answer was lost, two tabs send it at once): under the
phone's key (kernel.submits) it makes one event, through the page and through the API."""

import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from zhenjie.accounts.models import Post
from zhenjie.events import actions
from zhenjie.events.models import Category, Event
from zhenjie.kernel.models import Attachment, SubmitKey
from zhenjie.testing import api, png  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def form(key, **changes):
    data = {"channel": "grid", "category": Category.objects.get(code="sanitation").pk, "description": "河边垃圾堆积",
            "lng": "116.02", "lat": "35.02", "client_key": str(key), **changes}
    return data


def test_the_same_form_sent_twice_by_the_page_makes_one_event_and_both_answers_name_it(client, world):
    client.force_login(world.grid_worker_a)
    key = uuid.uuid4()
    first = client.post("/events/report/", {**form(key), "photos": SimpleUploadedFile("现场.jpg", png(), content_type="image/png")}, **JSON)
    assert first.status_code == 201, first.content
    again = client.post("/events/report/", {**form(key), "photos": SimpleUploadedFile("现场.jpg", png(), content_type="image/png")}, **JSON)
    assert again.status_code == 201 and again.json()["url"] == first.json()["url"]
    event = Event.objects.get()
    assert first.json() == {"ok": True, "url": f"/events/{event.case_id}/", "message": f"已上报：{event.case.number}"}
    assert Attachment.objects.filter(case=event.case).count() == 1
    # Without the script (no JSON asked), the same key still makes nothing new and shows the event.
    page = client.post("/events/report/", {**form(key), "photos": SimpleUploadedFile("现场.jpg", png(), content_type="image/png")})
    assert page.status_code == 302 and page["Location"] == f"/events/{event.case_id}/"
    assert Event.objects.count() == 1


def test_the_same_key_with_other_content_is_refused_with_409_and_writes_nothing(client, world):
    client.force_login(world.grid_worker_a)
    key = uuid.uuid4()
    assert client.post("/events/report/", form(key), **JSON).status_code == 201
    other = client.post("/events/report/", form(key, description="路灯不亮"), **JSON)
    assert other.status_code == 409
    assert other.json()["message"] == "这份表单此前已提交，但内容不同，未再次保存；请重新填写"
    assert Event.objects.count() == 1 and SubmitKey.objects.count() == 1
    # The page without the script says so on the form.
    page = client.post("/events/report/", form(key, description="路灯不亮"))
    assert page.status_code == 200 and "这份表单此前已提交，但内容不同" in page.content.decode()


def test_refusals_answer_json_in_chinese_and_keep_no_key(client, world):
    client.force_login(world.grid_worker_a)
    key = uuid.uuid4()
    empty = client.post("/events/report/", form(key, description=""), **JSON)
    assert empty.status_code == 400 and empty.json()["fields"]["description"]
    assert empty.json()["message"].startswith("问题描述：")  # the phone shows it above the form
    outside = client.post("/events/report/", form(key, lng="116.3"), **JSON)  # township B's land
    assert outside.status_code == 400 and "lng" in outside.json()["fields"]
    garbled = client.post("/events/report/", form("不是标识"), **JSON)
    assert garbled.status_code == 400 and garbled.json()["message"] == "表单标识无效，请刷新页面后重新填写"
    assert not Event.objects.exists() and not SubmitKey.objects.exists()
    # The refused key is free: the corrected form goes in under it.
    assert client.post("/events/report/", form(key), **JSON).status_code == 201
    assert Event.objects.count() == 1


def test_keys_are_each_reporters_own(client, world):
    from zhenjie.testing import make_user

    key = uuid.uuid4()
    client.force_login(world.grid_worker_a)
    assert client.post("/events/report/", form(key), **JSON).status_code == 201
    second = make_user("grid_worker_a9", world.committee_a, ["grid_worker"], world.grid_a)
    client.force_login(second)
    answer = client.post("/events/report/", form(key), **JSON)
    assert answer.status_code == 201
    assert Event.objects.count() == 2 and {e.reporter for e in Event.objects.all()} == {world.grid_worker_a, second}


def test_the_api_takes_the_key_too(api, world):
    api.as_("grid_worker_a")
    key = str(uuid.uuid4())
    data = {"category": "sanitation", "description": "河边垃圾堆积", "lng": "116.02", "lat": "35.02", "client_key": key}
    first = api.post_form("/api/events", data)
    again = api.post_form("/api/events", data)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and Event.objects.count() == 1
    changed = api.post_form("/api/events", {**data, "description": "另一件事"})
    assert changed.status_code == 409 and changed.json()["code"] == "submit.key_reused"
    assert Event.objects.count() == 1
    # Sent again after the worker left the post: the phone is told the number of the event it
    # made (the key is read before the place is checked against the worker's reach), and nothing
    # of how the event is handled since, which is no longer theirs to see.
    event = Event.objects.get()
    actions.register_event(world.dispatcher_a, event)
    Post.objects.filter(user=world.grid_worker_a).update(is_active=False)
    assert api.post_form("/api/events", {**data, "client_key": str(uuid.uuid4())}).status_code == 400
    late = api.post_form("/api/events", data)
    assert late.status_code == 409 and late.json()["code"] == "event.reported_out_of_reach"
    assert event.case.number in late.json()["message"] and "timeline" not in late.json()
    assert Event.objects.count() == 1


def test_a_form_sent_again_after_its_category_was_retired_finds_its_event(api, world):
    api.as_("grid_worker_a")
    data = {"category": "sanitation", "description": "河边垃圾堆积", "lng": "116.02", "lat": "35.02", "client_key": str(uuid.uuid4())}
    first = api.post_form("/api/events", data)
    Category.objects.filter(code="sanitation").update(is_active=False)
    again = api.post_form("/api/events", data)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    fresh = api.post_form("/api/events", {**data, "client_key": str(uuid.uuid4())})
    assert fresh.status_code == 400 and fresh.json()["code"] == "event.category_unknown"
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_form_at_once_make_one_event():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers itself")
    from zhenjie.testing import make_world

    world = make_world()
    key = uuid.uuid4()
    data = form(key)
    answers: list = []
    start = threading.Barrier(2)

    def send():
        try:
            client = Client()
            client.force_login(world.grid_worker_a)
            start.wait()
            response = client.post("/events/report/", data, **JSON)
            answers.append((response.status_code, response.json().get("url")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    event = Event.objects.get()
    assert answers == [(201, f"/events/{event.case_id}/")] * 2
