"""办理质量 (issue 14 item 2): rework, on-time and first-time-right rates per handling unit and per
category, on the analysis page, in its export and over the API, each count opening exactly the
events behind it in the events list; scoped to the user's jurisdiction; bad filter values
answered in Chinese. A small data set whose every number is known:

township A, reported within the last 30 days —
  q1 sanitation, 社会治理办: verification failed once (one rework), then passed, closed late;
  q2 dispute, 社会治理办: verified and closed in time, first time;
  q3 sanitation, 甲一村村委会: reported back and verified, not closed;
  q4 sanitation, 社会治理办: dispatched, not reported back (not counted);
  q5 dispute, 社会治理办: closed, but reported 40 days ago (outside the period);
township B — b1 sanitation, 乙镇人民政府: one failed verification."""

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.events import actions, quality
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.kernel.models import Case
from zhenjie.testing import api  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def report(world, category, *, days_ago=0, reporter=None, lng=116.01, lat=35.01):
    return report_event(reporter or world.grid_worker_a, Report(
        channel="grid", category=Category.objects.get(code=category), description=f"{category}事件", lng=lng, lat=lat,
        reported_at=timezone.now() - timedelta(days=days_ago),
    ))


def fresh(event):
    return Event.objects.select_related("case").get(pk=event.pk)


def handled(world, event, unit, handler, dispatcher=None):
    dispatcher = dispatcher or world.dispatcher_a
    actions.register_event(dispatcher, event)
    actions.dispatch_event(dispatcher, fresh(event), unit=unit, reason="由该单位处置")
    actions.acknowledge_event(handler, fresh(event))
    actions.start_handling(handler, fresh(event))
    actions.report_back(handler, fresh(event), "已处置")
    return fresh(event)


@pytest.fixture
def known(world):
    q1 = handled(world, report(world, "sanitation", days_ago=5), world.office_a, world.clerk_a)
    actions.verify_event(world.grid_worker_a, q1, passed=False, note="仍有残留")
    actions.report_back(world.clerk_a, fresh(q1), "已彻底清理")
    actions.verify_event(world.grid_worker_a, fresh(q1), passed=True)
    Case.objects.filter(pk=q1.case_id).update(due_at=timezone.now() - timedelta(hours=1))
    actions.close_event(world.dispatcher_a, fresh(q1))
    q2 = handled(world, report(world, "dispute", days_ago=2), world.office_a, world.clerk_a)
    actions.verify_event(world.grid_worker_a, q2, passed=True)
    actions.close_event(world.dispatcher_a, fresh(q2))
    q3 = handled(world, report(world, "sanitation", days_ago=1), world.committee_a, world.agent_a)
    actions.verify_event(world.dispatcher_a, q3, passed=True)
    q4 = report(world, "sanitation")
    actions.register_event(world.dispatcher_a, q4)
    actions.dispatch_event(world.dispatcher_a, fresh(q4), unit=world.office_a, reason="由该单位处置")
    q5 = handled(world, report(world, "dispute", days_ago=40), world.office_a, world.clerk_a)
    actions.verify_event(world.grid_worker_a, q5, passed=True)
    actions.close_event(world.dispatcher_a, fresh(q5))
    b1 = handled(world, report(world, "sanitation", reporter=world.dispatcher_b, lng=116.21), world.gov_b, world.leader_b, world.dispatcher_b)
    actions.verify_event(world.dispatcher_b, b1, passed=False, note="不合格")
    return {name: fresh(e) for name, e in {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "b1": b1}.items()}


def numbers(*events):
    return {e.case.number for e in events}


def listed_numbers(page: str) -> set[str]:
    table = page.split('data-testid="event-table"', 1)[1]
    return set(re.findall(r"[甲乙]镇事〔\d{4}〕第\d+号", table))


def link(page: str, table: str, key, quality_name: str) -> str:
    section = page.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    row = section.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    return unescape(re.search(rf'href="([^"]+)" data-testid="link-{quality_name}"', row).group(1))


