"""The enforcement pages and API as officers use them: the lead form, the registration page with
its power picker and transfer offer, the case page, the list and the queue — each township seeing
only its own cases, and lists running the same queries whatever the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhenjie.enforcement.models import EnforcementCase
from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.models import Case
from zhenjie.testing import Api, citizen_id, make_event

pytestmark = pytest.mark.django_db


def lead_form(**values) -> dict:
    return {
        "source": "patrol", "title": "擅自搭建彩钢棚", "place": "甲一村村口", "facts": "巡查发现未经批准搭建彩钢棚。",
        "occurred_on": (timezone.localdate() - timedelta(days=3)).isoformat(), "party_kind": "person", "party_name": "李建国",
        "id_number": citizen_id(8), "phone": "13900139000",
    } | values  # fmt: skip


def test_an_officer_opens_a_lead_from_an_event_and_registers_it_on_the_pages(ew, client):
    event = make_event(ew.world)
    client.force_login(ew.officer_a1)

    answer = client.post(reverse("enforcement:new"), lead_form(source="event", event=event.case.number))
    enforcement = EnforcementCase.objects.get()
    assert answer.status_code == 302 and enforcement.case.parent_id == event.case_id
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "李建国" in page and citizen_id(8) not in page and event.case.number in page and 'data-testid="register-link"' in page

    registration = reverse("enforcement:registration", args=[enforcement.case_id])
    picker = client.get(registration).content.decode()
    assert "CF001" in picker and "CF003" in picker
    narrowed = client.get(registration, {"q": "CF002"}).content.decode()
    assert "CF002" in narrowed and "CF001" not in narrowed

    assert client.post(registration, {"power_code": "CF002"}).status_code == 302
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "对违法建设行为的行政处罚2" in page and "城乡规划法" in page and "调查取证" in page and 'data-testid="decision-due"' in page


def test_a_power_the_township_does_not_hold_is_refused_on_the_page_with_the_transfer_offered(ew, client):
    from zhenjie.lists.tests.builders import county_power_list

    county_power_list(ew.world)
    enforcement = make_enforcement_case(ew)
    client.force_login(ew.officer_a1)
    answer = client.post(reverse("enforcement:registration", args=[enforcement.case_id]), {"power_code": "GA-CF-001"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "测试县公安局" in page and 'data-testid="transfer-offer"' in page
    assert Case.objects.get(pk=enforcement.case_id).state == State.LEAD

    client.post(reverse("enforcement:act", args=[enforcement.case_id, "transfer_out"]),
                {"reason": "该事项由测试县公安局行使", "department": ew.world.police.pk})  # fmt: skip
    assert Case.objects.get(pk=enforcement.case_id).state == State.TRANSFERRING


def test_bad_input_on_the_lead_form_is_shown_in_chinese_and_nothing_is_written(ew, client):
    client.force_login(ew.officer_a1)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(reverse("enforcement:new"), lead_form(occurred_on=tomorrow)).content.decode()
    assert "违法行为发生(终了)日期不能晚于今天" in page
    page = client.post(reverse("enforcement:new"), lead_form(source="event", event="甲镇事〔2026〕第999号")).content.decode()
    assert "您的辖区内没有编号为" in page
    assert not EnforcementCase.objects.exists()


def test_township_b_sees_none_of_township_as_cases_on_any_page_or_endpoint(ew, client):
    case_a = make_enforcement_case(ew, state=State.INVESTIGATING)
    client.force_login(ew.officer_b1)
    assert case_a.case.number not in client.get(reverse("enforcement:home")).content.decode()
    assert case_a.case.number not in client.get(reverse("enforcement:queue")).content.decode()
    assert client.get(reverse("enforcement:detail", args=[case_a.case_id])).status_code == 404
    assert client.get(reverse("enforcement:registration", args=[case_a.case_id])).status_code == 404
    assert client.post(reverse("enforcement:act", args=[case_a.case_id, "decline"]), {"reason": "无"}).status_code == 404

    api = Api(client).as_("officer_b1")
    assert api.get("/api/enforcement").json()["count"] == 0
    assert api.get("/api/enforcement/queue").json()["count"] == 0
    for path in (f"/api/enforcement/{case_a.case_id}", f"/api/enforcement/{case_a.case_id}/journal", f"/api/enforcement/{case_a.case_id}/powers"):
        assert api.get(path).status_code == 404
    assert api.post(f"/api/enforcement/{case_a.case_id}/suspend", {"reason": "无"}).status_code == 404
    assert Case.objects.get(pk=case_a.case_id).state == State.INVESTIGATING


def test_the_api_opens_a_lead_and_registers_it_with_chinese_refusals(ew, client):
    api = Api(client).as_("officer_a1")
    body = {k: v for k, v in lead_form().items()}
    created = api.post("/api/enforcement", body)
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert created.json()["party"]["id_number_masked"] != citizen_id(8)

    unknown = api.post(f"/api/enforcement/{case_id}/register", {"power_code": "NO-SUCH"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "enforcement.power_not_held" and "请核对权责事项编码" in unknown.json()["message"]
    future = api.post("/api/enforcement", body | {"occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat()})
    assert future.status_code == 400 and future.json()["message"] == "违法行为发生(终了)日期不能晚于今天"
    too_long = api.post("/api/enforcement", body | {"facts": "事" * 5001})
    assert too_long.status_code == 400 and "facts" in too_long.json()["fields"]
    assert EnforcementCase.objects.count() == 1

    registered = api.post(f"/api/enforcement/{case_id}/register", {"power_code": "CF003"})
    assert registered.status_code == 200 and registered.json()["power_code"] == "CF003" and registered.json()["due_at"]
    again = api.post(f"/api/enforcement/{case_id}/register", {"power_code": "CF003"})
    assert again.status_code == 409
    assert [p["code"] for p in api.get(f"/api/enforcement/{case_id}/powers", q="CF001").json()] == ["CF001"]
    verbs = [e["verb"] for e in api.get(f"/api/enforcement/{case_id}/journal").json()]
    assert verbs[0] == "open" and verbs[-2:] == ["register", "document.issue"]  # with its 立案审批表


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["enforcement:home", "enforcement:queue"])
def test_the_list_and_the_queue_run_the_same_queries_at_three_and_thirty_cases(ew, client, url):
    client.force_login(ew.officer_a1)
    for _ in range(3):
        make_enforcement_case(ew, state=State.INVESTIGATING)
    few = _queries(client, reverse(url))
    for _ in range(27):
        make_enforcement_case(ew, state=State.INVESTIGATING)
    assert _queries(client, reverse(url)) == few


def test_the_api_list_runs_the_same_queries_at_three_and_thirty_cases_and_pages_by_cursor(ew, client):
    api = Api(client).as_("officer_a1")
    for _ in range(3):
        make_enforcement_case(ew)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/enforcement")
    for _ in range(27):
        make_enforcement_case(ew)
    with CaptureQueriesContext(connection) as many:
        first = api.get("/api/enforcement", page_size=20).json()
    assert len(many) == len(few) and first["count"] == 30 and first["next_cursor"]
    rest = api.get("/api/enforcement", page_size=20, cursor=first["next_cursor"]).json()
    assert len(rest["items"]) == 10 and not {i["id"] for i in rest["items"]} & {i["id"] for i in first["items"]}
