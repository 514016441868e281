"""Open311 GeoReport v2 at /open311/v2/, tested against the spec's own examples (GeoReport/v2,
shared/reference/open311.md) with their coordinates moved into the test county: what an
existing citizen-reporting client sends, and what it must be able to read back."""

import re
from datetime import timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhenjie.events import actions
from zhenjie.events.models import Category, Event
from zhenjie.integrations.actions import issue_key, revoke_key, update_open311_policy
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.models import Case
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
# The spec's POST example (GeoReport v2, "POST Service Request"), with its San Francisco position
# moved into grid A of the test county and its service_code replaced by one of ours.
SPEC_EXAMPLE = {
    "jurisdiction_id": "990199000000", "service_code": "sanitation", "lat": "35.02", "long": "116.02",
    "address_string": "1234 5th street", "email": "smit333@sfgov.edu", "device_id": "tt222111", "account_id": "123456",
    "first_name": "john", "last_name": "smith", "phone": "111111111", "description": "A large sinkhole is destroying the street",
    "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
    "attribute[WHISPAWN]": "123456", "attribute[WHISDORN]": "COISL001",
}


@pytest.fixture
def api_key(world):
    _, raw = issue_key(world.county_admin, "市民随手拍App", "open311")
    return raw


def post(client, fmt="json", **fields):
    body = urlencode(fields)
    return client.post(f"/open311/v2/requests.{fmt}", body, content_type="application/x-www-form-urlencoded; charset=utf-8")


def xml(response) -> ElementTree.Element:
    assert response.content.startswith(DECLARATION), response.content[:80]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def file_example(client, key, **changes):
    return post(client, **{"api_key": key, **SPEC_EXAMPLE, **changes})


@pytest.fixture
def publishing_text(world):
    """The county publishes the citizens' own words (by default it does not: test_open311_publication.py)."""
    return update_open311_policy(world.county_admin, withheld_categories=[], position_decimals=4, publish_text=True)


# ---- discovery and services -------------------------------------------------------------------


