"""The decision part's API: decide and hand over as the pages do; township B reaches nothing of A."""

import pytest

from zhenjie.kernel.models import Case
from zhenjie.testing import PASSWORD
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def headers(client, user) -> dict:
    response = client.post("/api/auth/token", {"username": user.username, "password": PASSWORD}, content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_decide_and_hand_over_over_the_api_and_township_b_gets_404(client):
    ww = make_window_world()
    application = make_application(ww, state=State.REVIEWING)
    base = f"/api/window/applications/{application.case_id}"
    back_office, clerk, other = headers(client, ww.backoffice_a), headers(client, ww.clerk_a), headers(client, ww.backoffice_b)
    for path, body in (("/decision", None), ("/approve", {}), ("/refuse", {"reason": "不符合"}), ("/deliver", {"method": "window", "received_by": "王"})):
        answer = client.get(base + path, **other) if body is None else client.post(base + path, body, content_type="application/json", **other)
        assert answer.status_code == 404
    missing = client.post(base + "/refuse", {"reason": " "}, content_type="application/json", **back_office)
    assert missing.status_code == 400 and "理由" in missing.json()["message"]
    assert client.post(base + "/approve", {"opinion": 5}, content_type="application/json", **back_office).status_code in (400, 422)
    assert client.post(base + "/approve", {}, content_type="application/json", **clerk).status_code == 403
    approved = client.post(base + "/approve", {"opinion": "符合条件"}, content_type="application/json", **back_office)
    assert approved.status_code == 200 and approved.json()["decision"] == "approved" and approved.json()["handover_due_at"]
    assert client.post(base + "/approve", {}, content_type="application/json", **back_office).status_code == 409
    post = client.post(base + "/deliver", {"method": "post"}, content_type="application/json", **clerk)
    assert post.status_code == 400 and "邮寄单号" in post.json()["message"]
    delivered = client.post(base + "/deliver", {"method": "post", "tracking_number": "SF1234567890"}, content_type="application/json", **clerk)
    assert delivered.status_code == 200 and delivered.json()["handover"]["tracking_number"] == "SF1234567890"
    assert Case.objects.get(pk=application.case_id).state == State.DELIVERED
