"""What the public Open311 feed shows (issue 12, item 8; PIPL Art. 6; 等保 8.1.4.11): GeoReport v2
GETs need no key, so anyone reads them. A county's setting decides which categories never appear
(disputes by default), how far positions are rounded, and whether the citizen's own words are
published; the county administrator changes it on the 外部接入 page, journaled."""

import pytest
from django.urls import reverse

from zhenjie.events import actions as event_actions
from zhenjie.events.models import Category, Event
from zhenjie.integrations.actions import update_open311_policy
from zhenjie.integrations.models import Open311Policy
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import JournalEntry

from .test_open311 import api_key, file_example  # noqa: F401  (api_key: a fixture)

pytestmark = pytest.mark.django_db

PRIVATE = {"description": "张三家（幸福路18号）和邻居李四因排水吵架，电话13800001234", "address_string": "幸福路18号",
           "lat": "35.0123456", "long": "116.0198765"}


def listed(client) -> dict[str, dict]:
    return {record["service_request_id"]: record for record in client.get("/open311/v2/requests.json").json()}


def test_by_default_disputes_are_withheld_and_what_is_shown_has_no_citizens_words_and_a_rounded_position(client, world, api_key):
    dispute = file_example(client, api_key, service_code="dispute", **PRIVATE).json()[0]["service_request_id"]
    rubbish = file_example(client, api_key, service_code="sanitation", **PRIVATE).json()[0]["service_request_id"]
    event_actions.reject_event(world.dispatcher_a, Event.objects.get(case_id=int(rubbish)), "张三反映的是自家院内，不属公共区域")

    records = listed(client)

    assert dispute not in records
    assert client.get(f"/open311/v2/requests/{dispute}.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"service_request_id": dispute}).json() == []
    record = records[rubbish]
    assert record["description"] == "" and record["address"] == "甲一村第1网格"
    assert (record["lat"], record["long"]) == (35.012, 116.02)  # three decimals: about 100 m
    assert record["status_notes"] == "不予受理"  # the reason names the citizen
    body = client.get("/open311/v2/requests.xml").content.decode()
    for secret in ("张三", "幸福路", "13800001234", "35.0123456", "116.0198765"):
        assert secret not in body and secret not in str(records)


def test_the_county_administrator_sets_what_is_published_on_the_integrations_page_and_it_is_journaled(client, world, api_key):
    dispute = file_example(client, api_key, service_code="dispute", **PRIVATE).json()[0]["service_request_id"]
    noise = file_example(client, api_key, service_code="noise", **PRIVATE).json()[0]["service_request_id"]
    client.force_login(world.county_admin)
    page = client.get(reverse("integrations:keys"))
    assert page.status_code == 200 and "Open311 公开设置" in page.content.decode()

    saved = client.post(reverse("integrations:keys"), {
        "open311-withheld_categories": [Category.objects.get(code="noise").pk],
        "open311-position_decimals": "2", "open311-publish_text": "on",
    })

    assert saved.status_code == 302
    policy = Open311Policy.objects.get(county=world.county)
    assert [c.code for c in policy.withheld_categories.all()] == ["noise"] and policy.position_decimals == 2 and policy.publish_text
    entry = JournalEntry.objects.filter(verb="settings.open311").get()
    assert entry.data["after"] == {"withheld": ["noise"], "position_decimals": 2, "publish_text": True}
    client.logout()
    records = listed(client)
    assert noise not in records and dispute in records
    assert records[dispute]["description"].startswith(PRIVATE["description"]) and records[dispute]["address"] == "幸福路18号"
    assert (records[dispute]["lat"], records[dispute]["long"]) == (35.01, 116.02)


def test_a_position_finer_than_about_ten_metres_is_refused_in_chinese_and_nothing_changes(client, world):
    client.force_login(world.county_admin)
    refused = client.post(reverse("integrations:keys"), {"open311-position_decimals": "6"})
    assert refused.status_code == 200 and "确保该值小于或等于4" in refused.content.decode()
    with pytest.raises(ActionError) as error:
        update_open311_policy(world.county_admin, withheld_categories=[], position_decimals=6, publish_text=True)
    assert error.value.message == "坐标保留小数位须在2至4位之间"
    assert not Open311Policy.objects.exists()


def test_only_the_county_administrator_may_change_it(client, world):
    with pytest.raises(ActionError):
        update_open311_policy(world.dispatcher_a, withheld_categories=[], position_decimals=4, publish_text=True)
    client.force_login(world.dispatcher_a)
    response = client.post(reverse("integrations:keys"), {"open311-position_decimals": "4", "open311-publish_text": "on"})
    assert response.status_code == 403 and not Open311Policy.objects.exists()