def test_discovery_names_the_spec_the_endpoint_and_both_formats(client, world):
    body = client.get("/open311/v2/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_our_active_categories_with_string_codes(client, world):
    Category.objects.filter(code="other").update(is_active=False)
    services = client.get("/open311/v2/services.json", {"jurisdiction_id": "990199000000"}).json()
    codes = [s["service_code"] for s in services]
    assert "sanitation" in codes and "other" not in codes and all(isinstance(code, str) for code in codes)
    sanitation = next(s for s in services if s["service_code"] == "sanitation")
    assert sanitation["service_name"] == "环境卫生"
    assert (sanitation["metadata"], sanitation["type"]) == (False, "realtime")
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    first = root.find("service")
    assert first.findtext("service_code") == services[0]["service_code"] and first.findtext("metadata") == "false"


def test_a_service_definition_has_no_attributes_and_an_unknown_code_is_404(client, world):
    assert client.get("/open311/v2/services/sanitation.json").json() == {"service_code": "sanitation", "attributes": []}
    root = xml(client.get("/open311/v2/services/sanitation.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "sanitation"
    missing = client.get("/open311/v2/services/033.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    errors = xml(client.get("/open311/v2/services/033.xml"))
    assert errors.tag == "errors" and errors.find("error").findtext("code") == "404"


def test_an_unknown_jurisdiction_is_404(client, world):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "city.gov"})
    assert response.status_code == 404 and "jurisdiction_id" in response.json()[0]["description"]


# ---- POST requests ------------------------------------------------------------------------


def test_the_specs_post_example_files_an_event_in_the_dispatchers_queue(client, world, api_key):
    response = file_example(client, api_key)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"} and created["account_id"] is None
    assert created["service_notice"].startswith("已转甲镇社会治理综合指挥中心受理")
    event = Event.objects.select_related("case__area").get()
    assert str(event.case_id) == created["service_request_id"]
    assert (event.channel, event.category.code, event.case.area, event.case.state) == ("open311", "sanitation", world.grid_a, "reported")
    assert (event.reporter_name, event.reporter_phone_masked) == ("john smith", "111**1111")
    assert event.description.endswith("图片链接：http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg")
    assert [a.todo for a in inbox_for(world.dispatcher_a)] == ["register"]
    assert not inbox_for(world.dispatcher_b).exists()
    assert event.case.journal.get(verb="open").actor_name == "Open311 第三方平台接口：市民随手拍App"
    # The filer holds the number and a code to follow and rate on the citizen portal (issue 14 item 3).
    from zhenjie.events import portal

    code = re.search(r"查询码 ([23456789A-HJKMNP-Z]{8})", created["service_notice"]).group(1)
    assert event.case.number in created["service_notice"] and portal.find_for_citizen(event.case.number, code).pk == event.pk


def test_the_xml_form_of_post_answers_in_xml(client, world, api_key):
    root = xml(post(client, "xml", api_key=api_key, service_code="noise", lat="35.01", long="116.21", description="夜间施工"))
    assert root.tag == "service_requests"
    request_id = root.find("request").findtext("service_request_id")
    assert Case.objects.get(pk=int(request_id)).area == world.grid_b
    assert [a.todo for a in inbox_for(world.dispatcher_b)] == ["register"]


def test_an_address_string_naming_a_village_places_the_request_there(client, world, api_key):
    response = post(client, api_key=api_key, service_code="noise", address_string="乙镇乙一村村委会东侧", description="广场舞噪声")
    assert response.status_code == 200
    assert Event.objects.get().case.area == world.village_b


@pytest.mark.parametrize(
    "changes, status, words",
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "zj_forged"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "033"}, 404, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "位置"),
        ({"lat": "", "long": "", "address_string": "", "address_id": "545483"}, 400, "address_id"),
        ({"lat": "", "long": "", "address_string": "8TH AVE and JUDAH ST"}, 400, "address_string"),
        ({"long": ""}, 400, "lat 和 long"),
        ({"lat": "north"}, 400, "lat 和 long"),
        ({"lat": "37.76524078", "long": "-122.4212043"}, 400, "本县"),  # the spec's own San Francisco point
        ({"description": "x" * 4001}, 400, "4000"),
        ({"address_string": "x" * 201}, 400, "address_string"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "990299000000"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_posts_get_the_specs_error_shape_and_file_nothing(client, world, api_key, changes, status, words):
    response = file_example(client, api_key, **changes)
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert not Event.objects.exists() and not Case.objects.exists()


def test_a_key_for_another_channel_or_a_revoked_key_is_403(client, world, api_key):
    from zhenjie.integrations.models import IntegrationKey

    _, hotline_key = issue_key(world.county_admin, "12345平台", "hotline")
    assert file_example(client, hotline_key).status_code == 403
    revoke_key(world.county_admin, IntegrationKey.objects.get(channel="open311"))
    response = post(client, "xml", api_key=api_key, **{k: v for k, v in SPEC_EXAMPLE.items()})
    assert response.status_code == 403 and xml(response).find("error").findtext("code") == "403"
    assert not Event.objects.exists()


def test_a_description_with_control_characters_still_reads_as_xml(client, world, api_key, publishing_text):
    file_example(client, api_key, description="井盖\x01缺失\x1f，请尽快处理")
    event = Event.objects.get()
    root = xml(client.get(f"/open311/v2/requests/{event.case_id}.xml"))
    assert root.find("request").findtext("description").startswith("井盖缺失，请尽快处理")


# ---- GET requests ---------------------------------------------------------------------------


def handle_and_close(world, event):
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="清单未列明，由社会治理办处置")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, "已回填修复")
    actions.verify_event(world.grid_worker_a, event, passed=True)
    actions.close_event(world.dispatcher_a, event)


def test_get_request_returns_its_status_before_and_after_closing(client, world, api_key, publishing_text):
    request_id = file_example(client, api_key).json()[0]["service_request_id"]
    [before] = client.get(f"/open311/v2/requests/{request_id}.json", {"jurisdiction_id": "990199000000"}).json()
    assert (before["service_request_id"], before["status"], before["status_notes"]) == (request_id, "open", "已收到，等待指挥中心受理")
    assert before["service_code"] == "sanitation" and before["service_name"] == "环境卫生"
    assert before["requested_datetime"].endswith("+08:00") and before["agency_responsible"] == ""
    assert (before["lat"], before["long"], before["address"]) == (35.02, 116.02, "1234 5th street")

    event = Event.objects.get(case_id=int(request_id))
    handle_and_close(world, event)
    [after] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert (after["status"], after["status_notes"], after["agency_responsible"]) == ("closed", "已办结", "甲镇社会治理办公室")
    closed_at = Case.objects.get(pk=event.case_id).closed_at
    assert after["updated_datetime"] == timezone.localtime(closed_at).isoformat(timespec="seconds")
    assert after["expected_datetime"] is None

    request = xml(client.get(f"/open311/v2/requests/{request_id}.xml")).find("request")
    assert [child.tag for child in request] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
        "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
        "lat", "long", "media_url"]
    assert (request.findtext("status"), request.findtext("lat")) == ("closed", "35.02")