def test_the_figures_per_unit_and_category_with_the_counts_behind_them(world, known):
    with CaptureQueriesContext(connection) as queries:
        found = quality.figures(world.dispatcher_a, quality.choose(world.dispatcher_a, default_period=True))
    assert len(queries) <= 4  # the user's reach, then three aggregates: whatever the units and events
    units = {row.name: (row.reported_back, row.rework, row.rework_rate, row.closed, row.on_time, row.on_time_rate, row.first_time, row.first_time_rate)
             for row in found.units}
    assert units == {
        "甲镇社会治理办公室": (2, 1, 50.0, 2, 1, 50.0, 1, 50.0),
        "甲一村村民委员会": (1, 0, 0.0, 0, 0, None, 0, None),
    }
    categories = {row.name: (row.reported_back, row.rework, row.closed, row.late, row.first_time) for row in found.categories}
    assert categories == {"环境卫生": (2, 1, 1, 1, 0), "矛盾纠纷": (1, 0, 1, 0, 1)}
    total = found.total
    assert (total.reported_back, total.rework, total.rework_rate, total.closed, total.on_time_rate, total.first_time_rate) == (3, 1, 33.3, 2, 50.0, 50.0)
    assert [row.name for row in found.units] == ["甲镇社会治理办公室", "甲一村村民委员会"]  # the worst first


def test_a_failed_verification_shows_in_the_units_rework_rate_and_its_link_opens_exactly_those_cases(client, world, known):
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("dashboard:quality")).content.decode()
    assert "办理质量" in page and 'data-testid="quality-units"' in page
    office = page.split('data-key="%d"' % world.office_a.pk, 1)[1].split("</tr>", 1)[0]
    assert "50.0%" in office.split('data-testid="rework-rate"', 1)[1][:20]
    listed = client.get(link(page, "quality-units", world.office_a.pk, "rework"))
    assert listed.status_code == 200
    assert listed_numbers(listed.content.decode()) == numbers(known["q1"])
    assert "办理质量：返工" in listed.content.decode()
    behind = {
        ("quality-units", world.office_a.pk, "reported_back"): ("q1", "q2"),
        ("quality-units", world.office_a.pk, "late"): ("q1",),
        ("quality-units", world.office_a.pk, "first_time"): ("q2",),
        ("quality-units", world.committee_a.pk, "reported_back"): ("q3",),
        ("quality-categories", "sanitation", "reported_back"): ("q1", "q3"),
        ("quality-categories", "dispute", "on_time"): ("q2",),
    }
    for (table, key, name), expected in behind.items():
        shown = listed_numbers(client.get(link(page, table, key, name)).content.decode())
        assert shown == numbers(*(known[e] for e in expected)), (table, key, name)
    # The export holds the same figures.
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard:quality") + "?format=xlsx").content)).active
    rows = {(r[0], r[1]): r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("处置单位", "甲镇社会治理办公室")] == (2, 1, 50, 2, 1, 50, 1, 50)
    assert rows[("合计", "合计")][:3] == (3, 1, 33.3)


def test_the_api_gives_the_same_figures_and_its_links_list_the_same_cases(api, world, known):
    body = api.as_("dispatcher_a").get("/api/analysis/quality").json()
    office = next(row for row in body["units"] if row["key"] == world.office_a.pk)
    assert (office["reported_back"], office["rework"], office["rework_rate"], office["late"]) == (2, 1, 50.0, 1)
    items = api.get(office["cases"]["rework"]).json()["items"]
    assert [item["id"] for item in items] == [known["q1"].case_id]
    first = api.get(body["total"]["cases"]["first_time"]).json()
    assert [item["id"] for item in first["items"]] == [known["q2"].case_id] and first["count"] == 1


