"""The county administrator's 外部接入 page: keys shown once and stored only as a digest,
revoked at once, and the video-alarm types mapped to categories."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from zhenjie.events.models import Category
from zhenjie.integrations.models import AlarmMapping, IntegrationKey
from zhenjie.kernel.models import JournalEntry

pytestmark = pytest.mark.django_db

PAGE = reverse("integrations:keys")


def open311_post(client, key):
    body = urlencode({"api_key": key, "service_code": "noise", "lat": "35.01", "long": "116.01", "description": "噪声"})
    return client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")


def test_a_new_key_is_shown_once_and_only_its_digest_is_kept(client, world):
    client.force_login(world.county_admin)
    response = client.post(PAGE, {"key-name": "市民随手拍App", "key-channel": "open311"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["new_key"]
    assert raw.startswith("zj_") and raw in response.content.decode()
    key = IntegrationKey.objects.get()
    assert (key.county, key.channel, key.prefix, key.digest) == (world.county, "open311", raw[:10], IntegrationKey.digest_of(raw))
    assert raw not in str(list(IntegrationKey.objects.values()))
    assert raw not in client.get(PAGE).content.decode()
    assert JournalEntry.objects.filter(verb="integration_key_issue", subject=f"integration_key:{key.pk}").exists()
    assert open311_post(client, raw).status_code == 200


def test_a_revoked_key_stops_working_at_once(client, world):
    client.force_login(world.county_admin)
    raw = client.post(PAGE, {"key-name": "App", "key-channel": "open311"}).context["new_key"]
    key = IntegrationKey.objects.get()
    assert client.post(PAGE, {"revoke": key.pk}).status_code == 302
    key.refresh_from_db()
    assert not key.is_active and key.revoked_by == world.county_admin
    assert open311_post(client, raw).status_code == 403
    assert "已停用" in client.get(PAGE).content.decode()


def test_a_key_needs_a_name_and_a_channel(client, world):
    client.force_login(world.county_admin)
    response = client.post(PAGE, {"key-name": " ", "key-channel": "fax"})
    assert response.status_code == 200 and response.context["new_key"] is None
    assert set(response.context["key_form"].errors) == {"name", "channel"}
    assert not IntegrationKey.objects.exists()


def test_alarm_types_are_mapped_and_unmapped(client, world):
    client.force_login(world.county_admin)
    sanitation = Category.objects.get(code="sanitation")
    assert client.post(PAGE, {"map-alarm_type": "垃圾堆放", "map-category": sanitation.pk}).status_code == 302
    mapping = AlarmMapping.objects.get()
    assert (mapping.county, mapping.alarm_type, mapping.category) == (world.county, "垃圾堆放", sanitation)
    assert "垃圾堆放" in client.get(PAGE).content.decode()
    assert client.post(PAGE, {"unmap": mapping.pk}).status_code == 302
    assert not AlarmMapping.objects.exists()


def test_only_the_county_administrator_reaches_the_page(client, world):
    for user in (world.dispatcher_a, world.leader_a, world.liaison):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"key-name": "x", "key-channel": "open311"}).status_code == 403
    assert not IntegrationKey.objects.exists()


def test_a_missing_or_malformed_record_is_a_message_not_an_error_page(client, world):
    client.force_login(world.county_admin)
    for body in ({"revoke": "x"}, {"revoke": "999999"}, {"unmap": "999999"}):
        response = client.post(PAGE, body, follow=True)
        assert response.status_code == 200 and "不存在" in response.content.decode()


def test_the_keys_page_runs_the_same_number_of_queries_at_3_and_30_keys(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenjie.integrations.actions import issue_key, map_alarm_type

    def add(count, start):
        for n in range(start, start + count):
            issue_key(world.county_admin, f"系统{n}", "open311")
            map_alarm_type(world.county_admin, f"告警{n}", Category.objects.get(code="sanitation"))

    client.force_login(world.county_admin)
    add(3, 0)
    client.get(PAGE)  # the first request after login also sets up the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE).status_code == 200
    add(27, 3)
    with CaptureQueriesContext(connection) as large:
        assert client.get(PAGE).status_code == 200
    assert len(large) == len(small)
