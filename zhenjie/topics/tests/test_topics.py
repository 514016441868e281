"""每月一题: proposals from the month's complaints (neighbouring grids together), a leader adopts
one, the lead unit reports progress, the public sees it — each within the jurisdiction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.events.actions import reject_event
from zhenjie.events.models import Event
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Case, Notification
from zhenjie.testing import api, make_event, make_grid_world  # noqa: F401  (api: a fixture)
from zhenjie.topics import actions, proposals
from zhenjie.topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids(world):
    return make_grid_world(world)


def complaint(world, *, lng=116.01, lat=35.01, category="sanitation", months_ago=0, channel="hotline"):
    """A complaint from the hotline in grid A (by default) dated `months_ago` months back."""
    dispatcher = world.dispatcher_b if lng >= 116.2 else world.dispatcher_a
    event = make_event(world, reporter=dispatcher if channel != "grid" else None, lng=lng, lat=lat, category=category, channel=channel)
    if months_ago:
        moment = timezone.now() - timedelta(days=31 * months_ago)
        Event.objects.filter(pk=event.pk).update(reported_at=moment)
        Case.objects.filter(pk=event.case_id).update(opened_at=moment)
    return event


def this_month():
    return proposals.month_start(timezone.localdate())


def milestones(days=(10, 40)):
    today = timezone.localdate()
    return [(today + timedelta(days=day), f"第{number}步") for number, day in enumerate(days, 1)]


def test_neighbouring_grids_count_together_and_only_complaints_count(world, grids):
    complaint(world)  # grid A
    complaint(world)
    complaint(world, lng=116.06)  # grid A2, beside grid A
    complaint(world, channel="grid")  # a grid worker's own discovery: not a complaint
    reject_event(world.dispatcher_a, complaint(world), "不属于受理范围")  # rejected: not counted
    complaint(world, lng=116.21)  # township B
    complaint(world, lng=116.21)

    found = proposals.propose(world.a, this_month())

    assert [(p.category.code, [place.name for place in p.places], p.count) for p in found] == [
        ("sanitation", ["甲一村第1网格", "甲一村第2网格"], 3)
    ]
    assert [p.count for p in proposals.propose(world.b, this_month())] == [2]


def test_a_grid_without_a_boundary_neighbours_none_and_one_complaint_is_no_topic(world, grids):
    grids.grid_a2.boundary = None
    grids.grid_a2.save(update_fields=["boundary"])
    complaint(world)
    complaint(world)
    complaint(world, lng=116.06)

    found = proposals.propose(world.a, this_month())

    assert [(p.count, [place.name for place in p.places]) for p in found] == [(2, ["甲一村第1网格"])]


def test_the_trend_counts_the_same_places_in_the_months_before(world, grids):
    complaint(world)
    complaint(world)
    complaint(world, months_ago=1)

    (proposal,) = proposals.propose(world.a, this_month())

    assert proposal.trend[-1] == (proposals.add_months(this_month(), -1), 1)
    assert proposal.change == 1
    assert [bar["current"] for bar in proposal.chart] == [False, False, False, True]


def adopt(world, actor=None, **changes):
    (proposal,) = proposals.propose(world.a, this_month())
    fields = {"title": "", "lead_unit": world.office_a, "plan": "清理积存垃圾，增设收集点", "milestones": milestones()} | changes
    return actions.adopt(actor or world.leader_a, world.a, this_month(), proposal.key, **fields)


def test_a_leader_adopts_one_proposal_a_month_and_the_complaints_stay_linked(world, grids):
    behind = [complaint(world), complaint(world), complaint(world, lng=116.06)]
    complaint(world, channel="grid")

    topic = adopt(world)

    assert topic.title == f"甲一村第1网格、甲一村第2网格{topic.category.name}问题"
    assert sorted(topic.events.values_list("pk", flat=True)) == sorted(event.pk for event in behind)
    assert [m.text for m in topic.milestones.all()] == ["第1步", "第2步"]
    assert Notification.objects.filter(user=world.clerk_a, title__contains="每月一题").exists()
    with pytest.raises(Conflict, match="已确定"):
        adopt(world)
    assert Topic.objects.count() == 1


@pytest.mark.parametrize("who", ["leader_b", "dispatcher_a", "clerk_a"])
def test_only_a_leader_of_the_township_adopts(world, grids, who):
    complaint(world)
    complaint(world)
    with pytest.raises(Forbidden):
        adopt(world, getattr(world, who))
    assert not Topic.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"milestones": []}, "milestones", "至少填写一个"),
    ({"milestones": [(timezone.localdate() - timedelta(days=1), "补")]}, "milestones", "今天到一年"),
    ({"milestones": [(timezone.localdate(), "x" * 201)]}, "milestones", "不能超过200字"),
    ({"title": "题" * 101}, "title", "不能超过100字"),
    ({"plan": "  "}, "plan", "请填写工作方案"),
    ({"lead_unit": None}, "lead_unit", "请选择牵头单位"),
])
def test_bad_adoptions_are_refused_in_chinese_and_write_nothing(world, grids, changes, field, message):
    complaint(world)
    complaint(world)
    with pytest.raises(Rejected, match=message) as refused:
        adopt(world, **changes)
    assert refused.value.field == field
    assert not Topic.objects.exists()


def test_a_lead_unit_of_another_township_is_refused(world, grids):
    from zhenjie.units.actions import create_unit
    from zhenjie.units.models import Unit

    complaint(world)
    complaint(world)
    other = create_unit(None, name="乙镇社会治理办公室", kind=Unit.Kind.OFFICE, area=world.b)
    with pytest.raises(Rejected, match="牵头单位须为本乡镇"):
        adopt(world, lead_unit=other)
    assert adopt(world, lead_unit=world.police).lead_unit == world.police  # a county department may lead


def test_progress_once_a_month_by_the_lead_unit_and_milestones_once(world, grids):
    complaint(world)
    complaint(world)
    topic = adopt(world)

    actions.report_progress(world.clerk_a, topic, "已清运垃圾12车")
    with pytest.raises(Conflict, match="进展已报告"):
        actions.report_progress(world.clerk_a, topic, "又清运")
    with pytest.raises(Forbidden):
        actions.report_progress(world.dispatcher_b, topic, "不是我的")
    milestone = topic.milestones.first()
    actions.complete_milestone(world.clerk_a, milestone, "按期完成")
    with pytest.raises(Conflict):
        actions.complete_milestone(world.clerk_a, milestone)
    with pytest.raises(Forbidden):
        actions.finish(world.clerk_a, topic, "完成")
    actions.finish(world.leader_a, topic, "垃圾积存问题已解决")
    with pytest.raises(Conflict, match="已完成"):
        actions.report_progress(world.clerk_a, topic, "还在做")


def test_lead_units_that_did_not_report_are_reminded_on_the_first(world, grids):
    complaint(world)
    complaint(world)
    topic = adopt(world)
    next_first = proposals.add_months(this_month(), 1)

    assert actions.remind_progress(next_first) == 1
    actions.report_progress(world.clerk_a, topic, "本月进展")
    assert actions.remind_progress(next_first) == 0


# ---- pages ---------------------------------------------------------------------------------------


def test_the_leader_adopts_on_the_pages_and_other_townships_see_nothing(client, world, grids):
    for _ in range(2):
        complaint(world)
    client.force_login(world.leader_a)
    page = client.get("/topics/proposals/", {"township": world.a.pk, "month": this_month().strftime("%Y-%m")})
    assert page.status_code == 200
    assert "甲一村第1网格" in page.content.decode() and page.context["proposals"][0].count == 2
    key = page.context["proposals"][0].key

    form = {"township": world.a.pk, "month": this_month().strftime("%Y-%m"), "key": key, "title": "垃圾积存治理", "lead_unit": world.office_a.pk,
            "plan": "增设收集点", "is_public": "on", "milestone_date_1": (timezone.localdate() + timedelta(days=5)).isoformat(), "milestone_text_1": "选址"}
    refused = client.post("/topics/adopt/", form | {"milestone_text_1": ""})
    assert refused.status_code == 200 and "请同时填写节点日期和内容" in refused.content.decode()
    assert not Topic.objects.exists()
    answer = client.post("/topics/adopt/", form)
    topic = Topic.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/topics/{topic.pk}/"
    sheet = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "垃圾积存治理" in sheet and "选址" in sheet

    client.force_login(world.leader_b)
    assert client.get(f"/topics/{topic.pk}/").status_code == 404
    assert client.post(f"/topics/{topic.pk}/progress/", {"text": "越权"}).status_code == 404
    assert "垃圾积存治理" not in client.get("/topics/").content.decode()
    assert client.get("/topics/adopt/", {"township": world.a.pk, "month": this_month().strftime("%Y-%m"), "key": key}).status_code == 404
    assert client.get("/topics/proposals/", {"township": world.a.pk}).context["township"] == world.b  # their own instead, said so


def test_the_public_sees_public_topics_without_the_complaints(client, world, grids):
    event = complaint(world)
    complaint(world)
    topic = adopt(world, title="垃圾积存治理")
    actions.report_progress(world.clerk_a, topic, "已清运垃圾12车")

    page = client.get(f"/public/topics/{topic.pk}/").content.decode()
    assert "垃圾积存治理" in page and "已清运垃圾12车" in page
    assert event.case.number not in page and world.clerk_a.display_name not in page
    assert "垃圾积存治理" in client.get("/public/topics/").content.decode()
    Topic.objects.filter(pk=topic.pk).update(is_public=False)
    assert client.get(f"/public/topics/{topic.pk}/").status_code == 404


def test_user_text_is_text_on_the_pages(client, world, grids):
    complaint(world)
    complaint(world)
    topic = adopt(world, title="<script>alert(1)</script>", plan="<img src=x onerror=alert(1)>")
    client.force_login(world.leader_a)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "<img src=x" not in page


def test_the_list_reads_a_fixed_number_of_queries(client, world, grids, django_assert_max_num_queries):
    complaint(world)
    complaint(world)
    adopt(world)
    client.force_login(world.leader_a)
    client.get("/topics/")  # warm the session and reach
    with django_assert_max_num_queries(12):
        assert client.get("/topics/").status_code == 200


# ---- API ---------------------------------------------------------------------------------------


def test_the_api_proposes_adopts_and_reports(api, world, grids):
    complaint(world)
    complaint(world)
    month = this_month().strftime("%Y-%m")
    proposals_found = api.as_("leader_a").get("/api/topics/proposals", township_id=world.a.pk, month=month).json()
    assert [p["count"] for p in proposals_found] == [2] and proposals_found[0]["trend"][-1]["count"] == 0

    body = {"township_id": world.a.pk, "month": month, "key": proposals_found[0]["key"], "lead_unit_id": world.office_a.pk, "plan": "方案",
            "milestones": [{"due_on": (timezone.localdate() + timedelta(days=3)).isoformat(), "text": "选址"}]}
    created = api.post("/api/topics", body)
    assert created.status_code == 201, created.json()
    topic_id = created.json()["id"]
    assert created.json()["milestones"][0]["text"] == "选址"
    again = api.post("/api/topics", body)
    assert again.status_code == 409 and "已确定" in again.json()["message"]

    assert api.as_("clerk_a").post(f"/api/topics/{topic_id}/progress", {"text": "进展"}).status_code == 201
    assert api.get("/api/topics").json()["count"] == 1

    assert api.as_("leader_a").get("/api/topics/proposals", township_id=world.a.pk, month="2026-13").status_code == 400
    assert api.get("/api/topics/proposals", township_id=world.a.pk, month="2999-01").status_code == 400
    assert api.as_("leader_b").get("/api/topics/proposals", township_id=world.a.pk).status_code == 404
    assert api.get(f"/api/topics/{topic_id}").status_code == 404
    assert api.post("/api/topics", body | {"township_id": world.a.pk}).status_code == 404
    assert api.as_("leader_a").post("/api/topics", body | {"milestones": "not a list"}).status_code in (400, 422)


def test_a_lead_department_reads_only_the_complaints_it_may_see(client, world, grids):
    """Review: a county department leading a township's topic reads the topic, but the complaints
    behind it are the township's — their numbers and titles only for whoever may see them."""
    hidden = complaint(world)
    complaint(world)
    topic = adopt(world, lead_unit=world.police)

    client.force_login(world.liaison)
    page = client.get(f"/topics/{topic.pk}/")
    assert page.status_code == 200
    assert hidden.case.number not in page.content.decode() and hidden.case.title not in page.content.decode()
    client.force_login(world.leader_a)
    assert hidden.case.number in client.get(f"/topics/{topic.pk}/").content.decode()


def test_progress_and_finish_on_the_sheet_refuse_in_chinese_then_act(client, world, grids):
    complaint(world)
    complaint(world)
    topic = adopt(world)
    client.force_login(world.leader_a)
    refused = client.post(f"/topics/{topic.pk}/finish/", {"summary": "  "})
    assert refused.status_code == 400 and "完成情况" in refused.content.decode()
    assert client.post(f"/topics/{topic.pk}/progress/", {"text": "已清运"}).status_code == 302
    assert client.post(f"/topics/{topic.pk}/progress/", {"text": "又清运"}).status_code == 400  # once a month
    assert client.post(f"/topics/{topic.pk}/finish/", {"summary": "已解决"}).status_code == 302
    topic.refresh_from_db()
    assert topic.state == Topic.State.DONE and topic.progress.count() == 1
