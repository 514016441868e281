"""The area-change page (区划调整) and the area page's history, as the county administrator and
the two townships' staff see them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.areas.models import Area, AreaChange
from zhenjie.kernel.models import JournalEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def post(client, **fields):
    data = {"kind": "", "area": "", "target": "", "new_name": "", "new_code": "", "effective_on": TODAY.isoformat(), "document_number": "测民〔2026〕8号", "reason": ""}
    data.update({k: (v.pk if isinstance(v, Area) else v) for k, v in fields.items()})
    return client.post(reverse("workbench:area_changes"), data)


def test_the_county_administrator_moves_a_village_from_the_page_and_reads_it_in_the_list(client, world):
    client.force_login(world.county_admin)
    page = client.get(reverse("workbench:area_changes"))
    assert page.status_code == 200 and "登记区划调整" in page.content.decode()
    assert "区划调整" in page.content.decode()  # the navigation entry

    answer = post(client, kind="move", area=world.village_a, target=world.b, new_code="990199102205")

    assert answer.status_code == 302
    listed = client.get(answer["Location"]).content.decode()
    assert "区划调整已生效：甲一村调整隶属乙镇(新代码990199102205)" in listed
    assert "测民〔2026〕8号" in listed
    assert Area.objects.get(code="990199102205").parent == world.b


def test_a_refused_change_shows_the_reason_on_the_form_and_writes_nothing(client, world):
    client.force_login(world.county_admin)
    answer = post(client, kind="merge", area=world.village_a, target=world.village_a)
    assert answer.status_code == 200
    assert "不能把村(社区)并入它自己" in answer.content.decode()
    answer = post(client, kind="rename", area=world.village_a, new_name="甲新村", effective_on=(TODAY - timedelta(days=60)).isoformat())
    assert "生效日期不能早于" in answer.content.decode()
    answer = post(client, kind="rename", area=world.village_a, new_name="甲新村", effective_on="2026-13-45")
    assert answer.status_code == 200 and "有效的日期" in answer.content.decode()
    assert not AreaChange.objects.exists() and not JournalEntry.objects.filter(verb__startswith="area.change").exists()


def test_a_scheduled_change_is_listed_as_waiting(client, world):
    client.force_login(world.county_admin)
    later = TODAY + timedelta(days=7)
    answer = post(client, kind="rename", area=world.village_a, new_name="甲新村", effective_on=later.isoformat())
    assert f"将于{later:%Y-%m-%d}生效" in client.get(answer["Location"]).content.decode()
    assert Area.objects.get(pk=world.village_a.pk).name == "甲一村"


def test_staff_without_the_county_administrator_role_get_no_page(client, world):
    for user in (world.dispatcher_a, world.leader_b):
        client.force_login(user)
        assert client.get(reverse("workbench:area_changes")).status_code == 403
        assert post(client, kind="rename", area=world.village_a, new_name="甲新村").status_code == 403
    assert not AreaChange.objects.exists()


def test_the_area_page_greys_the_retired_village_and_tells_its_history(client, world):
    client.force_login(world.county_admin)
    post(client, kind="move", area=world.village_a, target=world.b, new_code="990199102205")
    new_village = Area.objects.get(code="990199102205")

    client.force_login(world.leader_a)
    township_a = client.get(reverse("workbench:area", args=[world.a.pk])).content.decode()
    assert "已撤销的下级区划（1）" in township_a and "→ 甲一村" in township_a
    old_village = client.get(reverse("workbench:area", args=[world.village_a.pk])).content.decode()
    assert "撤销" in old_village and "甲一村调整隶属乙镇" in old_village
    # The new node is 乙镇's: 甲镇's leader does not reach it, 乙镇's does.
    assert client.get(reverse("workbench:area", args=[new_village.pk])).status_code == 404
    client.force_login(world.leader_b)
    assert client.get(reverse("workbench:area", args=[new_village.pk])).status_code == 200
    township_b = client.get(reverse("workbench:area", args=[world.b.pk])).content.decode()
    assert "990199102205" in township_b
    assert "甲一村调整隶属乙镇" in client.get(reverse("workbench:area", args=[new_village.pk])).content.decode()
    assert "甲一村调整隶属乙镇" not in client.get(reverse("workbench:area", args=[world.village_b.pk])).content.decode()
    # The map draws only today's tree.
    client.force_login(world.leader_a)
    shapes = client.get(reverse("workbench:areas_geojson") + f"?parent={world.a.pk}").json()
    assert [f["properties"]["name"] for f in shapes["features"]] == ["甲镇"]  # no village left: the township alone


def test_the_api_lists_todays_tree_and_the_retired_areas_on_request(client, world):
    from zhenjie.testing import Api

    client.force_login(world.county_admin)
    post(client, kind="move", area=world.village_a, target=world.b, new_code="990199102205")
    api = Api(client).as_("leader_a")
    names = {a["name"] for a in api.get("/api/areas").json()["items"]}
    assert names == {"甲镇"}
    history = {a["code"]: a for a in api.get("/api/areas", retired="true").json()["items"]}
    moved = history["990199101201"]
    assert moved["retired_on"] == TODAY.isoformat() and moved["successor_id"] == Area.objects.get(code="990199102205").pk
    api = Api(client).as_("dispatcher_b")
    assert "990199102205001" in {a["code"] for a in api.get("/api/areas").json()["items"]}
