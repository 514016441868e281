"""The application's one API shape (window/api.py ApplicationOut): state, the promised and the
statutory due dates, the deciding units with their opinions, the decision, the hand-over, the
rating; the list reads a fixed number of queries; township B sees nothing of A."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenjie.window.actions.decision import approve_application
from zhenjie.window.actions.delivery import deliver_application
from zhenjie.window.actions.joint import give_opinion
from zhenjie.window.models import StatutoryClock
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

from .test_decision_api import headers
from .test_joint import fresh, make_joint

pytestmark = pytest.mark.django_db


def listed(client, auth, **params) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/applications", params, **auth)
    assert response.status_code == 200
    return response.json(), len(queries)


def test_the_shape_carries_every_parts_outcome_and_the_list_is_a_fixed_number_of_queries(client):
    ww = make_window_world()
    clerk_a, clerk_b = headers(client, ww.clerk_a), headers(client, ww.clerk_b)
    make_application(ww)
    _, one = listed(client, clerk_a)
    application = make_joint(ww)
    StatutoryClock.objects.create(application=application, started_at=application.case.updated_at, statutory_days=45, promised_days=20,
                                  joint=True, extension_max=15)  # fmt: skip
    give_opinion(ww.world.liaison, application, decision="approved", reason="同意")
    approve_application(ww.backoffice_a, fresh(application), opinion="同意")
    deliver_application(ww.clerk_a, fresh(application), method="window", received_by="王秀英")
    for _ in range(3):
        make_application(ww, state=State.REVIEWING)
    body, many = listed(client, clerk_a)
    assert many == one and body["count"] == 5
    row = next(item for item in body["items"] if item["id"] == application.case_id)
    assert row["state"] == State.DELIVERED and row["decision"] == "approved" and row["decided_at"] and row["decided_late"] is False
    assert row["statutory_due_at"] and row["handover"]["method"] == "window" and row["rating"] is None
    assert [(u["unit"]["name"], u["lead"], u["opinion"]) for u in row["deciding_units"]] == [
        ("甲镇便民服务中心", True, "approved"), ("测试县公安局", False, "approved")]
    waiting = next(item for item in body["items"] if item["id"] != application.case_id)
    assert waiting["statutory_due_at"] is None and waiting["handover"] is None and waiting["decision"] == ""
    # the one application reads the same shape
    one_row = client.get(f"/api/applications/{application.case_id}", **clerk_a).json()
    assert one_row["deciding_units"] == row["deciding_units"] and one_row["handover"] == row["handover"]
    # township B: nothing of A, in the list, the count or one row
    other, _ = listed(client, clerk_b)
    assert other["count"] == 0 and other["items"] == []
    assert client.get(f"/api/applications/{application.case_id}", **clerk_b).status_code == 404
    in_b = make_application(ww, township=ww.world.b)
    assert [item["id"] for item in listed(client, clerk_b)[0]["items"]] == [in_b.case_id]
