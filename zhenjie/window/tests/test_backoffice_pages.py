"""The back office's queue, clock page and API: township A's people reach nothing of B's, the
queue costs a fixed number of queries, and bad input over a form or the API changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenjie.kernel.models import Document
from zhenjie.testing import Api
from zhenjie.window.models import ExcludedPeriod
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(world):
    return make_window_world(world)


def test_the_queue_shows_a_townships_own_applications_only(client, ww):
    mine = make_application(ww, state=State.REVIEWING)
    theirs = make_application(ww, township=ww.world.b, state=State.REVIEWING)
    client.force_login(ww.backoffice_a)
    page = client.get(reverse("window_backoffice:queue")).content.decode()
    assert mine.case.number in page and theirs.case.number not in page
    assert client.get(reverse("window_backoffice:clock", args=[theirs.case_id])).status_code == 404
    assert client.post(reverse("window_backoffice:act", args=[theirs.case_id, "exclude"]), {"kind": "hearing"}).status_code == 404
    api = Api(client)
    queue = api.as_("backoffice_b").get("/api/window/backoffice/queue").json()
    assert [row["number"] for row in queue["items"]] == [theirs.case.number] and queue["count"] == 1
    assert api.as_("backoffice_b").get(f"/api/window/applications/{mine.case_id}/clock").status_code == 404
    assert api.as_("window_b").post(f"/api/window/applications/{mine.case_id}/accept").status_code == 404


def test_the_queue_runs_a_fixed_number_of_queries(client, ww):
    make_application(ww, state=State.REVIEWING)
    client.force_login(ww.backoffice_a)
    url = reverse("window_backoffice:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for sequence in (2, 3, 4):
        make_application(ww, state=State.REVIEWING, applicant=None)
    with CaptureQueriesContext(connection) as four:
        assert client.get(url).content.decode().count("甲镇办") >= 4
    assert len(four) == len(one)


def test_the_page_excludes_and_resumes_and_refuses_bad_input_with_a_message(client, ww):
    application = make_application(ww, state=State.REVIEWING)
    client.force_login(ww.backoffice_a)
    act = lambda step: reverse("window_backoffice:act", args=[application.case_id, step])  # noqa: E731
    page = client.post(act("exclude"), {"kind": "hearing", "reason": "需举行听证", "expected_days": "两周"}, follow=True).content.decode()
    assert "请填写整数" in page and not ExcludedPeriod.objects.exists()
    page = client.post(act("resume"), follow=True).content.decode()
    assert "不能「特别程序结束」" in page
    page = client.post(act("exclude"), {"kind": "hearing", "reason": "需举行听证", "expected_days": "10"}, follow=True).content.decode()
    assert "计时暂停" in page and "需举行听证" in page
    application.case.refresh_from_db()
    assert application.case.state == State.EXCLUDED and Document.objects.filter(kind="special_procedure_notice").count() == 1
    client.post(act("resume"), {"note": "听证结束"})
    application.case.refresh_from_db()
    assert application.case.state == State.REVIEWING


def test_the_api_refuses_bad_input_and_steps_out_of_turn(client, ww):
    application = make_application(ww, state=State.REVIEWING)
    api = Api(client).as_("backoffice_a")
    base = f"/api/window/applications/{application.case_id}"
    assert api.post(f"{base}/exclude", {"kind": "picnic", "reason": "x", "expected_days": 3}).status_code == 400
    assert api.post(f"{base}/exclude", {"kind": "testing", "reason": "x", "expected_days": "many"}).status_code == 400
    assert api.post(f"{base}/resume", {}).status_code == 409
    assert api.post(f"{base}/accept").status_code in (403, 409)
    done = api.post(f"{base}/exclude", {"kind": "testing", "reason": "送检水样", "expected_days": 3})
    assert done.status_code == 200 and done.json()["state"] == State.EXCLUDED and done.json()["periods"][0]["kind"] == "testing"
