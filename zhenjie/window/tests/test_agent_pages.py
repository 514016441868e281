"""Agent-point pages, export and API: what township A and B see, the public page, the agent's
own page, and the list's fixed query count."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.accounts.models import ApiToken
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.actions.agents import create_point
from zhenjie.window.models import AgentPoint, DutySlot, PaperTransfer
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def bearer(user) -> dict:
    from datetime import timedelta

    _, token = ApiToken.issue(user, timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def more_points(ww, count: int):
    for n in range(count):
        village = ww.world.village_a
        unit = create_unit(None, name=f"甲镇第{n}党群服务中心", kind=Unit.Kind.CENTRE, area=ww.world.a)
        create_point(ww.world.leader_a, unit=unit, name=f"代办点{n}", villages=[village], phone="1", address="镇上", hours="周一至周五")


def test_township_a_lists_its_points_and_b_sees_none_in_list_detail_export_and_api(ww, client):
    point = make_point(ww)
    client.force_login(ww.world.leader_a)
    page = client.get(reverse("window:agent_points")).content.decode()
    assert "甲一村代办点" in page and "甲一村村民委员会" in page

    client.force_login(ww.world.leader_b)
    assert "甲一村代办点" not in client.get(reverse("window:agent_points")).content.decode()
    assert client.get(reverse("window:agent_point", args=[point.pk])).status_code == 404
    book = load_workbook(io.BytesIO(client.get(reverse("window:agent_points"), {"format": "xlsx"}).content))
    assert [row for row in book.active.iter_rows(min_row=2, values_only=True)] == []
    assert client.post(reverse("window:agent_point_roster", args=[point.pk]), {"version": "1", "rows": "0"}).status_code == 404

    answer = client.get("/api/agent-points", **bearer(ww.world.leader_b)).json()
    assert answer["count"] == 0
    assert client.get(f"/api/agent-points/{point.pk}", **bearer(ww.world.leader_b)).status_code == 404
    assert client.get(f"/api/agent-points/{point.pk}/ledger", **bearer(ww.world.leader_b)).status_code == 404
    assert client.get(f"/api/agent-points/{point.pk}", **bearer(ww.world.leader_a)).json()["villages"][0]["name"] == "甲一村"


def test_the_export_of_township_a_has_its_point(ww, client):
    make_point(ww)
    client.force_login(ww.clerk_a)
    book = load_workbook(io.BytesIO(client.get(reverse("window:agent_points"), {"format": "xlsx"}).content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in rows] == [("甲镇", "甲一村代办点", "甲一村")]


def test_the_points_list_runs_a_fixed_number_of_queries(ww, client):
    make_point(ww)
    client.force_login(ww.world.leader_a)
    url = reverse("window:agent_points")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    more_points(ww, 4)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five) == len(one)


def test_a_point_is_set_up_through_the_page_and_bad_input_is_shown_on_the_form(ww, client):
    client.force_login(ww.world.leader_a)
    url = reverse("window:agent_point_new")
    data = {"name": "甲一村代办点", "unit": ww.world.committee_a.pk, "villages": [ww.world.village_a.pk], "phone": "1", "address": "村委会", "hours": "周一至周五"}
    refused = client.post(url, {**data, "villages": [ww.world.village_b.pk]})
    assert refused.status_code == 200 and not AgentPoint.objects.exists()  # 乙一村 is not even offered
    assert "villages" in refused.context["form"].errors
    too_long = client.post(url, {**data, "name": "村" * 65})
    assert "name" in too_long.context["form"].errors and not AgentPoint.objects.exists()
    created = client.post(url, data)
    point = AgentPoint.objects.get()
    assert created.status_code == 302 and created.url == reverse("window:agent_point", args=[point.pk])


def test_the_roster_editor_saves_and_refuses_a_stale_version(ww, client):
    point = make_point(ww)
    client.force_login(ww.world.leader_a)
    url = reverse("window:agent_point_roster", args=[point.pk])
    row = {"rows": "2", "slot-0-weekday": "2", "slot-0-starts": "14:00", "slot-0-ends": "17:30", "slot-0-agent_id": str(ww.agent_a.pk)}
    assert client.post(url, {**row, "version": "1"}).status_code == 302
    assert list(DutySlot.objects.filter(point=point).values_list("weekday", flat=True)) == [2]
    stale = client.post(url, {**row, "version": "1", "slot-0-weekday": "3"})
    assert "值班表已被他人修改" in stale.content.decode()
    saturday = client.post(url, {**row, "version": "2", "slot-0-weekday": "5"})
    assert "值班日须为周一至周五" in saturday.content.decode()
    assert list(DutySlot.objects.filter(point=point).values_list("weekday", flat=True)) == [2]


def test_roster_over_the_api_with_compare_and_set(ww, client):
    point = make_point(ww)
    body = {"expected_version": 1, "slots": [{"weekday": 0, "starts": "09:00", "ends": "11:00", "agent_id": ww.agent_a.pk}]}
    answer = client.put(f"/api/agent-points/{point.pk}/roster", json.dumps(body), content_type="application/json", **bearer(ww.world.leader_a))
    assert answer.status_code == 200 and answer.json()["roster_version"] == 2
    again = client.put(f"/api/agent-points/{point.pk}/roster", json.dumps(body), content_type="application/json", **bearer(ww.world.leader_a))
    assert again.status_code == 409 and again.json()["code"] == "agent_point.roster_changed"
    wrong = client.put(f"/api/agent-points/{point.pk}/roster", json.dumps({"expected_version": "x", "slots": "y"}),
                       content_type="application/json", **bearer(ww.world.leader_a))  # fmt: skip
    assert wrong.status_code in (400, 422)
    agent = client.put(f"/api/agent-points/{point.pk}/roster", json.dumps({**body, "expected_version": 2}),
                       content_type="application/json", **bearer(ww.agent_a))  # fmt: skip
    assert agent.status_code == 403


def test_the_agent_home_shows_their_point_papers_held_and_results(ww, client):
    point = make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    decided = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    client.force_login(ww.agent_a)
    page = client.get(reverse("window:agent_home")).content.decode()
    assert "甲一村代办点" in page and held.case.number in page and decided.case.number in page

    answer = client.post(reverse("window:agent_point_handover", args=[point.pk]),
                         {"application": held.pk, "direction": "to_centre", "received_by": "窗口张三", "next": "home"})  # fmt: skip
    assert answer.status_code == 302 and answer.url == reverse("window:agent_home")
    assert PaperTransfer.objects.get().application == held
    again = client.post(reverse("window:agent_point_handover", args=[point.pk]),
                        {"application": held.pk, "direction": "to_centre", "received_by": "窗口张三", "next": "home"}, follow=True)  # fmt: skip
    assert "已登记过" in again.content.decode() and PaperTransfer.objects.count() == 1


def test_an_agent_cannot_open_another_township_point_nor_record_its_handover(ww, client):
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    client.force_login(ww.clerk_b)
    answer = client.post(reverse("window:agent_point_handover", args=[point.pk]), {"application": application.pk, "direction": "to_centre", "received_by": "x"})
    assert answer.status_code == 404 and not PaperTransfer.objects.exists()
    assert client.get(reverse("window:agent_home")).status_code == 200


def test_the_public_page_shows_hours_and_duty_but_no_personal_data(ww, client):
    make_point(ww)
    page = client.get(reverse("window_public:agent_points_township", args=[ww.world.a.code])).content.decode()
    assert "甲一村代办点" in page and "甲一村村委会一楼" in page and "老年人优待证代办" in page
    assert "agent_a" not in page  # no agent's name
    assert "甲一村代办点" not in client.get(reverse("window_public:agent_points_township", args=[ww.world.b.code])).content.decode()
    assert client.get(reverse("window_public:agent_points")).status_code == 200
