"""The 12345 hotline's return visits (回访结果) imported from its spreadsheet land on the right
events, show on the event page and API and in the export; bad rows are refused, each by row in
Chinese, and nothing is half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from zhenjie.integrations.models import HotlineSatisfaction
from zhenjie.integrations.tests.test_hotline_answers import hotline_event
from zhenjie.kernel.models import JournalEntry
from django.test import TestCase

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.actions import create_area
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category
from zhenjie.testing import make_event, make_other_county, make_user, square
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

URL = "/integrations/hotline/satisfaction/"
HEADER = ["工单编号", "回访结果", "回访时间", "回访意见"]


def sheet(*rows, header=HEADER) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("回访结果.xlsx", buffer.getvalue())


def upload(client, user, file):
    client.force_login(user)
    return client.post(URL, {"file": file})


def test_visits_land_on_their_events_and_show_on_the_page_api_and_export(world, client):
    first = hotline_event(world, "12345-A-0001")
    second = hotline_event(world, "12345-A-0002")
    response = upload(client, world.dispatcher_a, sheet(
        ["12345-A-0001", "满意", "2026-12-01 15:30", "处理及时"], ["12345-A-0002", "不满意", "2026/12/02 09:00", "垃圾又堆起来了"]))
    assert response.status_code == 302, response.content.decode()
    visits = {v.event_id: v for v in HotlineSatisfaction.objects.all()}
    assert (visits[first.pk].get_result_display(), visits[first.pk].comment) == ("满意", "处理及时")
    assert visits[second.pk].result == "dissatisfied"
    assert JournalEntry.objects.filter(verb="hotline_satisfaction_import").count() == 1
    page = client.get(f"/events/{second.case_id}/").content.decode()
    assert "回访结果" in page and "不满意" in page and "垃圾又堆起来了" in page
    body = client.get(f"/api/events/{second.case_id}").json()
    assert body["hotline_satisfaction"]["result_label"] == "不满意"
    export = client.get("/events/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    header = list(rows[0])
    assert {"工单编号", "办理结果", "回访结果"} <= set(header)
    by_order = {row[header.index("工单编号")]: row for row in rows[1:]}
    assert by_order["12345-A-0002"][header.index("回访结果")] == "不满意 垃圾又堆起来了"
    # A second import of the same order replaces the visit.
    assert upload(client, world.dispatcher_a, sheet(["12345-A-0002", "基本满意", "2026-12-03 10:00", ""])).status_code == 302
    assert HotlineSatisfaction.objects.get(event=second).result == "fairly" and HotlineSatisfaction.objects.count() == 2


def test_bad_rows_are_reported_each_in_chinese_and_nothing_is_written(world, client):
    hotline_event(world, "12345-A-0001")
    other_county, _ = make_other_county()
    township, _ = create_area(None, code="990299101000", name="邻县丙镇", level="township", parent=other_county, township_kind="town",
                              boundary=square(117.0, 35.0, 0.2))
    centre = create_unit(None, name="丙镇指挥中心", kind=Unit.Kind.CENTRE, area=township)
    other_dispatcher = make_user("other_dispatcher", centre, [RoleCode.DISPATCHER], township)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report_event(other_dispatcher, Report(channel="hotline", category=Category.objects.get(code="sanitation"), description="邻县的工单",
                                              area=township, external_id="12345-B-0009"))
    response = upload(client, world.dispatcher_a, sheet(
        ["12345-A-0001", "满意", "2026-12-01 15:30", ""],
        ["12345-X-9999", "满意", "2026-12-01 15:30", ""],
        ["12345-B-0009", "满意", "2026-12-01 15:30", ""],
        ["12345-A-0001", "满意", "2026-12-01 15:30", ""],
        ["", "非常好", "明天", ""],
        ["12345-A-0003", "满意", "2099-01-01 00:00", ""],
    ))
    assert response.status_code == 400
    page = response.content.decode()
    for text in ("整个文件未导入", "没有编号为「12345-X-9999」的12345工单事件", "该工单属于其他县", "与第2行的工单编号重复",
                 "「非常好」不是满意、基本满意或不满意", "日期时间格式不正确", "回访时间晚于当前时间"):
        assert text in page, text
    assert not HotlineSatisfaction.objects.exists()


def test_another_townships_order_and_a_formula_are_refused(world, client):
    report_event(world.dispatcher_b, Report(channel="hotline", category=Category.objects.get(code="sanitation"), description="乙镇的工单",
                                            lng=116.21, lat=35.01, external_id="12345-B-0001"))
    hotline_event(world, "12345-A-0001")
    response = upload(client, world.dispatcher_a, sheet(["12345-B-0001", "满意", "2026-12-01 15:30", ""],
                                                        ["12345-A-0001", "满意", "2026-12-01 15:30", '=HYPERLINK("http://x","点我")']))
    page = response.content.decode()
    assert response.status_code == 400 and "该工单的事件不在您的辖区内" in page and "不接受公式" in page
    assert not HotlineSatisfaction.objects.exists()


def test_only_dispatchers_and_county_administrators_import_and_the_file_must_be_a_workbook(world, client):
    hotline_event(world, "12345-A-0001")
    client.force_login(world.clerk_a)
    assert client.get(URL).status_code == 403
    response = upload(client, world.dispatcher_a, SimpleUploadedFile("回访结果.xlsx", b"not a workbook"))
    assert response.status_code == 400 and "不是有效的 .xlsx 工作簿" in response.content.decode()
    response = upload(client, world.dispatcher_a, sheet(["12345-A-0001", "满意"], header=["工单编号", "回访结果"]))
    assert response.status_code == 400 and "缺少「回访时间」列" in response.content.decode()
    assert client.get(URL + "template.xlsx").status_code == 200
    assert not HotlineSatisfaction.objects.exists()


def test_the_export_carries_the_order_number_and_result_of_a_closed_or_refused_event(world, client):
    from zhenjie.events import actions

    event = hotline_event(world, "12345-A-0042")
    actions.reject_event(world.dispatcher_a, event, "不属于政府职责范围")
    make_event(world)  # a grid event: no order number
    client.force_login(world.dispatcher_a)
    rows = list(load_workbook(io.BytesIO(client.get("/events/?format=xlsx").content)).active.values)
    header = list(rows[0])
    values = [(row[header.index("工单编号")], row[header.index("办理结果")]) for row in rows[1:]]
    assert ("12345-A-0042", "不属于政府职责范围") in values and (None, None) in values
