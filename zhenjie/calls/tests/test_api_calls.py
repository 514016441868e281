"""乡呼县应 over the API: the township calls, the department's liaison answers, the township
confirms and rates — and the liaison sees the call, never the rest of the township."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.calls.models import Call
from zhenjie.events import actions
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def called(api, world, request_text="请派员现场取证"):
    event = make_event(world, category="pollution")
    actions.register_event(world.dispatcher_a, event)
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/calls",
                                            {"department_ids": [world.police.pk], "request": request_text, "working_days": 3})
    assert response.status_code == 201, response.content
    return event, response.json()[0]


def test_the_whole_call_loop_over_the_api(api, world):
    event, call = called(api, world)
    assert (call["state"], call["department"]["name"], call["caller_unit"]["name"]) == ("called", "测试县公安局", "甲镇社会治理综合指挥中心")
    path = f"/api/calls/{call['id']}"
    api.as_("liaison")
    listed = api.get("/api/calls").json()
    assert [c["id"] for c in listed["items"]] == [call["id"]]
    seen = api.get(path).json()
    assert seen["event"]["description"] == "路边垃圾堆积" and seen["event"]["category"]["name"] == "环境污染"
    assert api.post(f"{path}/acknowledge").json()["acknowledged_at"]
    assert api.post(f"{path}/report_back", {"result": "已立案调查"}).json()["state"] == "reported"
    assert api.as_("dispatcher_a").post(f"{path}/reject", {"reason": "请补充处理结果文书"}).json()["state"] == "acknowledged"
    api.as_("liaison").post(f"{path}/report_back", {"result": "已作出处罚决定并送达"})
    assert api.as_("dispatcher_a").post(f"{path}/confirm").json()["state_label"] == "已办结"
    rated = api.post(f"{path}/rate", {"rating": 4, "comment": "响应及时"})
    assert (rated.json()["rating"], rated.json()["rating_comment"]) == (4, "响应及时")
    assert api.post(f"{path}/rate", {"rating": 5}).status_code == 409


def test_the_liaison_sees_the_call_and_gets_404_for_every_event_of_the_township(api, world):
    event, call = called(api, world)
    other = make_event(world)
    api.as_("liaison")
    assert api.get("/api/events").json()["count"] == 0
    for hidden in (event, other):
        assert api.get(f"/api/events/{hidden.case_id}").status_code == 404
        assert api.post(f"/api/events/{hidden.case_id}/register").status_code == 404


def test_township_b_gets_404_for_township_as_calls(api, world):
    _, call = called(api, world)
    api.as_("dispatcher_b")
    assert api.get("/api/calls").json()["count"] == 0
    assert api.get(f"/api/calls/{call['id']}").status_code == 404
    for step, body in [("acknowledge", None), ("report_back", {"result": "x"}), ("confirm", None), ("reject", {"reason": "x"}),
                       ("withdraw", {"reason": "x"}), ("rate", {"rating": 3})]:
        assert api.post(f"/api/calls/{call['id']}/{step}", body).status_code == 404, step
    assert Call.objects.get().case.state == "called"


def test_call_steps_out_of_turn_or_by_the_wrong_side_are_refused(api, world):
    _, call = called(api, world)
    path = f"/api/calls/{call['id']}"
    assert api.as_("liaison").post(f"{path}/confirm").status_code == 403
    assert api.post(f"{path}/report_back", {"result": "x"}).status_code == 409
    assert api.post(f"{path}/report_back", {"result": ""}).status_code == 400
    assert api.post(f"{path}/report_back", {"result": "长" * 2001}).status_code == 400
    assert api.as_("dispatcher_a").post(f"{path}/acknowledge").status_code == 403
    assert api.post(f"{path}/rate", {"rating": 4}).status_code == 409


def test_calling_the_same_department_twice_while_open_is_a_conflict(api, world):
    event, _ = called(api, world)
    again = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/calls",
                                         {"department_ids": [world.police.pk], "request": "再呼叫", "working_days": 3})
    assert again.status_code == 409 and again.json()["fields"] == {"departments": "已呼叫且尚未办结：测试县公安局"}


def test_only_departments_can_be_called(api, world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/calls",
                                            {"department_ids": [world.office_a.pk], "request": "请处置", "working_days": 3})
    assert response.status_code == 400 and response.json()["code"] == "call.not_a_department"
    assert not Call.objects.exists()


def test_the_calls_export_over_the_api_is_the_pages(api, world, client):
    event, call = called(api, world)
    response = api.as_("liaison").get("/api/calls/export")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [(call["number"], event.case.number, "测试县公安局")]
    client.force_login(world.liaison)
    page = load_workbook(io.BytesIO(client.get(reverse("calls:home"), {"format": "xlsx"}).content)).active
    assert list(page.iter_rows(values_only=True))[0] == list(sheet.iter_rows(values_only=True))[0]
    assert load_workbook(io.BytesIO(api.as_("dispatcher_b").get("/api/calls/export").content)).active.max_row == 1  # not 乙镇's call


def test_the_steps_are_the_kits_at_their_documented_paths_and_operation_ids(api, world, client):
    _, call = called(api, world)
    path = f"/api/calls/{call['id']}"
    api.as_("liaison").post(f"{path}/acknowledge")
    api.post(f"{path}/report_back", {"result": "已取证"})
    confirmed = api.as_("dispatcher_a").post(f"{path}/confirm")
    assert confirmed.status_code == 200 and confirmed.json() == api.get(path).json()
    assert (confirmed.json()["state"], confirmed.json()["state_label"]) == ("confirmed", "已办结")
    assert api.post(f"{path}/confirm").status_code == 409
    client.force_login(world.leader_a)
    paths = client.get("/api/openapi.json").json()["paths"]
    operations = {step: paths[f"/api/calls/{{case_id}}/{step}"]["post"]["operationId"]
                  for step in ("acknowledge", "report_back", "confirm", "reject", "withdraw", "rate")}
    assert operations == {"acknowledge": "zhenjie_calls_api_acknowledge_call", "report_back": "zhenjie_calls_api_report_call",
                          "confirm": "zhenjie_calls_api_confirm_call", "reject": "zhenjie_calls_api_reject_call",
                          "withdraw": "zhenjie_calls_api_withdraw_call", "rate": "zhenjie_calls_api_rate_call"}
    assert paths["/api/calls"]["get"]["operationId"] == "zhenjie_calls_api_list_calls"
