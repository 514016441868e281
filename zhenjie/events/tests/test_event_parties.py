"""Whoever reports an event by name or phone becomes its reporter (上报人, a party of the case):
shown masked on the event's page, in the API and in the export, to those who can see the event."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.kernel import parties
from zhenjie.kernel.errors import Forbidden, NotFound
from zhenjie.kernel.models import CaseParty, JournalEntry, Party
from zhenjie.testing import api, citizen_id, make_event  # noqa: F401  (api: a fixture)


pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def walk_in(world, name="王先生", phone=PHONE, description="楼道堆放杂物"):
    return report_event(world.dispatcher_a, Report(channel="walk_in", category=Category.objects.get(code="sanitation"),
                                                   description=description, area=world.village_a, reporter_name=name, reporter_phone=phone))  # fmt: skip


def test_a_named_reporter_becomes_the_reporter_party_and_a_staff_report_adds_none(world):
    event = walk_in(world)
    link = CaseParty.objects.select_related("party").get(case=event.case)
    assert (link.role, link.party.name, link.party.phone_masked, link.party.county) == ("reporter", "王先生", "138****5678", world.county)
    assert JournalEntry.objects.filter(case=event.case, verb="party_link").count() == 1
    assert (event.reporter_name, event.reporter_phone_masked) == ("王先生", "138****5678")  # the event's columns still kept
    make_event(world)  # a grid worker's own report names no one else
    assert Party.objects.count() == 1


def test_a_hotline_callers_landline_is_a_masked_party_and_an_unreadable_number_is_dropped_not_refused(world):
    event = walk_in(world, name="", phone="0539-1234567")
    assert CaseParty.objects.get(case=event.case).party.phone_masked == "053****4567"
    event = walk_in(world, name="赵女士", phone="转分机")
    assert CaseParty.objects.get(case=event.case).party.phone_masked == ""


def test_the_event_page_api_and_export_show_the_reporter_masked(client, world, api):  # noqa: F811
    event = walk_in(world)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:detail", args=[event.case_id])).content.decode()
    assert 'data-testid="case-parties"' in page and "上报人 · 王先生" in page and "138****5678" in page and PHONE not in page
    body = api.as_("dispatcher_a").get(f"/api/events/{event.case_id}").json()
    assert [(p["role"], p["role_label"], p["name"], p["phone"]) for p in body["parties"]] == [("reporter", "上报人", "王先生", "138****5678")]
    assert PHONE not in str(body)
    response = client.get(reverse("events:home") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 14).value == "当事人" and sheet.cell(2, 14).value == "上报人 王先生 138****5678"
    assert PHONE not in str(list(sheet.values))


def test_another_township_sees_no_parties_of_the_event(client, world, api):  # noqa: F811
    event = walk_in(world)
    assert api.as_("dispatcher_b").get(f"/api/events/{event.case_id}").status_code == 404
    client.force_login(world.dispatcher_b)
    assert client.get(reverse("events:detail", args=[event.case_id])).status_code == 404
    response = client.get(reverse("events:home") + "?format=xlsx")
    assert "王先生" not in str(list(load_workbook(io.BytesIO(response.content)).active.values))
    with pytest.raises(NotFound):
        parties.parties_for_case(world.dispatcher_b, event.case)


def test_the_export_reads_parties_in_a_fixed_number_of_queries(client, world):
    client.force_login(world.dispatcher_a)
    url = reverse("events:home") + "?format=xlsx"
    walk_in(world)
    client.get(url)  # the first request of a session warms caches the others reuse
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        walk_in(world, name=f"来访人{n}", description=f"第{n}件")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert len(list(load_workbook(io.BytesIO(response.content)).active.values)) == 1 + 7


def test_revealing_a_party_on_an_event_follows_the_events_rule_and_is_journaled(world):

    event = walk_in(world)
    party = parties.register_party(world.dispatcher_a, world.county, Party.Kind.PERSON, "王先生", id_number=citizen_id(21))
    link = parties.link_party(world.dispatcher_a, event.case, party, CaseParty.Role.PARTY)
    assert parties.reveal_party(world.dispatcher_a, link)["id_number"] == citizen_id(21)
    with pytest.raises(Forbidden):
        parties.reveal_party(world.agent_a, link)
    with pytest.raises(NotFound):
        parties.reveal_party(world.dispatcher_b, link)
    assert JournalEntry.objects.filter(case=event.case, verb="reveal_party").count() == 1


def test_a_walk_in_taken_on_the_page_names_the_visitor_and_the_agent_speaking_for_them(client, world):
    client.force_login(world.clerk_a)
    response = client.post(reverse("events:report"), {
        "category": Category.objects.get(code="noise").pk, "description": "夜间施工噪声", "channel": "walk_in", "area": world.village_a.pk,
        "reporter_name": "李老汉", "reporter_phone": PHONE, "agent_name": "李小明", "agent_phone": "13900001111",
    })
    assert response.status_code == 302, response.content.decode()
    links = {link.role: link for link in CaseParty.objects.select_related("party")}
    assert (links["reporter"].party.name, links["agent"].party.name) == ("李老汉", "李小明")
    assert links["agent"].acting_for == links["reporter"]  # the agent acts for the visitor
    page = client.get(response["Location"]).content.decode()
    assert "代理人 · 李小明" in page and "139****1111" in page


def test_an_agent_without_the_person_they_speak_for_is_refused_on_the_page_and_the_api_and_nothing_is_written(client, world, api):  # noqa: F811
    client.force_login(world.clerk_a)
    response = client.post(reverse("events:report"), {
        "category": Category.objects.get(code="noise").pk, "description": "噪声", "channel": "walk_in", "area": world.village_a.pk,
        "agent_name": "李小明",
    })
    assert response.status_code == 200
    assert 'data-field-error="reporter_name"' in response.content.decode() and "代为反映的，须写明所代的当事人" in response.content.decode()
    response = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "噪声", "channel": "walk_in", "area_id": world.village_a.pk, "agent_phone": "13900001111",
    })
    assert response.status_code == 400 and response.json()["fields"] == {"reporter_name": "代为反映的，须写明所代的当事人"}
    assert not Event.objects.exists() and not Party.objects.exists() and not CaseParty.objects.exists()


def test_an_agent_given_over_the_api_is_a_party_acting_for_the_visitor(api, world):  # noqa: F811
    response = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "噪声", "channel": "walk_in", "area_id": world.village_a.pk,
        "reporter_name": "李老汉", "agent_name": "李小明", "agent_phone": "13900001111",
    })
    assert response.status_code == 201, response.content
    assert [(p["role"], p["name"], p["phone"]) for p in response.json()["parties"]] == [
        ("reporter", "李老汉", ""), ("agent", "李小明", "139****1111"),
    ]
    too_long = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "噪声", "channel": "walk_in", "area_id": world.village_a.pk, "reporter_name": "李", "agent_name": "长" * 33,
    })
    assert too_long.status_code == 400 and "agent_name" in too_long.json()["fields"]
