"""A NUL character anywhere in a request is a clear 400, never a database error (PostgreSQL)."""

import pytest
from django.urls import reverse

from zhenjie.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_api_refuses_nul_in_form_fields_json_and_query_strings(client, world):
    client.force_login(world.grid_worker_a)
    form = client.post("/api/events", {"category": "sani\x00tation", "description": "垃圾", "channel": "grid"})
    assert form.status_code == 400 and form.json()["code"] == "request.nul_character" and "空字符" in form.json()["message"]
    body = client.post("/api/auth/token", '{"username": "a\\u0000b", "password": "x"}', content_type="application/json")
    assert body.status_code == 400 and body.json()["code"] == "request.nul_character"
    query = client.get("/api/events?state=%00")
    assert query.status_code == 400
    assert not Event.objects.exists()


def test_pages_refuse_nul_in_filters_with_a_chinese_message(client, world):
    client.force_login(world.dispatcher_a)
    response = client.get(reverse("events:home") + "?q=%00")
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_an_ordinary_escaped_backslash_is_not_mistaken_for_nul(client, world):
    response = client.post("/api/auth/token", '{"username": "a\\\\u0000b", "password": "x"}', content_type="application/json")
    assert response.status_code != 400 or response.json()["code"] != "request.nul_character"
