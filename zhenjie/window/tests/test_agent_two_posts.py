"""An agent with posts in two units files at the point they choose (issue 15, agent points): the
form offers their points, the API takes the point's id and refuses one they do not serve; with
one post nothing changes."""

import pytest
from django.urls import reverse

from zhenjie.kernel.errors import Rejected
from zhenjie.lists.models import ServiceMaterial
from zhenjie.testing import Api, citizen_id, make_user
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.actions.agents import create_point
from zhenjie.window.actions.intake import Filing, file_application
from zhenjie.window.models import Application, Channel
from zhenjie.window.testing import make_point, make_window_world

from .test_intake import filing as intake_filing
from .two_posts import make_second_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def materials_of(item) -> list[dict]:
    return [{"material_id": m.pk, "status": "received", "form": m.form, "copies": m.copies}
            for m in ServiceMaterial.objects.filter(item=item).order_by("position")]  # fmt: skip


def filing(item, **fields) -> Filing:
    return intake_filing(item, **({"channel": Channel.AGENT_POINT} | fields))


def point_of_township_b(ww):
    committee_b = create_unit(None, name="乙一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=ww.world.village_b)
    return create_point(ww.world.leader_b, unit=committee_b, name="乙一村代办点", villages=[ww.world.village_b], phone="1",
                        address="乙一村", hours="周一至周五")  # fmt: skip


# ---- the action -------------------------------------------------------------------------------


def test_an_agent_of_two_points_files_at_the_one_chosen_on_its_village(ww):
    _, second = make_second_post(ww)
    application = file_application(ww.agent_a, filing(ww.items_a["BM001"], point=second.pk)).application
    assert application.intake_unit == second.unit
    assert application.case.area.name == "甲二村"
    assert application.case.assignments.get().unit == second.unit  # the check is the second point's


def test_an_agent_of_two_points_must_choose_and_nothing_is_written(ww):
    make_second_post(ww)
    with pytest.raises(Rejected) as refused:
        file_application(ww.agent_a, filing(ww.items_a["BM001"]))
    assert refused.value.code == "application.point_required"
    assert refused.value.fields == {"point": "您在甲一村代办点、甲二村代办点任代办员，请选择在哪个代办点受理"}
    assert not Application.objects.exists()


def test_a_point_the_agent_does_not_serve_is_refused(ww):
    make_point(ww)
    other = point_of_township_b(ww)
    for wrong in (other.pk, 10**12, "甲一村", True):
        with pytest.raises(Rejected) as refused:
            file_application(ww.agent_a, filing(ww.items_a["BM001"], point=wrong))
        assert refused.value.fields == {"point": "受理代办点须为您任代办员的在用代办点"}
    assert not Application.objects.exists()


def test_with_one_post_nothing_changes(ww):
    point = make_point(ww)
    assert file_application(ww.agent_a, filing(ww.items_a["BM001"])).application.intake_unit == point.unit
    assert file_application(ww.agent_a, filing(ww.items_a["BM001"], point=point.pk)).application.intake_unit == point.unit


def test_an_item_entrusted_to_one_point_only_is_taken_there_only(ww):
    from zhenjie.window.actions.agents import set_point_item

    first, second = make_second_post(ww)
    set_point_item(ww.world.leader_a, second, "ZW0002", True)
    assert file_application(ww.agent_a, filing(ww.items_a["ZW0002"], point=second.pk)).application.intake_unit == second.unit
    with pytest.raises(Rejected) as refused:
        file_application(ww.agent_a, filing(ww.items_a["ZW0002"], point=first.pk))
    assert refused.value.code == "application.not_agent_item"


# ---- the pages --------------------------------------------------------------------------------


def test_the_item_list_offers_the_agents_points_and_the_form_files_at_the_one_chosen(ww, client):
    first, second = make_second_post(ww)
    client.force_login(ww.agent_a)
    page = client.get(reverse("window:new")).content.decode()
    assert 'data-testid="point-choice"' in page and "甲一村代办点" in page and "甲二村代办点" in page
    chosen = client.get(reverse("window:new"), {"point": second.pk}).content.decode()
    item = ww.items_a["BM001"]
    assert f'{reverse("window:new_item", args=[item.pk])}?point={second.pk}' in chosen

    url = f'{reverse("window:new_item", args=[item.pk])}?point={second.pk}'
    form = client.get(url).content.decode()
    assert "受理代办点" in form
    body = {"applicant_kind": "person", "applicant_name": "王秀英", "id_number": citizen_id(21), "phone": "13800138000", "point": second.pk}
    for m in ServiceMaterial.objects.filter(item=item):
        body |= {f"m{m.pk}_status": "received", f"m{m.pk}_form": m.form, f"m{m.pk}_copies": m.copies}
    answer = client.post(url, body)
    assert answer.status_code == 302, answer.content.decode()
    assert Application.objects.get().intake_unit == second.unit


def test_a_point_not_the_agents_by_url_is_refused_with_a_message(ww, client):
    make_point(ww)
    other = point_of_township_b(ww)
    client.force_login(ww.agent_a)
    answer = client.get(reverse("window:new"), {"point": other.pk}, follow=True)
    assert "受理代办点须为您任代办员的在用代办点" in answer.content.decode()
    assert "乙一村代办点" not in answer.content.decode()


def test_with_one_post_the_pages_offer_no_choice(ww, client):
    make_point(ww)
    client.force_login(ww.agent_a)
    assert 'data-testid="point-choice"' not in client.get(reverse("window:new")).content.decode()
    form = client.get(reverse("window:new_item", args=[ww.items_a["BM001"].pk])).content.decode()
    assert "受理代办点" not in form


def test_the_agents_page_links_filing_at_each_point(ww, client):
    first, second = make_second_post(ww)
    client.force_login(ww.agent_a)
    page = client.get(reverse("window:agent_home")).content.decode()
    assert f'{reverse("window:new")}?point={first.pk}' in page and f'{reverse("window:new")}?point={second.pk}' in page


# ---- the API ----------------------------------------------------------------------------------


def test_over_the_api_the_agent_lists_their_points_and_files_at_the_one_named(ww, client):
    first, second = make_second_post(ww)
    other = point_of_township_b(ww)
    api = Api(client).as_(ww.agent_a.username)
    mine = api.get("/api/agent-points/mine").json()
    assert [p["name"] for p in mine] == ["甲一村代办点", "甲二村代办点"]
    item = ww.items_a["BM001"]
    body = {"item_id": item.pk, "channel": "agent_point", "applicant_kind": "person", "applicant_name": "王秀英", "id_number": citizen_id(21),
            "phone": "13800138000", "materials": materials_of(item)}  # fmt: skip

    missing = api.post("/api/applications", body)
    assert missing.status_code == 400 and missing.json()["code"] == "application.point_required" and "point" in missing.json()["fields"]
    foreign = api.post("/api/applications", body | {"point": other.pk})
    assert foreign.status_code == 400 and foreign.json()["message"] == "受理代办点须为您任代办员的在用代办点"
    assert api.post("/api/applications", body | {"point": "甲二村"}).status_code == 400
    assert api.post("/api/applications", body | {"point": 2**70}).status_code == 400
    assert not Application.objects.exists()

    filed = api.post("/api/applications", body | {"point": second.pk})
    assert filed.status_code == 201, filed.content
    assert Application.objects.get().intake_unit == second.unit


def test_the_mine_list_is_empty_for_someone_who_is_no_agent(ww, client):
    make_point(ww)
    assert Api(client).as_(ww.clerk_a.username).get("/api/agent-points/mine").json() == []
    agent_b = make_user("agent_b", create_unit(None, name="乙一村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=ww.world.village_b),
                        [R.VILLAGE_AGENT], ww.world.village_b)  # fmt: skip
    assert Api(client).as_(agent_b.username).get("/api/agent-points/mine").json() == []


def test_a_stand_in_for_an_absent_agent_files_at_the_absent_agents_point(ww):
    from datetime import timedelta

    from django.utils import timezone

    from zhenjie.accounts.actions import set_stand_in

    point = make_point(ww)
    helper = make_user("agent_helper", ww.world.office_a, [R.BACK_OFFICE_HANDLER], ww.world.a)
    today = timezone.localdate()
    set_stand_in(ww.world.leader_a, absent=ww.agent_a, stand_in=helper, starts_on=today, ends_on=today + timedelta(days=1), reason="年休假")
    application = file_application(helper, filing(ww.items_a["BM001"])).application
    assert application.intake_unit == point.unit and application.filed_by == helper
