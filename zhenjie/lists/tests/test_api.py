"""The lists' API: published lists for anyone, scoped reads for staff, edits for county administrators."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenjie.accounts.models import ApiToken
from zhenjie.kernel.models import JournalEntry
from zhenjie.lists import actions
from zhenjie.lists.models import ListKind, ListVersion

from .builders import county_power_list, duty_row, power_row, published_list, service_row, township_power_list

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _, token = ApiToken.issue(user, timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def lists(world):
    world.power_a = township_power_list(world, world.a)
    world.power_b = township_power_list(world, world.b)
    world.services_a = published_list(world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a, rows=[service_row("S0001", "最低生活保障申请")])
    world.duties = published_list(
        world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county,
        rows=[duty_row("SD001", "治安隐患排查整治", world.police, "public_security")],
    )
    return world


def test_published_lists_are_read_without_login(client, lists):
    townships = client.get("/api/public/lists/townships").json()
    assert [t["name"] for t in townships] == ["甲镇", "乙镇"]
    found = client.get(f"/api/public/lists/townships/{lists.a.code}/lists").json()
    assert {entry["name"] for entry in found} == {"甲镇权责清单", "甲镇政务服务事项清单", "测试县属地管理事项清单"}
    version_id = next(e for e in found if e["kind"] == "service")["current_version"]["id"]
    page = client.get(f"/api/public/lists/versions/{version_id}/items?q=dbsq").json()  # 低保 → 最低生活保障: zdshbz
    assert page["count"] == 0
    page = client.get(f"/api/public/lists/versions/{version_id}/items?q=zdsh").json()
    assert [i["code"] for i in page["items"]] == ["S0001"]
    guide = client.get(f"/api/public/lists/versions/{version_id}/items/S0001").json()
    assert guide["values"]["materials"][1] == {"name": "户口簿", "form": "copy", "copies": 2, "requirement": "deferrable", "note": "户主页和本人页"}
    assert guide["values"]["steps"] == ["1.受理", "2.审核", "3.办结"] and guide["values"]["online"] is True


def test_drafts_are_not_public(client, lists):
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    response = client.get(f"/api/public/lists/versions/{draft.pk}/items")
    assert response.status_code == 404 and response.json()["code"] == "list.version_not_found"
    assert client.get("/api/public/lists/townships/123/lists").status_code == 400
    assert client.get("/api/public/lists/townships/990199999000/lists").status_code == 404


def test_staff_reads_are_scoped_to_their_township(client, lists):
    headers = bearer(lists.leader_b)
    names = {entry["name"] for entry in client.get("/api/lists", **headers).json()["items"]}
    assert names == {"乙镇权责清单", "测试县属地管理事项清单"}
    assert client.get(f"/api/lists/versions/{lists.power_a.pk}/items", **headers).status_code == 404
    assert client.get(f"/api/lists/{lists.power_a.series_id}/versions", **headers).status_code == 404
    assert client.get("/api/lists", **bearer(lists.leader_a)).json()["count"] == 3
    assert client.get("/api/lists").status_code == 401


def test_a_county_administrator_edits_a_draft_and_publishes_through_the_api(client, lists):
    headers = bearer(lists.county_admin)
    draft = client.post(f"/api/lists/{lists.power_a.series_id}/draft", **headers)
    assert draft.status_code == 201
    draft_id = draft.json()["id"]
    row = power_row("JC001", "对农村村民建房的行政检查", lists.gov_a, power_type="inspection", level="township")
    created = client.post(f"/api/lists/versions/{draft_id}/items", {"values": row}, content_type="application/json", **headers)
    assert created.status_code == 201 and created.json()["values"]["power_type"] == "inspection"
    changed = client.put(
        f"/api/lists/versions/{draft_id}/items/CF001", {"values": {**power_row("CF001", "改名后的事项", lists.gov_a), "level": "township"}},
        content_type="application/json", **headers,
    )
    assert changed.status_code == 200 and changed.json()["name"] == "改名后的事项"
    assert client.delete(f"/api/lists/versions/{draft_id}/items/CF002", **headers).status_code == 204
    published = client.post(f"/api/lists/versions/{draft_id}/publish", {"effective_from": "2026-09-01", "note": "接口发布"}, content_type="application/json", **headers)
    assert published.status_code == 200 and published.json()["state"] == "published" and published.json()["published_by"] == "county_admin"
    diff = client.get(f"/api/lists/diff?base={lists.power_a.pk}&other={draft_id}", **headers).json()
    assert [a["code"] for a in diff["added"]] == ["JC001"] and [r["code"] for r in diff["removed"]] == ["CF002"]
    assert diff["changed"] == [{"code": "CF001", "name": "改名后的事项", "fields": [{"field": "name", "label": "事项名称", "before": "对违法建设行为的行政处罚1", "after": "改名后的事项"}]}]
    assert JournalEntry.objects.filter(verb="list.publish", actor=lists.county_admin).count() == 5


def test_bad_items_get_a_400_naming_each_field_and_change_nothing(client, lists):
    headers = bearer(lists.county_admin)
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    bad = {"code": "含 空格", "name": "x" * 201, "power_type": 7, "implementing_unit": {"id": 1}, "level": "乡镇", "legal_basis": ["a"]}
    response = client.post(f"/api/lists/versions/{draft.pk}/items", {"values": bad}, content_type="application/json", **headers)
    body = response.json()
    assert response.status_code == 400 and body["code"] == "list.item_invalid"
    assert set(body["fields"]) == {"code", "name", "power_type", "implementing_unit", "legal_basis", "responsibilities", "accountability"}
    assert body["fields"]["name"] == "不能超过200字(现有201字)" and body["fields"]["responsibilities"] == "必填"
    assert client.post(f"/api/lists/versions/{draft.pk}/items", {"values": "text"}, content_type="application/json", **headers).status_code == 400
    published = client.post(f"/api/lists/versions/{lists.power_a.pk}/items", {"values": power_row("X1", "x", lists.gov_a)}, content_type="application/json", **headers)
    assert published.status_code == 409 and published.json()["code"] == "list.not_draft"
    assert ListVersion.objects.get(pk=draft.pk).state == "draft"


def test_township_staff_may_not_edit_through_the_api(client, lists):
    headers = bearer(lists.leader_a)
    response = client.post(f"/api/lists/{lists.power_a.series_id}/draft", **headers)
    assert response.status_code == 403 and response.json()["message"] == "只有县级管理员(编办)可以修改和发布清单"
    created = client.post("/api/lists", {"kind": "power", "name": "x", "area_id": lists.b.pk}, content_type="application/json", **headers)
    assert created.status_code == 404 and created.json()["fields"] == {"area_id": "适用区划不存在或不在您的辖区内"}


def test_may_exercise_and_routes_are_answered_by_the_api(client, lists):
    county_power_list(lists)
    headers = bearer(lists.dispatcher_a)
    answer = client.get(f"/api/lists/exercise?unit_id={lists.police.pk}&power_code=GA-JC-002&on=2026-03-01", **headers).json()
    assert answer["allowed"] is True and answer["source"] == "department"
    route = client.get(f"/api/lists/route?category=public_security&area_id={lists.village_a.pk}", **headers).json()
    assert route["found"] and route["lead_department"]["name"] == "测试县公安局" and route["lead_in_township"]["name"] == "甲镇派出所"
    assert client.get(f"/api/lists/route?category=noise&area_id={lists.village_a.pk}", **headers).json() == {
        "found": False, "item_code": None, "matter": None, "domain": None, "lead_department": None, "lead_in_township": None, "township_duty": None,
    }
    assert client.get(f"/api/lists/route?category=public_security&area_id={lists.village_b.pk}", **headers).status_code == 404
    assert client.get(f"/api/lists/exercise?unit_id={lists.police.pk}&power_code=GA&on=not-a-date", **headers).status_code == 400


def test_api_lists_run_the_same_number_of_queries_at_3_and_30_lists(client, world):
    headers = bearer(world.county_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/lists?page_size=100", **headers).status_code == 200
        return len(queries)

    for index in range(3):
        published_list(world.county_admin, kind=ListKind.POWER, name=f"甲镇权责清单{index}", area=world.a, rows=[power_row("CF1", "事项", world.gov_a)], effective_from=date(2026, 1, 1))
    small = count()
    for index in range(27):
        published_list(world.county_admin, kind=ListKind.POWER, name=f"乙镇权责清单{index}", area=world.b, rows=[power_row("CF1", "事项", world.gov_b)], effective_from=date(2026, 1, 1))
    assert count() == small
