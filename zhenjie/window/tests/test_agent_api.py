"""Every agent-point page action over the API (issue 15, agent points): a point set up and changed,
its items (remove, entrust), the papers ledger's hand-overs with their numbered slips, the
county's carry limit — the same actions as the pages, scoped the same: township B's people get
404 for A's point, the wrong role 403, bad input 400 with a Chinese message naming the field,
out of turn 409; nothing is written by a refusal."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenjie.areas.actions import create_area
from zhenjie.kernel.models import Document
from zhenjie.testing import Api, square
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.models import AgentPoint, AgentSetting, PaperTransfer, PointItem
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


@pytest.fixture
def api(client):
    return Api(client)


def put(api, path, body):
    return api.client.put(path, json.dumps(body), content_type="application/json", **api.headers)


# ---- per-point items --------------------------------------------------------------------------


def test_a_manager_sees_every_guide_item_and_the_agent_only_those_the_point_takes(ww, api):
    point = make_point(ww)
    items = api.as_("leader_a").get(f"/api/agent-points/{point.pk}/items").json()
    assert [(i["code"], i["takes"], i["own"]) for i in items] == [("ZW0001", False, False), ("ZW0002", False, False), ("BM001", True, False)]
    assert [i["code"] for i in api.as_("agent_a").get(f"/api/agent-points/{point.pk}/items").json()] == ["BM001"]


def test_the_township_entrusts_and_removes_items_and_the_agent_sees_the_change(ww, api):
    point = make_point(ww)
    entrusted = api.as_("leader_a").post(f"/api/agent-points/{point.pk}/items", {"code": "ZW0002", "takes": True})
    assert entrusted.status_code == 200, entrusted.content
    assert entrusted.json() | {"item_id": 0} == {"item_id": 0, "code": "ZW0002", "name": "高龄津贴申请", "takes": True, "own": True,
                                                   "guide_agent_point": False}  # fmt: skip
    removed = api.as_("window_a").post(f"/api/agent-points/{point.pk}/items", {"code": "BM001", "takes": False})
    assert removed.json()["takes"] is False and removed.json()["own"] is True
    assert [i["code"] for i in api.as_("agent_a").get(f"/api/agent-points/{point.pk}/items").json()] == ["ZW0002"]
    # Back to what the guide says: the point's own choice is dropped.
    back = api.as_("leader_a").post(f"/api/agent-points/{point.pk}/items", {"code": "BM001", "takes": True})
    assert back.json()["own"] is False
    assert set(PointItem.objects.values_list("code", "takes")) == {("ZW0002", True)}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "ZZ9999", "takes": True}, "code", "事项ZZ9999不在甲镇现行办事指南中"),
        ({"code": "", "takes": True}, "code", "请填写事项编码"),
        ({"code": "ZW0002", "takes": "也许"}, "takes", "须为 true 或 false"),
        ({"code": "ZW0002"}, "takes", "必填"),
        ({"code": "Z" * 65, "takes": True}, "code", "过长"),
        ({"code": ["ZW0002"], "takes": True}, "code", "须为文本"),
    ],
)
def test_bad_item_input_names_the_field_and_changes_nothing(ww, api, body, field, message):
    point = make_point(ww)
    answer = api.as_("leader_a").post(f"/api/agent-points/{point.pk}/items", body)
    assert answer.status_code == 400
    assert answer.json()["fields"] == {field: message}
    assert not PointItem.objects.exists()


def test_only_managers_of_the_township_change_items(ww, api):
    point = make_point(ww)
    body = {"code": "ZW0002", "takes": True}
    assert api.as_("agent_a").post(f"/api/agent-points/{point.pk}/items", body).status_code == 403
    for other in ("leader_b", "window_b"):
        answer = api.as_(other).post(f"/api/agent-points/{point.pk}/items", body)
        assert answer.status_code == 404 and answer.json()["message"] == "代办点不存在或不在您的辖区内"
        assert api.as_(other).get(f"/api/agent-points/{point.pk}/items").status_code == 404
    assert api.as_("leader_a").post("/api/agent-points/999999/items", body).status_code == 404
    assert api.as_("leader_a").post(f"/api/agent-points/{2**70}/items", body).status_code == 400
    assert api.as_("leader_a").post("/api/agent-points/x/items", body).status_code == 400
    assert not PointItem.objects.exists()


# ---- hand-overs and their slips ---------------------------------------------------------------


def test_the_agent_records_carrying_originals_and_downloads_the_numbered_slip(ww, api):
    point = make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    ledger = api.as_("agent_a").get(f"/api/agent-points/{point.pk}/ledger").json()
    line = ledger["held"][0]
    assert line["case_id"] == held.case_id

    answer = api.post(f"/api/agent-points/{point.pk}/transfers", {"application": line["application_id"], "direction": "to_centre",
                                                                  "received_by": "窗口张三", "note": "原件2份"})  # fmt: skip
    assert answer.status_code == 201, answer.content
    transfer = answer.json()
    assert transfer["direction_label"] == "原件送交中心" and transfer["received_by"] == "窗口张三" and transfer["recorded_by"] == "agent_a"
    assert transfer["number"] == held.case.number and transfer["slip"]["number"].startswith("甲一代交〔")
    pdf = api.get(transfer["slip"]["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert api.get(f"/api/agent-points/{point.pk}/ledger").json()["held"] == []

    listed = api.as_("window_a").get(f"/api/agent-points/{point.pk}/transfers").json()
    assert listed["count"] == 1 and listed["items"][0]["slip"]["id"] == transfer["slip"]["id"]


def test_recording_twice_or_out_of_turn_is_a_conflict_and_takes_no_number(ww, api):
    point = make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    body = {"application": held.pk, "direction": "to_centre", "received_by": "窗口张三"}
    assert api.as_("agent_a").post(f"/api/agent-points/{point.pk}/transfers", body).status_code == 201
    again = api.post(f"/api/agent-points/{point.pk}/transfers", body)
    assert again.status_code == 409 and again.json()["message"] == "该办件已登记过“原件送交中心”，请勿重复登记"
    early = api.post(f"/api/agent-points/{point.pk}/transfers", body | {"direction": "to_point"})
    assert early.status_code == 409 and early.json()["code"] == "agent_point.not_decided"
    assert PaperTransfer.objects.count() == 1 and Document.objects.filter(kind="paper_transfer_slip").count() == 1


def test_the_result_goes_back_to_the_point_recorded_by_the_centres_clerk(ww, api):
    point = make_point(ww)
    decided = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    answer = api.as_("window_a").post(f"/api/agent-points/{point.pk}/transfers",
                                      {"application": decided.pk, "direction": "to_point", "received_by": "代办员李四"})  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["slip"]["number"].startswith("甲镇代交〔")
    assert [line["case_id"] for line in api.as_("agent_a").get(f"/api/agent-points/{point.pk}/ledger").json()["waiting"]] == [decided.case_id]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"direction": "sideways"}, 400, "direction"),
        ({"received_by": ""}, 400, "received_by"),
        ({"received_by": "签" * 33}, 400, "received_by"),
        ({"note": "注" * 201}, 400, "note"),
        ({"application": "甲一村"}, 400, "application"),
        ({"application": 0}, 400, "application"),
        ({"application": 999999}, 400, "application"),
    ],
)
def test_bad_transfer_input_names_the_field_and_writes_nothing(ww, api, change, status, field):
    point = make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    answer = api.as_("agent_a").post(f"/api/agent-points/{point.pk}/transfers",
                                     {"application": held.pk, "direction": "to_centre", "received_by": "窗口张三"} | change)  # fmt: skip
    assert answer.status_code == status and field in answer.json()["fields"], answer.content
    assert not PaperTransfer.objects.exists() and not Document.objects.filter(kind="paper_transfer_slip").exists()


def test_township_b_neither_sees_nor_records_nor_prints_a_points_transfers(ww, api):
    point = make_point(ww)
    held = make_application(ww, "BM001", at_point=ww.world.committee_a)
    body = {"application": held.pk, "direction": "to_centre", "received_by": "窗口张三"}
    slip = api.as_("agent_a").post(f"/api/agent-points/{point.pk}/transfers", body).json()["slip"]
    for other in ("leader_b", "window_b"):
        api.as_(other)
        assert api.get(f"/api/agent-points/{point.pk}/transfers").status_code == 404
        assert api.post(f"/api/agent-points/{point.pk}/transfers", body | {"direction": "to_point"}).status_code == 404
        assert api.get(slip["pdf_url"]).status_code == 404
    # B's own point with A's application in the body: not in that point's ledger.
    committee_b = create_unit(None, name="乙一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=ww.world.village_b)
    point_b = AgentPoint.objects.create(township=ww.world.b, unit=committee_b, name="乙一村代办点", created_by=ww.world.leader_b)
    answer = api.as_("leader_b").post(f"/api/agent-points/{point_b.pk}/transfers", body | {"direction": "to_point"})
    assert answer.status_code == 400 and answer.json()["message"] == "办件不存在或不在您的辖区内"
    assert PaperTransfer.objects.count() == 1


def test_the_transfer_list_runs_the_same_queries_for_one_line_and_several(ww, api):
    point = make_point(ww)
    api.as_("window_a")

    def record(count):
        for _ in range(count):
            application = make_application(ww, "BM001", at_point=ww.world.committee_a)
            assert api.post(f"/api/agent-points/{point.pk}/transfers",
                            {"application": application.pk, "direction": "to_centre", "received_by": "窗口张三"}).status_code == 201

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/agent-points/{point.pk}/transfers").status_code == 200
        return len(queries)

    record(1)
    one = counted()
    record(4)
    assert counted() == one


# ---- setting up and changing a point ----------------------------------------------------------


def point_body(ww, **over):
    return {"unit": ww.world.committee_a.pk, "name": "甲一村代办点", "villages": [ww.world.village_a.pk], "phone": "0317-1234567",
            "address": "甲一村村委会", "hours": "周一至周五 8:30-17:30"} | over  # fmt: skip


def test_a_township_leader_sets_up_and_changes_a_point_over_the_api(ww, api):
    created = api.as_("leader_a").post("/api/agent-points", point_body(ww))
    assert created.status_code == 201, created.content
    point = created.json()
    assert point["unit"]["name"] == "甲一村村民委员会" and [v["name"] for v in point["villages"]] == ["甲一村"]
    village_2, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=ww.world.a, village_kind="village",
                               boundary=square(116.12, 35.12, 0.05))  # fmt: skip
    body = {k: v for k, v in point_body(ww, name="甲一村便民代办点", villages=[ww.world.village_a.pk, village_2.pk]).items() if k != "unit"}
    changed = put(api, f"/api/agent-points/{point['id']}", body | {"is_active": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "甲一村便民代办点" and changed.json()["is_active"] is False and len(changed.json()["villages"]) == 2


@pytest.mark.parametrize(
    ("who", "over", "status", "field"),
    [
        ("agent_a", {}, 403, None),
        ("window_b", {}, 400, "unit"),  # B's clerk manages B's points: A's committee is no unit of theirs
        ("leader_a", {"unit": 999999}, 400, "unit"),
        ("leader_a", {"villages": [999999]}, 400, "villages"),
        ("leader_a", {"villages": []}, 400, "villages"),
        ("leader_a", {"name": "村" * 65}, 400, "name"),
        ("leader_a", {"phone": ""}, 400, "phone"),
        ("leader_a", {"villages": "甲一村"}, 400, "villages"),
    ],
)
def test_setting_up_a_point_refused_names_the_field_and_writes_nothing(ww, api, who, over, status, field):
    answer = api.as_(who).post("/api/agent-points", point_body(ww, **over))
    assert answer.status_code == status, answer.content
    if field:
        assert field in answer.json()["fields"]
    assert not AgentPoint.objects.exists()


def test_a_village_of_township_b_is_refused_by_name_of_the_township(ww, api):
    answer = api.as_("leader_a").post("/api/agent-points", point_body(ww, villages=[ww.world.village_a.pk, ww.world.village_b.pk]))
    assert answer.status_code == 400 and answer.json()["fields"] == {"villages": "服务村(社区)须为甲镇所辖的村(社区)"}


def test_township_b_cannot_change_a_point_of_a(ww, api):
    point = make_point(ww)
    body = {k: v for k, v in point_body(ww, name="改名").items() if k != "unit"}
    assert put(api.as_("leader_b"), f"/api/agent-points/{point.pk}", body).status_code == 404
    assert put(api.as_("agent_a"), f"/api/agent-points/{point.pk}", body).status_code == 403
    assert AgentPoint.objects.get().name == "甲一村代办点"


# ---- the county's carry limit -----------------------------------------------------------------


def test_the_county_administrator_sets_the_carry_limit_and_no_one_else(ww, api):
    assert api.as_("county_admin").get("/api/agent-points/settings").json()["carry_days"] == 3
    answer = put(api, "/api/agent-points/settings", {"carry_days": 5})
    assert answer.status_code == 200 and answer.json() == {"county": answer.json()["county"], "carry_days": 5}
    assert put(api, "/api/agent-points/settings", {"carry_days": 0}).status_code == 400
    assert put(api, "/api/agent-points/settings", {"carry_days": "五"}).json()["fields"] == {"carry_days": "须为整数"}
    for other in ("leader_a", "agent_a", "window_b"):
        refused = put(api.as_(other), "/api/agent-points/settings", {"carry_days": 9})
        assert refused.status_code == 403 and refused.json()["message"] == "只有县级管理员可以修改代办点设置"
    assert AgentSetting.objects.get().carry_days == 5


def test_a_village_id_past_64_bits_is_bad_input_not_a_database_error(ww, api):
    answer = api.as_("leader_a").post("/api/agent-points", point_body(ww, villages=[2**70]))
    assert answer.status_code == 400 and answer.json()["fields"] == {"villages.0": "数值过大"}
