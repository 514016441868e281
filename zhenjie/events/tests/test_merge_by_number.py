"""Merging asks for the number people see (issue 14 item 11), on the page and over the API: the
case is found among the user's own, and a number of another township is refused exactly as one
that does not exist."""

import pytest

from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.kernel.models import Case
from zhenjie.kernel.workflow import normalize_number
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["甲镇事〔2026〕第12号", "甲镇事〔2026〕12号", " 甲镇事[2026]12 号", "甲镇事（２０２６）第１２号", "甲镇事【2026】第012号"])
def test_a_number_is_read_as_people_type_it(typed):
    assert normalize_number(typed) == "甲镇事〔2026〕第12号"


@pytest.mark.parametrize("typed", ["", "12", "甲镇事2026第12号", "〔2026〕第12号", "甲镇事〔26〕第12号"])
def test_what_is_no_number_reads_as_none(typed):
    assert normalize_number(typed) == ""


@pytest.fixture
def pair(world):
    kept, duplicate = make_event(world), make_event(world, lng=116.011, lat=35.011)
    other = make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, channel="walk_in")  # 乙镇
    actions.register_event(world.dispatcher_a, kept)
    return world, kept, duplicate, other


def state(event) -> str:
    return Case.objects.get(pk=event.case_id).state


def test_the_page_merges_by_the_number_as_typed(pair, client):
    world, kept, duplicate, _ = pair
    client.force_login(world.dispatcher_a)
    page = client.get(f"/events/{duplicate.case_id}/").content.decode()
    assert "合并至(事件编号)" in page and "事件ID" not in page
    typed = kept.case.number.replace("第", "").replace("〔", "[").replace("〕", "]")  # 甲镇事[2026]1号
    response = client.post(f"/events/{duplicate.case_id}/act/merge/", {"into": typed})
    assert response.status_code == 302
    assert state(duplicate) == "merged" and Event.objects.get(pk=duplicate.pk).duplicate_of_id == kept.pk


@pytest.mark.parametrize("typed, message", [
    ("乙镇事〔2026〕第1号", "您的辖区内没有编号为乙镇事〔2026〕第1号的事件，请核对合并至"),  # exists, in 乙镇
    ("甲镇事〔2026〕第999号", "您的辖区内没有编号为甲镇事〔2026〕第999号的事件，请核对合并至"),  # exists nowhere
    ("第三件", "「第三件」不是事件编号，请按「××事〔2026〕第12号」的格式填写合并至"),
])
def test_the_page_refuses_other_townships_numbers_as_unknown_and_bad_input_in_chinese(pair, client, typed, message):
    world, _, duplicate, other = pair
    assert other.case.number == "乙镇事〔2026〕第1号"
    client.force_login(world.dispatcher_a)
    response = client.post(f"/events/{duplicate.case_id}/act/merge/", {"into": typed})
    assert response.status_code == 200 and message in response.content.decode()
    assert state(duplicate) == "reported"


def test_the_api_merges_by_number_and_refuses_like_the_page(pair, api):
    world, kept, duplicate, other = pair
    api.as_("dispatcher_a")
    for typed in (other.case.number, "甲镇事〔2026〕第999号"):
        response = api.post(f"/api/events/{duplicate.case_id}/merge", {"into": typed})
        assert response.status_code == 400 and response.json()["fields"] == {"into": f"您的辖区内没有编号为{typed}的事件，请核对合并至"}
    response = api.post(f"/api/events/{duplicate.case_id}/merge", {"into": "x" * 300})
    assert response.status_code == 400 and "into" in response.json()["fields"]
    response = api.post(f"/api/events/{duplicate.case_id}/merge", {})
    assert response.status_code == 400 and response.json()["fields"] == {"into": "「合并重复件」须填写合并至的事件编号"}
    assert state(duplicate) == "reported"

    merged = api.post(f"/api/events/{duplicate.case_id}/merge", {"into": kept.case.number.replace("第", "")})
    assert merged.status_code == 200 and merged.json()["state"] == "merged"
    assert api.get(f"/api/events/{duplicate.case_id}").json()["duplicate_of"] == kept.case_id


def test_the_api_still_takes_the_id_it_documented(pair, api):
    world, kept, duplicate, _ = pair
    merged = api.as_("dispatcher_a").post(f"/api/events/{duplicate.case_id}/merge", {"into_id": kept.case_id})
    assert merged.json()["state"] == "merged"
