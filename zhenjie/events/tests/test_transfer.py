"""部门移交: a county department hands an event to a township; it lands in that township's queue,
and the department sees what it handed on and nothing else of the township."""

import pytest

from zhenjie.areas.actions import create_area
from zhenjie.events.models import Event
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.models import Case
from zhenjie.testing import api, make_event, square  # noqa: F401  (api: a fixture)


pytestmark = pytest.mark.django_db


def transfer(api, world, **changes):
    body = {"township_id": world.b.pk, "category": "sanitation", "description": "群众来信反映乙镇河道垃圾", "external_id": "公转〔2026〕3号", **changes}
    return api.as_("liaison").post("/api/events/transfer", body)


def test_a_transfer_lands_in_the_townships_queue_on_the_department_channel(api, world):
    response = transfer(api, world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["channel"], body["channel_label"], body["area"]["name"], body["state"]) == ("department", "部门移交", "乙镇", "reported")
    assert [a.todo for a in inbox_for(world.dispatcher_b)] == ["register"]
    assert not inbox_for(world.dispatcher_a).exists()
    event = Event.objects.get()
    assert (event.case.external_id, event.reporter) == ("公转〔2026〕3号", world.liaison)
    assert [e.verb for e in event.case.journal.order_by("seq")] == ["open", "transfer"]


def test_the_liaison_sees_the_transferred_event_and_nothing_else_of_the_township(api, world):
    transferred = transfer(api, world).json()
    others = [make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in"), make_event(world)]
    listed = api.as_("liaison").get("/api/events").json()
    assert [e["id"] for e in listed["items"]] == [transferred["id"]]
    assert api.get(f"/api/events/{transferred['id']}").status_code == 200
    for other in others:
        assert api.get(f"/api/events/{other.case_id}").status_code == 404


def test_a_position_must_lie_in_the_chosen_township(api, world):
    inside = transfer(api, world, lng=116.21, lat=35.01)
    assert inside.status_code == 201 and inside.json()["area"]["name"] == "乙一村第1网格"
    outside = transfer(api, world, lng=116.01, lat=35.01, external_id="")
    assert outside.status_code == 400 and outside.json()["fields"] == {"lng": "位置不在乙镇范围内"}
    half = transfer(api, world, lng=116.21, external_id="")
    assert half.status_code == 400 and "lng" in half.json()["fields"]


def test_only_a_township_of_the_departments_county_can_be_chosen(api, world):
    other_county, _ = create_area(None, code="990299000000", name="邻县", level="county", boundary=square(117.0, 35.0, 0.4))
    far, _ = create_area(None, code="990299101000", name="邻县一镇", level="township", parent=other_county, township_kind="town",
                         boundary=square(117.0, 35.0, 0.2))
    for township in (far, world.village_b, world.county):
        response = transfer(api, world, township_id=township.pk)
        assert response.status_code == 400 and response.json()["fields"] == {"township_id": "请选择本县的乡镇(街道)"}
    assert transfer(api, world, township_id=2**62).status_code == 400
    assert not Case.objects.exists()


def test_only_a_department_liaison_may_transfer(api, world):
    response = api.as_("dispatcher_a").post("/api/events/transfer", {"township_id": world.b.pk, "category": "sanitation", "description": "x"})
    assert response.status_code == 403 and response.json()["code"] == "event.transfer_not_allowed"


def test_a_document_number_is_taken_in_once(api, world):
    assert transfer(api, world).status_code == 201
    again = transfer(api, world)
    assert again.status_code == 400 and again.json()["fields"] == {"external_id": "编号 公转〔2026〕3号 已经导入过"}
    assert Event.objects.count() == 1


@pytest.mark.parametrize("changes, field", [({"category": "nope"}, "category"), ({"description": ""}, "description"),
                                             ({"township_id": "乙镇"}, "township_id"), ({"external_id": "x" * 65}, "external_id")])
def test_bad_transfers_are_400_naming_the_field(api, world, changes, field):
    response = transfer(api, world, **changes)
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not Event.objects.exists()
