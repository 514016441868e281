"""Part 8, joint enforcement (联合执法): planned by the team or a township leader with stationed
units and departments, each unit's part recorded by itself or the team and shown on the linked
cases' timelines; scoped by township."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.enforcement.actions.joint import Part, Plan, cancel_operation, finish_operation, plan_operation, record_part
from zhenjie.enforcement.models import JointOperation, OperationStatus, Participant
from zhenjie.enforcement.queries_joint import get_participant_for, operations_for
from zhenjie.enforcement.testing import make_enforcement_case, make_enforcement_world
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import Api, make_user
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ew():
    ew = make_enforcement_world()
    ew.station_a = make_user("station_a", ew.world.police_station_a, [R.DEPARTMENT_LIAISON], None)
    return ew


def plan(ew, actor=None, **changes):
    values = dict(title="夜间烧烤摊点联合整治", planned_at=timezone.now() + timedelta(days=1), place="甲镇商业街",
                  participants=[Part(unit=ew.world.police_station_a, task="维持秩序", headcount=4),
                                Part(unit=ew.world.police, task="治安保障", headcount=2)], cases=[])  # fmt: skip
    return plan_operation(actor or ew.officer_a1, Plan(**{**values, **changes}))


def test_the_team_plans_an_operation_and_a_stationed_units_part_shows_on_the_linked_case(ew):
    case = make_enforcement_case(ew, state=State.INVESTIGATING)
    operation = plan(ew, cases=[case.case_id])
    assert operation.lead_unit == ew.team_a and operation.township == ew.world.a and operation.status == OperationStatus.PLANNED
    assert JournalEntry.objects.filter(case=case.case, verb="joint.plan").exists()

    participant = get_participant_for(
        ew.station_a, operation.pk, Participant.objects.get(operation=operation, unit=ew.world.police_station_a).pk
    )
    record_part(ew.station_a, participant, 5, "清理占道摊点12处", "3处拒不整改")

    entry = JournalEntry.objects.get(case=case.case, verb="joint.part")
    assert entry.summary == "联合执法「夜间烧烤摊点联合整治」：甲镇派出所参与5人" and "3处拒不整改" in entry.note
    assert entry.from_state == entry.to_state == State.INVESTIGATING

    finish_operation(ew.leader_a, JointOperation.objects.get(pk=operation.pk), "整治完成")
    assert JointOperation.objects.get(pk=operation.pk).status == OperationStatus.DONE
    with pytest.raises(Conflict):
        cancel_operation(ew.officer_a1, JointOperation.objects.get(pk=operation.pk), "重复")


def test_a_township_leader_plans_too_and_another_units_staff_cannot_record_its_part(ew):
    operation = plan(ew, actor=ew.leader_a)
    police_part = Participant.objects.get(operation=operation, unit=ew.world.police)
    police_part.operation = operation
    before = JournalEntry.objects.count()
    with pytest.raises(Forbidden):
        record_part(ew.station_a, police_part, 2, "巡逻")
    assert JournalEntry.objects.count() == before
    record_part(ew.officer_a2, police_part, 2, "巡逻")  # the team records for a unit
    assert Participant.objects.get(pk=police_part.pk).people == 2


def test_township_b_sees_none_of_as_operations_by_query_page_and_api(ew, client):
    operation = plan(ew)
    station_b = create_unit(
        None, name="乙镇市场监管所", kind=Unit.Kind.STATIONED, area=ew.world.b, home_department=ew.world.police
    )
    make_user("market_b", station_b, [R.DEPARTMENT_LIAISON], None)

    for person in (ew.officer_b1, ew.world.leader_b):
        assert not operations_for(person).exists()
        with pytest.raises(NotFound):
            get_participant_for(person, operation.pk, operation.participants.first().pk)
    assert list(operations_for(ew.station_a)) == [operation]  # a participant sees it
    api = Api(client).as_("officer_b1")
    assert api.get("/api/enforcement/joint").json()["count"] == 0
    assert api.get(f"/api/enforcement/joint/{operation.pk}").status_code == 404
    part = operation.participants.first().pk
    assert (
        api.post(f"/api/enforcement/joint/{operation.pk}/participants/{part}", {"people": 1, "work_done": "x"}).status_code == 404
    )
    assert api.post(f"/api/enforcement/joint/{operation.pk}/cancel", {"text": "x"}).status_code == 404
    assert Api(client).as_("market_b").get("/api/enforcement/joint").json()["count"] == 0
    client.force_login(ew.officer_b1)
    assert client.get(reverse("enforcement_joint:detail", args=[operation.pk])).status_code == 404
    assert "夜间烧烤" not in client.get(reverse("enforcement_joint:list")).content.decode()


def test_bad_input_is_refused_in_chinese_and_writes_nothing(ew):
    case_b = make_enforcement_case(ew, township=ew.world.b)
    other_county_unit = create_unit(
        None, name="乙镇派出所", kind=Unit.Kind.STATIONED, area=ew.world.b, home_department=ew.world.police
    )
    before = (JointOperation.objects.count(), JournalEntry.objects.count())
    for changes, code in (
        ({"participants": []}, "enforcement.participants_required"),
        ({"participants": [Part(unit=other_county_unit, task="x", headcount=1)]}, "enforcement.participant_invalid"),
        ({"participants": [Part(unit=10**9, task="x", headcount=1)]}, "enforcement.participant_invalid"),
        ({"cases": [case_b.case_id]}, "enforcement.joint_case_unknown"),
        ({"cases": [10**9]}, "enforcement.joint_case_unknown"),
        ({"title": "行" * 201}, "enforcement.title_too_long"),
        ({"title": ""}, "enforcement.title_required"),
        ({"planned_at": None}, "enforcement.planned_at_required"),
    ):
        with pytest.raises(Rejected) as refused:
            plan(ew, **changes)
        assert refused.value.code == code, changes
    with pytest.raises(Forbidden):
        plan(ew, actor=ew.world.dispatcher_a)
    assert (JointOperation.objects.count(), JournalEntry.objects.count()) == before


def test_the_api_plans_and_records_with_chinese_refusals(ew, client):
    api = Api(client).as_("officer_a1")
    body = {"title": "联合检查", "planned_at": (timezone.now() + timedelta(days=2)).isoformat(), "place": "甲一村",
            "participants": [{"unit_id": ew.world.police_station_a.pk, "task": "配合检查", "headcount": 3}]}  # fmt: skip
    created = api.post("/api/enforcement/joint", body)
    assert created.status_code == 201, created.content
    operation = created.json()
    part = operation["participants"][0]["id"]
    missing = api.post("/api/enforcement/joint", {**body, "participants": []})
    assert missing.status_code == 400
    long_text = Api(client).as_("station_a").post(f"/api/enforcement/joint/{operation['id']}/participants/{part}",
                                                  {"people": 3, "work_done": "查" * 5001})  # fmt: skip
    assert long_text.status_code == 400
    done = (
        Api(client)
        .as_("station_a")
        .post(f"/api/enforcement/joint/{operation['id']}/participants/{part}", {"people": 3, "work_done": "检查商户8家"})
    )
    assert done.status_code == 200 and done.json()["participants"][0]["people"] == 3


def test_the_operation_list_runs_the_same_queries_at_3_and_12_operations(ew, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_enforcement_case(ew)
    client.force_login(ew.officer_a1)
    counts = []
    for total in (3, 12):
        while JointOperation.objects.count() < total:
            plan(ew, cases=[case.case_id])
        for url in (reverse("enforcement_joint:list"), "/api/enforcement/joint"):
            fetch = (
                (lambda u=url: Api(client).as_("officer_a1").get(u)) if url.startswith("/api/") else (lambda u=url: client.get(u))
            )
            with CaptureQueriesContext(connection) as captured:
                assert fetch().status_code == 200
            counts.append((url, len(captured.captured_queries)))
    assert counts[0][1] == counts[2][1] and counts[1][1] == counts[3][1], counts