def test_a_dispatched_request_names_its_agency_and_expected_time(client, world, api_key):
    request_id = file_example(client, api_key).json()[0]["service_request_id"]
    event = Event.objects.get(case_id=int(request_id))
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="x")
    [record] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert (record["status"], record["status_notes"]) == ("open", "已派遣至甲镇社会治理办公室处置")
    assert record["expected_datetime"].endswith("+08:00")


def test_a_rejected_request_is_closed_with_the_reason(client, world, api_key, publishing_text):
    request_id = file_example(client, api_key).json()[0]["service_request_id"]
    actions.reject_event(world.dispatcher_a, Event.objects.get(case_id=int(request_id)), "属于物业管理范围，已告知联系物业")
    [record] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert (record["status"], record["status_notes"]) == ("closed", "不予受理：属于物业管理范围，已告知联系物业")


def test_unknown_or_other_channel_request_ids_are_404(client, world):
    grid_event = make_event(world)
    for request_id in (str(grid_event.case_id), "999999", "abc", "9" * 30):
        response = client.get(f"/open311/v2/requests/{request_id}.json")
        assert response.status_code == 404 and response.json()[0]["code"] == 404
    assert xml(client.get("/open311/v2/requests/638344.xml")).tag == "errors"


def test_the_specs_list_example_filters_by_date_and_status(client, world, api_key):
    first = file_example(client, api_key).json()[0]["service_request_id"]
    second = file_example(client, api_key, service_code="noise", description="噪声").json()[0]["service_request_id"]
    handle_and_close(world, Event.objects.get(case_id=int(first)))
    make_event(world)  # a grid worker's report is not published
    today = timezone.localdate()
    # GET requests.xml?start_date=…&end_date=…&status=open&jurisdiction_id=… (the spec's example, with our dates)
    root = xml(client.get("/open311/v2/requests.xml", {
        "start_date": f"{today - timedelta(days=30)}T00:00:00+08:00", "end_date": f"{today + timedelta(days=1)}T00:00:00+08:00",
        "status": "open", "jurisdiction_id": "990199000000"}))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [second]
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json", {"status": "closed"}).json()] == [first]
    assert len(client.get("/open311/v2/requests.json").json()) == 2
    assert len(client.get("/open311/v2/requests.json", {"status": "open,closed", "service_code": "noise"}).json()) == 1
    # The id list overrides every other argument.
    listed = client.get("/open311/v2/requests.json", {"service_request_id": f"{first},{second}", "status": "open", "start_date": "2011-01-01"})
    assert {r["service_request_id"] for r in listed.json()} == {first, second}
    # Empty arguments are the same as absent ones.
    assert len(client.get("/open311/v2/requests.json", {"status": "", "service_code": "", "start_date": ""}).json()) == 2
    # Outside the default window of 90 days: nothing.
    old = client.get("/open311/v2/requests.json", {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"})
    assert old.json() == []


@pytest.mark.parametrize(
    "params, words",
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "0001-01-01"}, "end_date"),
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": "1,two"}, "service_request_id"),
    ],
)
def test_bad_list_arguments_are_400(client, world, params, words):
    response = client.get("/open311/v2/requests.json", params)
    assert response.status_code == 400 and words in response.json()[0]["description"]


def test_the_request_list_runs_the_same_number_of_queries_at_3_and_30_requests(client, world, api_key):
    def add(count):
        for index in range(count):
            post(client, api_key=api_key, service_code="noise", lat="35.01", long=f"{116.01 + index * 0.0001:.4f}", description="噪声")

    add(3)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/open311/v2/requests.json").json()) == 3
    add(27)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/open311/v2/requests.json").json()) == 30
    assert len(large) == len(small)


def test_unknown_paths_and_methods_answer_in_the_specs_shape(client, world):
    assert client.get("/open311/v2/tokens/123456.json").status_code == 404
    assert xml(client.get("/open311/v2/nothing-here")).tag == "errors"
    response = client.post("/open311/v2/services.json", {})
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_an_outside_client_posts_without_a_csrf_token(world, api_key):
    from django.test import Client

    assert file_example(Client(enforce_csrf_checks=True), api_key).status_code == 200
