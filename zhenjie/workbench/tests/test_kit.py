"""The page and API kit (kernel/PAGES.md) as a kind meets it: one step endpoint for any step a
kind declares and no documented endpoint of its own covers, the documented ones still listed, one
export of a kind's list with the page's columns and scoping, and text that stays text."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.events.tests.test_supervision_events import dispatched
from zhenjie.kernel.models import Case
from zhenjie.tasks import actions
from zhenjie.testing import api, make_task  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def test_the_step_endpoint_takes_a_declared_step_no_endpoint_of_its_own_documents(api, world):
    event = dispatched(world)
    url = f"/api/events/{event.case_id}/notice"
    refused = api.as_("dispatcher_a").post(url, {"level": "red", "text": "请今日反馈"})
    assert refused.status_code == 403 and Case.objects.get(pk=event.case_id).alert == ""
    assert api.as_("leader_b").post(url, {"level": "red", "text": "越界"}).status_code == 404
    invalid = api.as_("leader_a").post(url, {"level": "purple", "text": 7})
    assert invalid.status_code == 400 and set(invalid.json()["fields"]) <= {"level", "text"}
    done = api.post(url, {"level": "red", "text": "请今日下班前反馈进展"})
    assert done.status_code == 200 and done.json()["id"] == event.case_id
    assert Case.objects.get(pk=event.case_id).alert == "red"


def test_unknown_kinds_and_steps_are_404_and_page_only_steps_are_not_offered(api, world):
    event = dispatched(world)
    api.as_("leader_a")
    assert api.post(f"/api/nothing/{event.case_id}/close").status_code == 404
    assert api.post(f"/api/events/{event.case_id}/fly").status_code == 404
    assert api.post(f"/api/events/{event.case_id}/extension", {"amount": 1}).status_code == 404  # its own endpoint


def test_the_documented_step_endpoints_are_still_listed(client, world):
    client.force_login(world.leader_a)  # the schema is for logged-in staff
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/tasks/{case_id}/return" in paths and "/api/events/{case_id}/dispatch" in paths
    assert paths["/api/tasks/{case_id}/report_back"]["post"]["operationId"] == "zhenjie_tasks_api_report_back"
    assert "/api/{kind}/{case_id}/{step}" in paths and "/api/{kind}/export" in paths


def test_the_export_over_the_api_has_the_pages_columns_and_the_users_rows(api, client, world):
    make_task(world, title="=HYPERLINK(\"http://x\")")
    response = api.as_("leader_a").get("/api/tasks/export")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["编号", "标题"]
    assert sheet["B2"].value == "=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"  # text, never a formula
    client.force_login(world.leader_a)
    page = load_workbook(io.BytesIO(client.get(reverse("tasks:list"), {"format": "xlsx"}).content)).active
    assert [cell.value for cell in page[1]] == [cell.value for cell in sheet[1]]
    assert load_workbook(io.BytesIO(api.as_("leader_b").get("/api/tasks/export").content)).active.max_row == 1
    assert api.get("/api/nothing/export").status_code == 404


@pytest.mark.parametrize("kind, operation", [("tasks", "zhenjie_tasks_api_list_tasks"), ("calls", "zhenjie_calls_api_list_calls")])
def test_the_lists_filter_by_the_workflows_states_and_a_state_it_lacks_is_400_naming_it(api, client, world, kind, operation):
    make_task(world)
    api.as_("leader_a")
    assert api.get(f"/api/{kind}", state="reported").json()["count"] == 0
    refused = api.get(f"/api/{kind}", state="lost")
    assert refused.status_code == 400
    assert refused.json() == {"code": "invalid", "message": "输入有误（state：取值不在允许范围内）", "fields": {"state": "取值不在允许范围内"}}
    client.force_login(world.leader_a)
    get = client.get("/api/openapi.json").json()["paths"][f"/api/{kind}"]["get"]
    assert get["operationId"] == operation and [p["name"] for p in get["parameters"]] == ["page", "page_size", "cursor", "state"]


def test_the_tasks_list_gives_a_page_of_the_users_rows_in_the_state_asked(api, world):
    waiting, answered = make_task(world, title="待签收的"), make_task(world, title="已反馈的")
    actions.acknowledge_task(world.clerk_a, answered)
    actions.report_task(world.clerk_a, answered, "完成")
    listed = api.as_("leader_a").get("/api/tasks", state="reported", page_size=1).json()
    assert (listed["count"], [t["id"] for t in listed["items"]], listed["page_size"]) == (1, [answered.case_id], 1)
    assert api.get("/api/tasks").json()["count"] == 2 and waiting.case_id in [t["id"] for t in api.get("/api/tasks").json()["items"]]
    assert api.as_("leader_b").get("/api/tasks").json()["count"] == 0


def test_a_kinds_api_list_pages_on_by_cursor_too(api, world):
    """Every kind's list (api.kit.list_alias) answers next_cursor, as the events list does."""
    made = [make_task(world, title=f"排查河道{n}").case_id for n in range(5)]
    api.as_("leader_a")
    first = api.get("/api/tasks", page_size=2).json()
    second = api.get("/api/tasks", page_size=2, cursor=first["next_cursor"]).json()
    third = api.get("/api/tasks", page_size=2, cursor=second["next_cursor"]).json()
    walked = [t["id"] for answer in (first, second, third) for t in answer["items"]]
    assert walked == sorted(made, reverse=True) and third["next_cursor"] is None
    assert api.as_("leader_b").get("/api/tasks", cursor=first["next_cursor"]).json()["items"] == []  # a cursor opens nothing
