"""A grid worker's phone without signal (issue 14 item 9), on the server's side: a visit sent
again under the phone's key is recorded once; a patrol's positions sent again are stored once;
the service worker is served from the root, under a policy that lets it run."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhenjie.grid.models import Patrol, PatrolPoint, Visit
from zhenjie.testing import make_key_person, make_resident

from .conftest import days_ago, png_bytes

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def person(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="孙奶奶", born=date(1938, 2, 2))
    return make_key_person(resident, gw.world.grid_worker_a, "elderly_alone", since=days_ago(10))


def visit_form(key, **changes):
    return {"situation": "attention", "findings": "腿脚不便，已联系村医", "visited_at": "", "lng": "116.01", "lat": "35.01", "client_key": str(key), **changes}


def test_a_visit_sent_twice_by_the_page_is_recorded_once(client, gw, person):
    client.force_login(gw.world.grid_worker_a)
    key = uuid.uuid4()
    url = f"/grid/ledger/{person.pk}/visit/?next=/grid/ledger/"
    sent = [client.post(url, {**visit_form(key), "photo": SimpleUploadedFile("a.png", png_bytes(), "image/png")}, **JSON) for _ in range(2)]
    assert [r.status_code for r in sent] == [201, 201]
    assert sent[0].json() == sent[1].json() == {"ok": True, "url": "/grid/ledger/", "message": "已记录对 孙奶奶 的走访"}
    visit = Visit.objects.get()
    assert visit.photos.count() == 1 and visit.situation == "attention"
    other = client.post(url, visit_form(key, findings="一切正常"), **JSON)
    assert other.status_code == 409 and "内容不同" in other.json()["message"]
    empty = client.post(url, visit_form(uuid.uuid4(), findings=""), **JSON)
    assert empty.status_code == 400 and empty.json()["fields"]["findings"]
    assert Visit.objects.count() == 1


def test_another_townships_worker_cannot_file_a_visit_here(client, gw, person):
    client.force_login(gw.grid_worker_b)
    answer = client.post(f"/grid/ledger/{person.pk}/visit/", visit_form(uuid.uuid4()), **JSON)
    assert answer.status_code == 404 and not Visit.objects.exists()


def test_the_visit_api_takes_the_key_too(api, gw, person):
    api.as_("grid_worker_a")
    data = {"situation": "normal", "findings": "精神好", "client_key": str(uuid.uuid4())}
    first = api.post_form(f"/api/grid/key-persons/{person.pk}/visits", data)
    again = api.post_form(f"/api/grid/key-persons/{person.pk}/visits", data)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Visit.objects.count() == 1


def test_positions_sent_again_are_stored_once(api, gw):
    api.as_("grid_worker_a")
    patrol_id = api.post("/api/grid/patrols", {"grid_id": gw.world.grid_a.pk, "lng": 116.01, "lat": 35.01}).json()["id"]
    now = timezone.now()
    batch = [{"lng": 116.02, "lat": 35.01, "at": (now - timedelta(seconds=20)).isoformat()}, {"lng": 116.02, "lat": 35.015, "at": (now - timedelta(seconds=10)).isoformat()}]
    assert api.post(f"/api/grid/patrols/{patrol_id}/positions", {"positions": batch}).json()["point_count"] == 3
    # The answer was lost: the phone sends the same points again, with one more.
    more = [*batch, {"lng": 116.02, "lat": 35.02, "at": now.isoformat()}]
    assert api.post(f"/api/grid/patrols/{patrol_id}/positions", {"positions": more}).json()["point_count"] == 4
    assert PatrolPoint.objects.filter(patrol_id=patrol_id).count() == 4 == Patrol.objects.get(pk=patrol_id).point_count


def test_the_service_worker_is_served_from_the_root_and_the_policy_lets_it_run(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content
    assert "worker-src 'self'" in response["Content-Security-Policy"]
    assert client.post("/sw.js").status_code == 405


def test_a_help_visit_sent_again_opens_one_referral_and_another_need_under_its_key_is_refused(gw, person):
    """Review: the phone's repeat of a 需要帮扶 visit answers with the visit it recorded — one
    referral — and the same key with another need is other content (refused, never a silent
    answer with a referral to a different unit)."""
    from zhenjie.grid import actions
    from zhenjie.grid.models import Referral
    from zhenjie.kernel.errors import Conflict

    key = uuid.uuid4()
    help_visit = {"situation": "help", "findings": "家中无收入", "need": "living", "need_description": "申请临时救助", "need_unit": gw.world.office_a}
    first = actions.record_visit(gw.world.grid_worker_a, person, client_key=key, **help_visit)
    again = actions.record_visit(gw.world.grid_worker_a, person, client_key=key, **help_visit)
    assert again.pk == first.pk and Visit.objects.count() == 1 and Referral.objects.count() == 1
    with pytest.raises(Conflict):
        actions.record_visit(gw.world.grid_worker_a, person, client_key=key, **(help_visit | {"need_description": "申请残疾人辅具"}))
    assert Referral.objects.count() == 1
