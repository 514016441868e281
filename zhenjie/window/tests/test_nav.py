"""The window's navigation entries by role (workbench/navigation.py): each role sees its own
entries and no others'; the figures entry appears only once its page exists."""

import pytest
from django.test import Client
from django.urls import reverse

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.workbench.navigation import sections_for

ALL = {"办件", "受理队列", "待审批", "大厅叫号", "村级代办点", "我的代办点", "办件统计", "窗口设置"}


def window_entries(roles, path="/") -> dict[str, dict]:
    section = next((s for s in sections_for(frozenset(roles), path) if s["title"] == "便民服务"), {"items": []})
    return {entry["label"]: entry for entry in section["items"]}


@pytest.mark.parametrize("roles, expected", [
    ({R.WINDOW_CLERK}, {"办件", "受理队列", "大厅叫号", "村级代办点", "办件统计"}),
    ({R.VILLAGE_AGENT}, {"办件", "受理队列", "我的代办点"}),
    ({R.BACK_OFFICE_HANDLER}, {"办件", "待审批"}),
    ({R.DEPARTMENT_LIAISON}, {"办件", "待审批"}),
    ({R.TOWNSHIP_LEADER}, {"办件", "大厅叫号", "村级代办点", "办件统计"}),
    ({R.COUNTY_ADMIN}, {"办件", "村级代办点", "办件统计", "窗口设置"}),
    ({R.GRID_WORKER}, set()),
    ({R.DISPATCHER}, set()),
])
def test_each_role_sees_its_window_entries_and_no_others(roles, expected):
    entries = window_entries(roles)
    assert set(entries) == expected
    assert all(entry["url"] for entry in entries.values())  # every entry shown is a live link


def test_the_longest_matching_entry_is_the_active_one():
    entries = window_entries({R.WINDOW_CLERK}, "/window/queue/")
    assert [label for label, entry in entries.items() if entry["active"]] == ["受理队列"]
    assert [label for label, entry in window_entries({R.WINDOW_CLERK}, "/window/12/").items() if entry["active"]] == ["办件"]


@pytest.mark.django_db
def test_the_clerks_page_shows_the_window_entries(world):
    from zhenjie.window.testing import make_window_world

    ww = make_window_world(world)
    client = Client()
    client.force_login(ww.backoffice_a)
    page = client.get(reverse("window:home")).content.decode()
    assert "待审批" in page and "受理队列" not in page and "窗口设置" not in page
