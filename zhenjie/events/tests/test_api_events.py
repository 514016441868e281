"""The events API as the grid worker's phone and the command centre use it: report with photos
and position, every step of the closed loop, and scoping by township."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.models import Attachment, Case
from zhenjie.testing import api, make_event, make_user, png  # noqa: F401  (api: a fixture)


pytestmark = pytest.mark.django_db


def photo(name="现场.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png(), content_type="image/png")


def report(api, **changes):
    data = {"category": "sanitation", "description": "河边垃圾堆积", "lng": "116.02", "lat": "35.02", **changes}
    return api.as_("grid_worker_a").post_form("/api/events", data)


def state_of(case_id) -> str:
    return Case.objects.get(pk=case_id).state


def registered(world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    return event


# ---- reporting ------------------------------------------------------------------------------


def test_a_grid_worker_reports_with_photos_and_position_and_the_dispatcher_sees_it(api, world, client):
    response = report(api, photos=[photo("一.png"), photo("二.png", png("red"))])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["state_label"], body["channel"]) == ("reported", "待受理", "grid")
    assert body["area"]["name"] == "甲一村第1网格" and body["number"].startswith("甲镇事〔")
    assert [p["name"] for p in body["photos"]] == ["一.png", "二.png"]
    assert [t["verb"] for t in body["timeline"]] == ["open"]
    assert [a.todo for a in inbox_for(world.dispatcher_a)] == ["register"]

    listed = api.as_("dispatcher_a").get("/api/events").json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    downloaded = api.get(body["photos"][1]["url"])
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == "image/png"
    assert b"".join(downloaded.streaming_content) == png("red")

    api.as_("dispatcher_b")
    assert api.get("/api/events").json()["count"] == 0
    assert api.get(f"/api/events/{body['id']}").status_code == 404
    assert api.get(body["photos"][1]["url"]).status_code == 404
    assert client.get(body["photos"][1]["url"]).status_code == 401


@pytest.mark.parametrize(
    "changes, status, field",
    [
        ({"category": ""}, 400, "category"),
        ({"category": "no_such_category"}, 400, "category"),
        ({"description": "长" * 4001}, 400, "description"),
        ({"lng": "116.3"}, 400, "lng"),  # township B's land
        ({"lng": "东经116度"}, 400, "lng"),
        ({"lat": "95"}, 400, "lat"),
        ({"lng": "", "lat": ""}, 400, "lng"),  # a grid worker's report needs a position
        ({"photos": [photo("x.png", b"GIF89 not really a picture")]}, 400, "photos"),
        ({"photos": [photo(f"{n}.png") for n in range(10)]}, 400, "photos"),
        ({"channel": "hotline"}, 400, "channel"),
        ({"area_id": "99999999"}, 400, "area_id"),
    ],
)
def test_bad_reports_are_400_naming_the_field_and_save_nothing(api, world, changes, status, field):
    response = report(api, **changes)
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body["fields"] and body["message"]
    assert not Event.objects.exists() and not Attachment.objects.exists()


def test_the_answer_to_a_report_is_the_detail_read_back_and_costs_no_read_of_it(api, world):
    """The create answers from what its intake wrote (kernel/opened.py): photos, parties, the
    timeline, the actions and the work are what a GET of the same event then shows."""
    with CaptureQueriesContext(connection) as written:
        response = report(api, photos=[photo("一.png"), photo("二.png", png("red"))])
    assert response.status_code == 201, response.content
    assert not [q["sql"] for q in written.captured_queries if "kernel_journalentry" in q["sql"] and q["sql"].startswith("SELECT")]
    assert response.json() == api.get(f"/api/events/{response.json()['id']}").json()

    walk_in = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "夜间施工噪声", "channel": "walk_in", "area_id": world.village_a.pk,
        "reporter_name": "李老汉", "reporter_phone": "13800001234", "agent_name": "李小明", "agent_phone": "13900001111",
    })
    assert walk_in.status_code == 201, walk_in.content
    body = walk_in.json()
    assert [p["role"] for p in body["parties"]] == ["reporter", "agent"] and [t["verb"] for t in body["timeline"]] == ["open", "party_link", "party_link"]
    assert body == api.get(f"/api/events/{body['id']}").json()


def test_a_photo_over_the_size_limit_is_refused_with_its_size(api, world, settings):
    settings.ATTACHMENT_MAX_BYTES = {"photo": 1024}
    response = report(api, photos=[photo("大.png", png() + b"\0" * 2048)])
    assert response.status_code == 400 and response.json()["fields"]["photos"].startswith("照片过大")


def test_a_walk_in_report_names_the_village_instead_of_a_position(api, world):
    response = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "夜间施工噪声", "channel": "walk_in", "area_id": world.village_a.pk,
        "reporter_name": "张三", "reporter_phone": "13800001234",
    })
    assert response.status_code == 201, response.content
    assert response.json()["area"]["name"] == "甲一村" and response.json()["reporter_name"] == "张三"
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["own"]


def test_another_townships_village_cannot_be_named(api, world):
    response = api.as_("clerk_a").post_form("/api/events", {
        "category": "noise", "description": "噪声", "channel": "walk_in", "area_id": world.village_b.pk,
    })
    assert response.status_code == 400 and response.json()["fields"] == {"area_id": "所选区划不存在或不在您的辖区内"}


def test_categories_are_listed_for_the_phone(api, world):
    body = api.as_("grid_worker_a").get("/api/event-categories").json()
    assert {"code": "sanitation", "name": "环境卫生"}.items() <= body[0].items()
    assert all(item["urgency_label"] for item in body)


# ---- the closed loop ------------------------------------------------------------------------


def test_the_closed_loop_over_the_api_with_one_failed_verification(api, world):
    case_id = report(api).json()["id"]
    assert api.as_("dispatcher_a").post(f"/api/events/{case_id}/register").json()["state"] == "registered"
    dispatched = api.post(f"/api/events/{case_id}/dispatch", {"unit_id": world.office_a.pk, "reason": "清单未列明，由社会治理办处置"})
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["handling_unit"]["name"] == "甲镇社会治理办公室" and dispatched.json()["due_at"]
    api.as_("clerk_a")
    assert api.post(f"/api/events/{case_id}/acknowledge").json()["state"] == "acknowledged"
    assert api.post(f"/api/events/{case_id}/start").json()["state"] == "handling"
    handled = api.post_form(f"/api/events/{case_id}/report_back", {"result": "已清运", "photos": [photo("处置后.png")]})
    assert handled.status_code == 200 and handled.json()["state"] == "reported_back"
    api.as_("grid_worker_a")
    assert [a["name"] for a in api.get(f"/api/events/{case_id}").json()["actions"]] == ["verify_pass", "verify_fail"]
    failed = api.post(f"/api/events/{case_id}/verify", {"passed": False, "note": "仍有残留垃圾"})
    assert failed.json()["state"] == "handling"
    api.as_("clerk_a").post_form(f"/api/events/{case_id}/report_back", {"result": "已彻底清理"})
    assert api.as_("grid_worker_a").post(f"/api/events/{case_id}/verify", {"passed": True}).json()["state"] == "verified"
    assert api.as_("dispatcher_a").post(f"/api/events/{case_id}/close").json()["state_label"] == "已办结"
    rated = api.as_("grid_worker_a").post(f"/api/events/{case_id}/rate", {"rating": 5, "comment": "处理及时"})
    assert rated.json()["rating"] == 5

    detail = api.get(f"/api/events/{case_id}").json()
    assert [t["verb"] for t in detail["timeline"]] == [
        "open", "register", "dispatch", "acknowledge", "start", "report_back", "verify_fail", "rework", "report_back", "verify_pass", "close", "rate"]
    assert all(t["actor_name"] and t["created_at"] for t in detail["timeline"])
    assert detail["result"] == "已彻底清理" and [p["name"] for p in detail["photos"]] == ["处置后.png"]


def test_reject_merge_pause_resume_return_and_reassign(api, world):
    first, second, third = registered(world), make_event(world, lng=116.011, lat=35.011), make_event(world)
    api.as_("dispatcher_a")
    rejected = api.post(f"/api/events/{third.case_id}/reject", {"reason": "不属于政府职责，已告知当事人"})
    assert rejected.json()["state"] == "rejected"
    assert api.get(f"/api/events/{third.case_id}").json()["rejection_reason"] == "不属于政府职责，已告知当事人"
    merged = api.post(f"/api/events/{second.case_id}/merge", {"into_id": first.case_id})
    assert merged.json()["state"] == "merged" and api.get(f"/api/events/{second.case_id}").json()["duplicate_of"] == first.case_id

    api.post(f"/api/events/{first.case_id}/dispatch", {"unit_id": world.office_a.pk, "reason": "x"})
    returned = api.as_("clerk_a").post(f"/api/events/{first.case_id}/return", {"reason": "不属于本办职责"})
    assert returned.json()["state"] == "registered"
    api.as_("dispatcher_a").post(f"/api/events/{first.case_id}/dispatch", {"unit_id": world.office_a.pk, "reason": "x"})
    reassigned = api.post(f"/api/events/{first.case_id}/reassign", {"unit_id": world.police_station_a.pk, "reason": "涉及治安"})
    assert reassigned.json()["handling_unit"]["name"] == "甲镇派出所"
    station = make_user("station_a", world.police_station_a, ["enforcement_officer"], world.a)
    api.as_(station.username).post(f"/api/events/{first.case_id}/acknowledge")
    api.post(f"/api/events/{first.case_id}/start")
    assert api.post(f"/api/events/{first.case_id}/pause", {"reason": "等待供电公司断电"}).json()["state"] == "paused"
    assert api.post(f"/api/events/{first.case_id}/resume").json()["state"] == "handling"


def test_an_extension_is_requested_by_the_handler_and_decided_by_the_leader(api, world):
    event = registered(world)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="x")
    actions.acknowledge_event(world.clerk_a, event)
    before = Case.objects.get(pk=event.case_id).due_at
    asked = api.as_("clerk_a").post(f"/api/events/{event.case_id}/extensions", {"amount": 3, "reason": "需等待检测报告"})
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    again = api.post(f"/api/events/{event.case_id}/extensions", {"amount": 2, "reason": "再申请"})
    assert again.status_code == 409
    decide = f"/api/events/{event.case_id}/extensions/{asked.json()['id']}/decide"
    assert api.as_("dispatcher_a").post(decide, {"approve": True}).status_code == 403
    assert api.as_("dispatcher_b").post(decide, {"approve": True}).status_code == 404
    decided = api.as_("leader_a").post(decide, {"approve": True, "note": "同意"})
    assert decided.json()["state_label"] == "已批准"
    assert Case.objects.get(pk=event.case_id).due_at > before
    assert api.get(f"/api/events/{event.case_id}").json()["extensions"][0]["state"] == "approved"
    assert api.post(decide, {"approve": False}).status_code == 409


# ---- bad input and scoping on every step --------------------------------------------------

STEPS = [
    ("register", None), ("reject", {"reason": "x"}), ("merge", {"into_id": 1}), ("dispatch", {}),
    ("reassign", {"unit_id": 1, "reason": "x"}), ("acknowledge", None), ("return", {"reason": "x"}), ("start", None),
    ("pause", {"reason": "x"}), ("resume", None), ("verify", {"passed": True}), ("close", None),
    ("rate", {"rating": 5}), ("extensions", {"amount": 1, "reason": "x"}), ("calls", {"department_ids": [1], "request": "x", "working_days": 1}),
]


def test_township_b_gets_404_for_every_step_on_township_as_event_and_nothing_changes(api, world):
    event = make_event(world)
    api.as_("dispatcher_b")
    for step, body in STEPS:
        response = api.post(f"/api/events/{event.case_id}/{step}", body)
        assert response.status_code == 404, (step, response.content)
        assert response.json()["message"] == "事件不存在或不在您的辖区内"
    assert api.post_form(f"/api/events/{event.case_id}/report_back", {"result": "x"}).status_code == 404
    assert state_of(event.case_id) == "reported"


def test_steps_out_of_turn_are_409_and_change_nothing(api, world):
    event = make_event(world)
    api.as_("dispatcher_a")
    for step, body in [("close", None), ("dispatch", {"unit_id": world.office_a.pk, "reason": "x"}), ("resume", None)]:
        response = api.post(f"/api/events/{event.case_id}/{step}", body)
        assert response.status_code == 409 and "当前为「待受理」" in response.json()["message"], step
    assert api.post(f"/api/events/{event.case_id}/register").status_code == 200
    second = api.post(f"/api/events/{event.case_id}/register")
    assert second.status_code == 409 and second.json()["code"] == "case.wrong_state"
    assert state_of(event.case_id) == "registered"


@pytest.mark.parametrize(
    "step, body, field",
    [
        ("dispatch", {"unit_id": "first"}, "unit_id"),
        ("dispatch", {"unit_id": 0}, "unit_id"),
        ("dispatch", {"unit_id": 2**63}, "unit_id"),
        ("dispatch", {"unit_id": 99999999, "reason": "x"}, "unit_id"),
        ("reject", {}, "reason"),
        ("reject", {"reason": "长" * 2001}, "reason"),
        ("merge", {"into_id": "x"}, "into_id"),
        ("verify", {"passed": "maybe"}, "passed"),
        ("rate", {"rating": 6}, "rating"),
        ("extensions", {"amount": 31, "reason": "x"}, "amount"),
        ("calls", {"department_ids": [], "request": "x", "working_days": 1}, "department_ids"),
        ("calls", {"department_ids": [1, 2, 3, 4, 5, 6, 7], "request": "x", "working_days": 1}, "department_ids"),
        ("calls", {"department_ids": [99999999], "request": "x", "working_days": 1}, "department_ids"),
        ("calls", {"department_ids": [1], "request": "x", "working_days": 61}, "working_days"),
    ],
)
def test_malformed_steps_are_400_naming_the_field(api, world, step, body, field):
    event = registered(world)
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/{step}", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert state_of(event.case_id) == "registered"


def test_dispatching_to_another_townships_unit_is_refused(api, world):
    event = registered(world)
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/dispatch", {"unit_id": world.gov_b.pk, "reason": "x"})
    assert response.status_code == 400 and response.json()["fields"] == {"unit_id": "所选单位不存在或不在您的辖区内"}


def test_merging_into_another_townships_event_is_refused(api, world):
    event = registered(world)
    other = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")
    response = api.as_("dispatcher_a").post(f"/api/events/{event.case_id}/merge", {"into_id": other.case_id})
    assert response.status_code == 400 and "into_id" in response.json()["fields"]


def test_a_grid_worker_may_not_register_and_gets_403(api, world):
    event = make_event(world)
    response = api.as_("grid_worker_a").post(f"/api/events/{event.case_id}/register")
    assert response.status_code == 403 and response.json() == {
        "code": "case.not_allowed", "message": "您没有「立案」此事项的权限", "fields": {}}
    assert state_of(event.case_id) == "reported"


def test_without_a_token_the_events_api_is_401(client, world):
    for path in ("/api/events", "/api/calls", "/api/event-categories"):
        assert client.get(path).status_code == 401
    assert client.post("/api/events", {"category": "sanitation"}).status_code == 401


# ---- lists: filters and query counts -------------------------------------------------------


def test_the_list_filters_by_state_category_channel_and_date(api, world):
    dispute = make_event(world, category="dispute")
    actions.register_event(world.dispatcher_a, dispute)
    make_event(world)
    api.as_("dispatcher_a")
    assert api.get("/api/events", state="registered").json()["count"] == 1
    assert [e["category"]["code"] for e in api.get("/api/events", category="dispute").json()["items"]] == ["dispute"]
    assert api.get("/api/events", channel="hotline").json()["count"] == 0
    today = dispute.reported_at.astimezone().date()
    assert api.get("/api/events", reported_from=today.isoformat(), reported_to=today.isoformat()).json()["count"] == 2
    assert api.get("/api/events", reported_to="2020-01-01").json()["count"] == 0


def test_past_the_count_cap_the_list_says_its_count_is_capped_and_pages_on(api, world, monkeypatch):
    from zhenjie.workbench import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    for n in range(3):
        make_event(world, description=f"第{n}件")
    api.as_("dispatcher_a")
    first = api.get("/api/events", page_size=2).json()
    assert (first["count"], first["count_capped"]) == (2, True)
    assert [e["description"] for e in api.get("/api/events", page_size=2, page=2).json()["items"]] == ["第0件"]
    assert api.get("/api/events", channel="hotline").json() | {"items": None} == {"count": 0, "count_capped": False, "page": 1, "page_size": 20, "items": None, "next_cursor": None}


@pytest.mark.parametrize("params", [{"state": "lost"}, {"channel": "fax"}, {"reported_from": "yesterday"},
                                    {"reported_to": "9999-12-31"}, {"page_size": 1000}, {"page": 0}])
def test_bad_list_filters_are_400(api, world, params):
    response = api.as_("dispatcher_a").get("/api/events", **params)
    assert response.status_code == 400 and set(response.json()["fields"]) == set(params)


@pytest.mark.parametrize("path", ["/api/events", "/api/calls"])
def test_event_and_call_lists_run_the_same_number_of_queries_at_3_and_30_rows(api, world, path):
    from zhenjie.calls.actions import call_departments

    def add(count):
        for _ in range(count):
            event = make_event(world)
            actions.register_event(world.dispatcher_a, event)
            call_departments(world.dispatcher_a, event.case, [world.police], "请处置", 3)
            make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")

    api.as_("dispatcher_a")
    add(3)
    with CaptureQueriesContext(connection) as small:
        assert api.get(path, page_size=100).json()["count"] == 3
    add(27)
    with CaptureQueriesContext(connection) as large:
        assert api.get(path, page_size=100).json()["count"] == 30
    assert len(large) == len(small)


# ---- two dispatchers at once -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_registering_at_once_one_wins_and_the_other_gets_409():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers itself")
    from zhenjie.testing import make_world

    world = make_world()
    second = make_user("dispatcher_a2", world.centre_a, ["dispatcher"], world.a)
    event = make_event(world)
    from zhenjie.accounts.models import ApiToken
    from datetime import timedelta

    tokens = [ApiToken.issue(user, timedelta(hours=1))[1] for user in (world.dispatcher_a, second)]
    statuses: list[int] = []
    start = threading.Barrier(2)

    def act(token):
        try:
            start.wait()
            statuses.append(Client().post(f"/api/events/{event.case_id}/register", HTTP_AUTHORIZATION=f"Bearer {token}").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert [e.verb for e in Case.objects.get(pk=event.case_id).journal.all()] == ["open", "register"]


@pytest.mark.parametrize("body, content_type", [
    (b"garbage", "multipart/form-data; boundary=xyz"),
    (b"\xff\xfe", "multipart/form-data"),  # no boundary at all
    (b'--xyz\r\nContent-Disposition: form-data; name="photos"; filename="a.png"\r\n\r\nabc', "multipart/form-data; boundary=xyz"),
])
def test_a_garbled_upload_is_400_in_the_usual_shape(api, world, body, content_type):
    api.as_("grid_worker_a")
    response = api.client.generic("POST", "/api/events", body, content_type=content_type, **api.headers)
    assert response.status_code == 400 and set(response.json()) == {"code", "message", "fields"}
    assert not Event.objects.exists()


def test_deeper_pages_follow_the_cursor_and_give_the_same_rows_as_page_numbers(api, world):
    """next_cursor carries the last row's place in the list's order (issue 11: deeper pages by
    keyset, not OFFSET); walking it gives every row once, in the order page numbers give, and the
    same for a one-state list ordered by the case's opening."""
    for n in range(7):
        make_event(world, description=f"第{n}件")
    api.as_("dispatcher_a")
    for params in ({}, {"state": "reported"}):
        by_number = [e["id"] for page in (1, 2, 3) for e in api.get("/api/events", page_size=3, page=page, **params).json()["items"]]
        walked, answer = [], api.get("/api/events", page_size=3, **params).json()
        while True:
            walked += [e["id"] for e in answer["items"]]
            if not answer["next_cursor"]:
                break
            answer = api.get("/api/events", page_size=3, cursor=answer["next_cursor"], **params).json()
            assert answer["count"] == 7
        assert walked == by_number and len(set(walked)) == 7, params
    assert api.get("/api/events", page_size=7).json()["next_cursor"] is None  # no page after the last


@pytest.mark.parametrize("cursor", ["bm9wZQ", "!!!", "W10", "WyIyMDI2LTAxLTAxIiwxXQ", "WyJ4IiwxXQ", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwtMV0", "x" * 201,
                                    # a time where the id goes, an id where the time goes
                                    "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiXQ", "WzUsIDVd"])
def test_a_cursor_the_list_did_not_give_is_a_400_in_chinese(api, world, cursor):
    make_event(world)
    response = api.as_("dispatcher_a").get("/api/events", cursor=cursor)
    assert response.status_code == 400 and "cursor" in response.json()["fields"]