def test_another_township_sees_neither_the_figures_nor_the_cases_of_township_a(client, api, world, known):
    client.force_login(world.dispatcher_b)
    page = client.get(reverse("dashboard:quality")).content.decode()
    assert "乙镇人民政府" in page and "甲镇社会治理办公室" not in page and "甲一村" not in page
    gov_b = page.split('data-key="%d"' % world.gov_b.pk, 1)[1].split("</tr>", 1)[0]
    assert "100.0%" in gov_b.split('data-testid="rework-rate"', 1)[1][:20]
    assert listed_numbers(client.get(link(page, "quality-units", world.gov_b.pk, "rework")).content.decode()) == numbers(known["b1"])
    # Township A's link, followed by B: A's unit is not theirs; without it, only B's events.
    client.force_login(world.dispatcher_a)
    a_link = link(client.get(reverse("dashboard:quality")).content.decode(), "quality-units", world.office_a.pk, "reported_back")
    client.force_login(world.dispatcher_b)
    refused = client.get(a_link)
    assert refused.status_code == 400 and "所选单位不存在或不在您的辖区内" in refused.content.decode()
    assert listed_numbers(client.get(reverse("events:home") + "?quality=reported_back").content.decode()) == numbers(known["b1"])
    body = api.as_("dispatcher_b").get("/api/analysis/quality").json()
    assert [row["name"] for row in body["units"]] == ["乙镇人民政府"] and body["total"]["reported_back"] == 1
    answer = api.get("/api/analysis/quality", unit=world.office_a.pk)
    assert answer.status_code == 400 and answer.json()["message"] == "所选单位不存在或不在您的辖区内"


@pytest.mark.parametrize("query, message", [
    ("unit=999999", "所选单位不存在或不在您的辖区内"),
    ("unit=abc", "所选单位不存在或不在您的辖区内"),
    ("unit=99999999999999999999999", "所选单位不存在或不在您的辖区内"),
    ("from=2026-02-30", "起始日期「2026-02-30」无效"),
    ("to=yesterday", "截止日期「yesterday」无效"),
    ("from=2026-03-02&to=2026-03-01", "起始日期不能晚于截止日期"),
    ("from=2024-01-01&to=2026-01-01", "统计期间不能超过366天"),
    ("quality=worst", "办理质量筛选须为"),
    ("category=nothing", "所选事件类别不存在"),
])
def test_bad_filter_values_are_answered_in_chinese_on_the_page_the_list_and_the_api(client, api, world, query, message):
    client.force_login(world.dispatcher_a)
    for url in (reverse("dashboard:quality"), reverse("events:home")):
        if url == reverse("dashboard:quality") and query.startswith("quality="):
            continue  # the page shows every quality; the parameter is the list's
        answer = client.get(f"{url}?{query}")
        assert answer.status_code == 400 and message in answer.content.decode(), (url, query)
    api_query = query.replace("from=", "reported_from=").replace("to=", "reported_to=")
    path = "/api/events" if query.startswith(("quality=", "category=")) else "/api/analysis/quality"
    answer = api.as_("dispatcher_a").get(f"{path}?{api_query}")
    if query.startswith("category="):  # the API's list reads a category code as it always did: none such, no events
        assert answer.status_code == 200 and answer.json()["count"] == 0
        answer = api.get(f"/api/analysis/quality?{api_query}")
    assert answer.status_code == 400, (path, api_query, answer.content)
    assert re.search(r"[\u4e00-\u9fff]", answer.json()["message"])


def test_the_page_reads_the_same_number_of_queries_however_many_units_and_events(client, world, known):
    client.force_login(world.dispatcher_a)
    url = reverse("dashboard:quality")
    client.get(url)  # warm the per-process caches (calendar, categories)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for unit, handler in ((world.committee_a, world.agent_a), (world.centre_a, world.dispatcher_a), (world.office_a, world.clerk_a)):
        handled(world, report(world, "noise", days_ago=3), unit, handler)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert "甲镇社会治理综合指挥中心" in page.content.decode()  # a third unit, a third category: no more queries
    assert len(after) == len(before)
