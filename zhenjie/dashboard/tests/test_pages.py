"""The command screen's pages and JSON, and the analysis pages: what each person sees, the
exports, bad input, and a fixed number of queries whatever the number of events."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.calls import actions as calls
from zhenjie.events import actions
from zhenjie.events.models import EarlyWarning
from zhenjie.kernel.models import Case
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db

PAGES = ["dashboard:home", "dashboard:leader", "dashboard:analysis", "dashboard:warnings", "dashboard:due_soon", "dashboard:departments"]


def dispatched(world, **options):
    event = make_event(world, **options)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="清单未列明，由社会治理办处置")
    return event


def event_b(world, category="sanitation"):
    return make_event(world, category=category, reporter=world.dispatcher_b, lng=116.21, lat=35.01, description="乙镇的事件")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def test_the_pages_need_a_login_and_citizens_are_sent_away(client, world):
    for name in PAGES + ["dashboard:data", "dashboard:points"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_navigation_leads_to_the_screen_and_the_analysis(client, world):
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("workbench:home")).content.decode()
    assert f'href="{reverse("dashboard:home")}"' in page and f'href="{reverse("dashboard:analysis")}"' in page
    screen = client.get(reverse("dashboard:home")).content.decode()
    assert "甲镇<span class=\"sep\">·</span>社会治理综合指挥大屏" in screen
    # No tiles unless configured: the shared base-map config is empty (workbench/basemap.py).
    assert 'data-refresh="30"' in screen and '<script id="zhenjie-basemap" type="application/json">null</script>' in screen


def test_a_tile_server_is_used_only_when_the_setting_names_one(client, world, settings):
    settings.MAP_TILE_URL = "http://tiles.county.intranet/{z}/{x}/{y}.png"
    client.force_login(world.dispatcher_a)
    screen = client.get(reverse("dashboard:home")).content.decode()
    assert '"url": "http://tiles.county.intranet/{z}/{x}/{y}.png"' in screen and '"source": "server"' in screen


def test_the_screen_data_counts_only_the_users_township(client, world):
    dispatched(world)
    make_event(world, category="noise")
    event_b(world)
    client.force_login(world.dispatcher_a)
    data = client.get(reverse("dashboard:data")).json()
    assert data["counts"]["reported_today"] == 2 and data["counts"]["open"] == 2
    assert {row["name"]: row["value"] for row in data["by_category"]} == {"环境卫生": 1, "噪声扰民": 1}
    assert [row["name"] for row in data["by_area"]] == ["甲一村"]
    assert sum(data["trend"]["reported"]) == 2
    client.force_login(world.dispatcher_b)
    data = client.get(reverse("dashboard:data")).json()
    assert data["counts"]["reported_today"] == 1 and [row["name"] for row in data["by_area"]] == ["乙一村"]


def test_the_liaison_sees_no_events_only_the_departments_calls(client, world):
    event = dispatched(world)
    calls.call_departments(world.dispatcher_a, event.case, [world.police], "请派员协助", 3)
    event_b(world)
    client.force_login(world.liaison)
    data = client.get(reverse("dashboard:data")).json()
    assert set(data["counts"].values()) == {0}
    assert data["by_category"] == data["by_channel"] == data["by_area"] == []
    assert [row["name"] for row in data["ranking"]] == ["测试县公安局"]
    assert client.get(reverse("dashboard:points")).json()["points"] == []
    assert "您的岗位没有辖区" in client.get(reverse("dashboard:home")).content.decode()


def test_map_points_are_the_users_open_events_and_a_bad_viewport_is_ignored(client, world):
    mine = dispatched(world)
    event_b(world)
    client.force_login(world.dispatcher_a)
    for query in ("", "?bbox=116,35,116.1,35.1", "?bbox=abc", "?bbox=1,2,3", "?bbox=200,0,10,10", "?bbox=nan,nan,nan,nan"):
        points = client.get(reverse("dashboard:points") + query).json()["points"]
        assert [p["id"] for p in points] == [mine.case_id], query
    assert client.get(reverse("dashboard:points") + "?bbox=116.2,35,116.3,35.1").json()["points"] == []  # B's land


def test_the_early_warning_shows_on_the_page_and_reaches_the_leaders_messages(client, world):
    for _ in range(3):
        make_event(world, category="noise")
    client.force_login(world.leader_a)
    messages = client.get(reverse("workbench:notifications")).content.decode()
    assert "【预警】甲一村7天内发生3起噪声扰民" in messages
    page = client.get(reverse("dashboard:warnings")).content.decode()
    assert "甲一村</span> 7天内发生 <strong>3</strong> 起噪声扰民" in page
    assert 'data-testid="open-warnings">1<' in page
    screen = client.get(reverse("dashboard:data")).json()
    assert screen["counts"]["warnings"] == 1 and screen["warnings"][0]["text"] == "甲一村 7天内3起噪声扰民"
    client.force_login(world.leader_b)
    assert "噪声扰民" not in client.get(reverse("dashboard:warnings") + "?state=all").content.decode()
    assert client.get(reverse("dashboard:data")).json()["counts"]["warnings"] == 0


def test_a_leader_acknowledges_a_warning_from_the_list(client, world):
    for _ in range(3):
        make_event(world, category="noise")
    warning = EarlyWarning.objects.get()
    url = reverse("dashboard:warning_acknowledge", args=[warning.pk])
    client.force_login(world.leader_b)
    assert client.post(url, {"note": "x"}).status_code == 404  # another township's warning
    client.force_login(world.clerk_a)
    row = client.post(url, {"note": "x"}, HTTP_HX_REQUEST="true").content.decode()
    assert "只有本乡镇(街道)的领导或指挥中心调度员可以确认预警" in row
    client.force_login(world.leader_a)
    row = client.post(url, {"note": "已安排夜查"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已确认 · leader_a" in row
    assert EarlyWarning.objects.get().acknowledged_by == world.leader_a
    assert "没有待确认的预警" in client.get(reverse("dashboard:warnings")).content.decode()
    assert "已确认 · leader_a" in client.get(reverse("dashboard:warnings") + "?state=all").content.decode()
    client.force_login(world.dispatcher_a)
    assert "该预警已由leader_a确认" in client.post(url, {"note": ""}).content.decode()


def test_the_due_soon_list_and_its_export_hold_only_the_users_cases(client, world):
    mine = dispatched(world, description="甲镇将超期")
    late = dispatched(world, description="甲镇已超期")
    other = event_b(world)
    now = timezone.now()
    Case.objects.filter(pk=mine.case_id).update(due_at=now + timedelta(hours=6))
    Case.objects.filter(pk=late.case_id).update(due_at=now - timedelta(hours=6))
    Case.objects.filter(pk=other.case_id).update(due_at=now + timedelta(hours=6), state="dispatched")
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("dashboard:due_soon")).content.decode()
    assert "甲镇将超期" in page and "甲镇已超期" not in page and "乙镇" not in page
    assert "甲镇已超期" in client.get(reverse("dashboard:due_soon") + "?show=overdue").content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:due_soon") + "?format=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("类型", "编号", "标题", "类别/被呼叫部门")
    assert [(row[0], row[3], row[4]) for row in rows[1:]] == [("事件", "环境卫生", "甲一村第1网格")]
    assert "甲镇将超期" in rows[1][2] and 5 < rows[1][7] <= 6
    client.force_login(world.dispatcher_b)
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:due_soon") + "?format=xlsx").content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["环境卫生：乙镇的事件"]


def test_the_department_table_and_its_export(client, world):
    event = dispatched(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请依法查处", 3)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已查处")
    calls.confirm_call(world.dispatcher_a, call)
    calls.rate_call(world.dispatcher_a, call, 4, "及时")
    client.force_login(world.leader_a)
    page = client.get(reverse("dashboard:departments")).content.decode()
    assert "测试县公安局" in page and "100.0%" in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:departments") + "?format=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名次", "部门", "收到呼叫", "按时响应", "按时响应率(%)", "办结", "按时办结", "按时办结率(%)", "平均评价", "类型")
    assert rows[1] == (1, "测试县公安局", 1, 1, 100, 1, 1, 100, 4, "县直部门")
    client.force_login(world.leader_b)
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:departments") + "?format=xlsx").content)).active
    assert sheet.max_row == 1  # headers only: township B called no one


def test_the_analysis_page_shows_the_figures_and_bad_filters_are_explained_or_404(client, world):
    dispatched(world)
    make_event(world, category="noise", channel="citizen")
    event_b(world)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("dashboard:analysis")).content.decode()
    assert 'data-testid="total-reported">2<' in page
    assert '<td>噪声扰民</td><td class="text-end">1</td>' in page and "乙一村" not in page
    page = client.get(reverse("dashboard:analysis") + "?weeks=abc").content.decode()
    assert "统计周期「abc」无效，已按近12周统计" in page
    assert client.get(reverse("dashboard:analysis") + f"?area={world.village_b.pk}").status_code == 404
    assert client.get(reverse("dashboard:analysis") + "?area=abc").status_code == 404
    assert client.get(reverse("dashboard:departments") + f"?area={world.b.pk}").status_code == 404
    page = client.get(reverse("dashboard:analysis") + f"?weeks=4&area={world.village_a.pk}").content.decode()
    assert 'data-testid="total-reported">2<' in page and "甲一村第1网格" in page


COUNTED = ["dashboard:data", "dashboard:points", "dashboard:analysis", "dashboard:warnings", "dashboard:due_soon",
           "dashboard:departments", "dashboard:home", "dashboard:leader"]


def test_pages_and_endpoints_run_the_same_number_of_queries_at_3_and_30_events(client, world):
    def add(count):
        for index in range(count):
            # Three of a kind in a row (so the first three already raise a warning), deadlines
            # spread from 10 hours overdue to 19 hours ahead (so both lists have rows at 3).
            event = dispatched(world, category=("sanitation", "noise", "road_facility")[index // 3 % 3], lng=116.001 + index / 1000)
            if index % 3 == 0:
                calls.call_departments(world.dispatcher_a, event.case, [world.police], "请协助", 3)
            Case.objects.filter(pk=event.case_id).update(due_at=timezone.now() + timedelta(hours=index * 7 % 30 - 10))

    add(3)
    assert EarlyWarning.objects.exists()
    client.force_login(world.dispatcher_a)
    for name in COUNTED:
        client.get(reverse(name))  # warm the session and caches
    small = {name: count_queries(client, reverse(name)) for name in COUNTED}
    add(27)
    assert {name: count_queries(client, reverse(name)) for name in COUNTED} == small


def test_the_county_administrator_changes_the_warning_threshold_on_a_page(client, world):
    client.force_login(world.dispatcher_a)
    assert client.get(reverse("dashboard:warning_settings")).status_code == 403
    assert "预警设置" not in client.get(reverse("dashboard:warnings")).content.decode()
    client.force_login(world.county_admin)
    assert "预警设置" in client.get(reverse("dashboard:warnings")).content.decode()
    shown = re.search(r'name="version" value="(\d+)"', client.get(reverse("dashboard:warning_settings")).content.decode())
    version = shown.group(1)  # the settings the page showed
    response = client.post(reverse("dashboard:warning_settings"), {"warning_threshold": "1", "warning_window_days": "abc", "version": version})
    page = response.content.decode()
    assert "输入整数" in page
    response = client.post(reverse("dashboard:warning_settings"), {"warning_threshold": "1", "warning_window_days": "5", "warning_scope": "village", "version": version})
    assert "预警阈值须在2至100件之间" in response.content.decode()
    response = client.post(reverse("dashboard:warning_settings"), {"warning_threshold": "4", "warning_window_days": "5", "warning_scope": "county", "version": version})
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(reverse("dashboard:warning_settings"), {"warning_threshold": "4", "warning_window_days": "5", "warning_scope": "grid", "version": version})
    assert response.status_code == 302
    # A second administrator's page, opened before that save, does not put its older values back.
    stale = client.post(reverse("dashboard:warning_settings"), {"warning_threshold": "9", "warning_window_days": "9", "warning_scope": "village", "version": version})
    assert stale.status_code == 200 and "设置刚被他人修改，请刷新后重试" in stale.content.decode()
    client.force_login(world.leader_a)
    assert "同一网格同一类别事件5天内达到4件即预警" in client.get(reverse("dashboard:warnings")).content.decode()
