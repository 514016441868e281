import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenjie.tasks.actions import acknowledge_task, assign_task
from zhenjie.testing import PASSWORD, make_task

pytestmark = pytest.mark.django_db


def token_for(client, username: str) -> str:
    response = client.post("/api/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api(client, world):
    class Api:
        def __init__(self):
            self.tokens = {}

        def as_(self, username):
            self.tokens.setdefault(username, token_for(client, username))
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}
            return self

        def get(self, path, **params):
            return client.get(path, params, **self.headers)

        def post(self, path, body=None):
            return client.post(path, body or {}, content_type="application/json", **self.headers)

    return Api()


def test_token_login_returns_a_token_and_its_expiry(client, world):
    body = client.post("/api/auth/token", {"username": "leader_a", "password": PASSWORD}, content_type="application/json").json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) > 30


def test_a_wrong_password_is_401_with_a_chinese_message(client, world):
    response = client.post("/api/auth/token", {"username": "leader_a", "password": "nope"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "auth.invalid", "message": "用户名或密码错误", "fields": {"password": "用户名或密码错误"}}


@pytest.mark.parametrize(
    "body, field",
    [({}, "username"), ({"username": "x"}, "password"), ({"username": 5, "password": []}, "password"), ({"username": "x" * 200, "password": "p"}, "username")],
)
def test_malformed_token_requests_are_400_naming_the_field(client, world, body, field):
    response = client.post("/api/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_a_body_that_is_not_json_is_400(client, world):
    response = client.post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["message"]


def test_without_a_token_every_endpoint_is_401(client, world):
    for path in ("/api/me", "/api/areas", "/api/units", "/api/inbox", "/api/tasks"):
        response = client.get(path)
        assert response.status_code == 401 and response.json()["code"] == "auth.required"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_a_revoked_token_stops_working(api):
    api.as_("leader_a")
    assert api.post("/api/auth/revoke").status_code == 204
    assert api.get("/api/me").status_code == 401


def test_me_lists_posts_roles_and_jurisdiction(api, world):
    body = api.as_("dispatcher_a").get("/api/me").json()
    post = body["posts"][0]
    assert post["unit"]["name"] == "甲镇社会治理综合指挥中心"
    assert post["roles"] == [{"code": "dispatcher", "label": "指挥中心调度员"}]
    assert post["jurisdiction"]["code"] == "990199101000"


def test_areas_and_units_are_scoped_to_the_jurisdiction(api, world):
    areas = api.as_("dispatcher_b").get("/api/areas").json()
    assert {a["name"] for a in areas["items"]} == {"乙镇", "乙一村", "乙一村第1网格"}
    assert api.get(f"/api/areas/{world.a.pk}").status_code == 404
    assert api.get(f"/api/areas/{world.b.pk}").json()["boundary"]["type"] == "Polygon"
    units = {u["name"] for u in api.get("/api/units", page_size=100).json()["items"]}
    assert "乙镇人民政府" in units and "测试县公安局" in units and "甲镇人民政府" not in units
    assert api.get(f"/api/units/{world.gov_a.pk}").status_code == 404


def test_the_inbox_over_the_api_matches_the_page(api, world):
    make_task(world, title="甲镇一号")
    body = api.as_("clerk_a").get("/api/inbox").json()
    assert body["counts"] == {"pending": 1, "due_soon": 0, "overdue": 0}
    assert body["items"][0]["case"]["title"] == "甲镇一号" and body["items"][0]["todo_label"] == "签收"
    assert api.as_("clerk_a").get("/api/inbox", due="later").status_code == 400
    assert api.as_("dispatcher_b").get("/api/inbox").json()["count"] == 0


def test_another_townships_task_is_404_by_api(api, world):
    task = make_task(world)
    api.as_("dispatcher_b")
    assert api.get(f"/api/tasks/{task.case_id}").status_code == 404
    response = api.post(f"/api/tasks/{task.case_id}/cancel", {"reason": "想撤销"})
    assert response.status_code == 404 and response.json()["message"] == "交办件不存在或不在您的辖区内"
    assert api.get("/api/tasks").json()["count"] == 0


def test_the_task_flow_over_the_api(api, world):
    created = api.as_("leader_a").post(
        "/api/tasks", {"title": "排查", "description": "排查燃气", "assignee_unit_id": world.office_a.pk, "working_days": 3}
    )
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert api.as_("clerk_a").post(f"/api/tasks/{case_id}/acknowledge").json()["state"] == "acknowledged"
    again = api.post(f"/api/tasks/{case_id}/acknowledge")
    assert again.status_code == 409 and "不能「签收」" in again.json()["message"]
    assert api.post(f"/api/tasks/{case_id}/report_back", {"result": ""}).status_code == 400
    assert api.post(f"/api/tasks/{case_id}/report_back", {"result": "已完成"}).json()["state"] == "reported"
    forbidden = api.post(f"/api/tasks/{case_id}/close")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "case.not_allowed"
    assert api.as_("leader_a").post(f"/api/tasks/{case_id}/close").json()["state_label"] == "已办结"
    verbs = [e["verb"] for e in api.get(f"/api/tasks/{case_id}/journal").json()]
    assert verbs == ["open", "acknowledge", "report_back", "close"]


def test_a_task_for_a_unit_outside_the_jurisdiction_is_refused(api, world):
    response = api.as_("leader_a").post(
        "/api/tasks", {"title": "越权", "description": "x", "assignee_unit_id": world.gov_b.pk, "working_days": 3}
    )
    assert response.status_code == 400 and response.json()["fields"] == {"assignee_unit_id": "所选承办单位不存在或不在您的辖区内"}


def test_deadline_preview_flags_an_unknown_year(api):
    body = api.as_("leader_a").get("/api/deadlines/preview", start="2026-12-28T10:00:00+08:00", amount=10).json()
    assert body["uncertain"] is True and body["due_at"].startswith("2027-01-11")


@pytest.mark.parametrize("path", ["/api/inbox", "/api/tasks", "/api/areas", "/api/units", "/api/notifications"])
def test_api_lists_run_the_same_number_of_queries_at_3_and_30_rows(api, world, path):
    api.as_("clerk_a")
    for index in range(3):
        acknowledge_task(world.clerk_a, make_task(world, title=f"t{index}"))
    with CaptureQueriesContext(connection) as small:
        assert api.get(path).status_code == 200
    for index in range(27):
        make_task(world, title=f"more{index}")
        assign_task(world.leader_b, title="乙", description="x", assignee_unit=world.gov_b, working_days=2)
    with CaptureQueriesContext(connection) as large:
        assert api.get(path).status_code == 200
    assert len(large) == len(small)
