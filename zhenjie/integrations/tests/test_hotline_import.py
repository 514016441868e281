"""12345 work-order spreadsheets: a dispatcher uploads the hotline platform's export and the
orders land in the right township's queue — all of them, or, with any error, none of them and an
error report naming row, column and reason."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from zhenjie.areas.actions import create_area
from zhenjie.events.models import Event
from zhenjie.integrations.hotline_import import COLUMNS, import_orders
from zhenjie.integrations.models import HotlineImport
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.models import Case
from zhenjie.testing import square

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def order(number="12345-001", **changes):
    row = {
        "工单编号": number, "来电时间": datetime(2026, 11, 20, 9, 30), "诉求人": "王女士", "联系电话": "13800001234",
        "诉求内容": "小区门口垃圾两天无人清运", "事发地址": "甲一村3组", "问题分类": "环境卫生", "所属镇街": "甲镇", "所属村社区": "甲一村",
        "经度": None, "纬度": None,
    }
    row.update(changes)
    return row


def sheet(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, user, content: bytes, name="12345工单.xlsx"):
    client.force_login(user)
    response = client.post(reverse("integrations:hotline_imports"), {"file": SimpleUploadedFile(name, content)})
    return response


def last_import() -> HotlineImport:
    return HotlineImport.objects.order_by("-pk").first()


def error_rows(client, record) -> list[tuple]:
    response = client.get(reverse("integrations:hotline_import_errors", args=[record.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [tuple(row) for row in book["错误"].iter_rows(min_row=2, values_only=True)]


def test_imported_orders_land_in_the_dispatchers_queue_on_the_hotline_channel(client, world):
    response = upload(client, world.dispatcher_a, sheet([order("12345-001"), order("12345-002", 所属村社区=None, 问题分类="noise")]))
    record = last_import()
    assert response.status_code == 302 and response["Location"] == reverse("integrations:hotline_import", args=[record.pk])
    assert (record.state, record.created_count, record.total_rows) == ("succeeded", 2, 2)
    first, second = Event.objects.select_related("case__area").order_by("case__external_id")
    assert (first.channel, first.case.external_id, first.case.area, first.category.name) == ("hotline", "12345-001", world.village_a, "环境卫生")
    assert first.reported_at == timezone.make_aware(datetime(2026, 11, 20, 9, 30)) == first.case.opened_at
    assert (first.reporter_name, first.reporter_phone_masked) == ("王女士", "138****1234")
    assert (second.case.area, second.category.code) == (world.a, "noise")
    assert sorted(a.todo for a in inbox_for(world.dispatcher_a)) == ["register", "register"]
    page = client.get(response["Location"])
    assert "已导入2件" in page.content.decode()


def test_a_county_administrator_imports_for_every_township_into_each_ones_queue(client, world):
    upload(client, world.county_admin, sheet([order("A-1"), order("B-1", 所属镇街="乙镇", 所属村社区="乙一村", 事发地址="乙一村")]))
    assert last_import().state == "succeeded"
    assert [a.case.external_id for a in inbox_for(world.dispatcher_a)] == ["A-1"]
    assert [a.case.external_id for a in inbox_for(world.dispatcher_b)] == ["B-1"]


def test_a_position_places_the_order_in_its_grid(client, world):
    upload(client, world.dispatcher_a, sheet([order(经度=116.02, 纬度=35.02)]))
    assert Event.objects.get().case.area == world.grid_a


def test_any_error_imports_nothing_and_the_report_names_row_column_and_reason(client, world):
    rows = [
        order("OK-1"),
        order("BAD-CAT", 问题分类="市容环境"),
        order("BAD-TOWN", 所属镇街="丙镇"),
        order("BAD-VILLAGE", 所属村社区="乙一村"),
        order("OK-1"),
        order("BAD-DATE", 来电时间="上周三"),
        order("LONG", 诉求内容="长" * 4001),
        order("", 诉求内容=""),
        order("FAR", 经度=116.3, 纬度=35.02),
        order("HALF", 经度=116.02),
        order("FUTURE", 来电时间=datetime(2099, 1, 1)),
    ]
    upload(client, world.dispatcher_a, sheet(rows))
    record = last_import()
    assert (record.state, record.created_count) == ("refused", 0)
    assert not Event.objects.exists() and not Case.objects.exists()
    assert record.message.startswith(f"发现{record.error_count}处错误，整个文件未导入")
    found = {(row, column): reason for row, column, _, reason in error_rows(client, record)}
    assert found[(3, "问题分类")].startswith("事件类别不存在或已停用")
    assert found[(4, "所属镇街")] == "测试县没有这个乡镇(街道)"
    assert found[(5, "所属村社区")] == "甲镇没有这个村(社区)"
    assert found[(6, "工单编号")] == "与第2行的工单编号重复"
    assert found[(7, "来电时间")] == "日期时间格式不正确，应如 2026-11-23 09:30"
    assert found[(8, "诉求内容")] == "超过4000字(现有4001字)"
    assert found[(9, "工单编号")] == "必填" and found[(9, "诉求内容")] == "必填"
    assert found[(10, "经度")] == "经纬度不在甲一村范围内"
    assert found[(11, "经度")] == "经度和纬度须同时填写"
    assert found[(12, "来电时间")] == "来电时间晚于当前时间"
    assert not any(row == 2 for row, _ in found)


def test_another_townships_orders_are_refused_for_a_township_dispatcher(client, world):
    upload(client, world.dispatcher_a, sheet([order("A-1"), order("B-1", 所属镇街="乙镇", 所属村社区="乙一村")]))
    record = last_import()
    assert record.state == "refused" and not Event.objects.exists()
    assert (3, "所属镇街", "乙镇", "乙镇不在您的辖区内") in error_rows(client, record)


def test_a_number_taken_in_another_township_does_not_say_whose_event_holds_it(client, world):
    """Issue 12 item 7: the import answers within the importer's reach. Township B's dispatcher
    learns that A's order number is taken — it cannot be used twice — but not the event, its
    number or its township; the whole file is refused as for any other error."""
    upload(client, world.dispatcher_a, sheet([order("12345-001")]))
    earlier = Event.objects.select_related("case").get()
    upload(client, world.dispatcher_b, sheet([order("12345-001", 所属镇街="乙镇", 所属村社区="乙一村", 事发地址="乙一村")]))
    record = last_import()
    assert (record.state, record.created_count, record.skipped) == ("refused", 0, [])
    errors = error_rows(client, record)
    assert errors == [(2, "工单编号", "12345-001", "该工单编号已建为事件(不在您的辖区内)，请与12345平台核实")]
    page = client.get(reverse("integrations:hotline_import", args=[record.pk])).content.decode()
    assert earlier.case.number not in page and "甲" not in "".join(str(cell) for row in errors for cell in row)
    assert Event.objects.count() == 1
    # The county administrator, whose reach holds A's event, is told which event it is.
    upload(client, world.county_admin, sheet([order("12345-001")]))
    assert last_import().skipped == [{"row": 2, "order_id": "12345-001", "number": earlier.case.number, "case_id": earlier.case_id}]


def test_orders_imported_before_are_skipped_and_listed(client, world):
    upload(client, world.dispatcher_a, sheet([order("12345-001")]))
    earlier = Event.objects.get()
    upload(client, world.dispatcher_a, sheet([order("12345-001"), order("12345-002")]))
    record = last_import()
    assert (record.state, record.created_count, record.skipped_count) == ("succeeded", 1, 1)
    assert record.skipped == [{"row": 2, "order_id": "12345-001", "number": earlier.case.number, "case_id": earlier.case_id}]
    assert Event.objects.count() == 2
    page = client.get(reverse("integrations:hotline_import", args=[record.pk])).content.decode()
    assert "12345-001" in page and earlier.case.number in page


def test_an_error_found_while_taking_in_rolls_back_the_rows_before_it(client, world):
    # A township without a command centre (no dispatcher, no government) cannot receive events;
    # intake finds that only while taking the rows in, after row 2 has already become an event.
    create_area(None, code="990199103000", name="丙镇", level="township", parent=world.county, township_kind="town",
                boundary=square(116.0, 35.2, 0.2))
    upload(client, world.county_admin, sheet([order("A-1"), order("C-1", 所属镇街="丙镇", 所属村社区=None)]))
    record = last_import()
    assert record.state == "refused" and not Event.objects.exists() and not Case.objects.exists()
    assert (3, "所属镇街", "丙镇", "丙镇所在乡镇尚未设置指挥中心") in error_rows(client, record)


def test_a_sheet_without_the_required_columns_is_refused_naming_them(client, world):
    upload(client, world.dispatcher_a, sheet([order()], headers=["工单号", "受理时间", "内容", "分类"]))
    record = last_import()
    assert record.state == "refused"
    [(row, column, _, reason)] = error_rows(client, record)
    assert (row, column) == (1, "诉求内容、问题分类、所属镇街")
    assert reason.startswith("缺少必需的列：诉求内容、问题分类、所属镇街")


def test_aliases_and_numbers_typed_as_numbers_are_understood(client, world):
    headers = ["工单号", "受理时间", "工单内容", "事件类别", "所属乡镇", "村社区", "电话", "备注"]
    rows = [{"工单号": 20261120001, "受理时间": "2026/11/20 09:30", "工单内容": "路灯不亮", "事件类别": "road_facility",
             "所属乡镇": "990199101000", "村社区": "甲一村", "电话": 13912345678, "备注": "内部"}]
    upload(client, world.dispatcher_a, sheet(rows, headers=headers))
    record = last_import()
    assert record.state == "succeeded" and "已忽略的列：备注" in record.message
    event = Event.objects.get()
    assert (event.case.external_id, event.reporter_phone_masked) == ("20261120001", "139****5678")


@pytest.mark.parametrize("name, content", [("orders.csv", b"a,b\n1,2\n"), ("orders.xlsx", b"not a workbook at all")])
def test_a_file_that_is_not_a_workbook_is_refused_at_upload(client, world, name, content):
    response = upload(client, world.dispatcher_a, content, name=name)
    assert response.status_code == 200 and "xlsx" in response.content.decode()
    assert not HotlineImport.objects.exists()


def test_a_broken_workbook_is_refused_with_a_readable_reason(client, world):
    upload(client, world.dispatcher_a, b"PK\x03\x04" + b"\0" * 100)
    record = last_import()
    assert record.state == "refused" and error_rows(client, record)[0][3].startswith("文件不是有效的 .xlsx 工作簿")


def test_only_dispatchers_and_county_administrators_may_import(client, world):
    client.force_login(world.clerk_a)
    assert client.get(reverse("integrations:hotline_imports")).status_code == 403
    assert client.post(reverse("integrations:hotline_imports"), {"file": SimpleUploadedFile("x.xlsx", sheet([order()]))}).status_code == 403
    assert not HotlineImport.objects.exists()


def test_an_import_and_its_error_report_belong_to_whoever_uploaded_it(client, world):
    upload(client, world.dispatcher_a, sheet([order(问题分类="市容环境")]))
    record = last_import()
    client.force_login(world.dispatcher_b)
    for name in ("hotline_import", "hotline_import_progress", "hotline_import_errors"):
        assert client.get(reverse(f"integrations:{name}", args=[record.pk])).status_code == 404


def test_the_template_carries_the_expected_columns_and_their_meaning(client, world):
    client.force_login(world.dispatcher_a)
    book = load_workbook(io.BytesIO(client.get(reverse("integrations:hotline_template")).content))
    assert [c.value for c in book["工单"][1]] == HEADERS
    notes = [row[0] for row in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert notes[: len(HEADERS)] == HEADERS
    # The template's own example row is refused as it stands (placeholders for township and village).
    upload(client, world.dispatcher_a, client.get(reverse("integrations:hotline_template")).content)
    assert last_import().state == "refused"


def test_progress_is_reported_while_checking_and_taking_in(world):
    seen = []
    outcome = import_orders(world.dispatcher_a, sheet([order(f"P-{n}") for n in range(30)]), lambda *step: seen.append(step))
    assert len(outcome.created) == 30 and not outcome.errors
    assert seen[0] == ("checking", 0, 30) and ("importing", 25, 30) in seen and seen[-1] == ("importing", 30, 30)


def test_the_progress_panel_polls_until_the_import_is_done(client, world):
    upload(client, world.dispatcher_a, sheet([order()]))
    record = last_import()
    HotlineImport.objects.filter(pk=record.pk).update(state="running")
    from zhenjie.integrations.hotline_import import huey_progress

    huey_progress(record.pk)("importing", 50, 100)
    running = client.get(reverse("integrations:hotline_import_progress", args=[record.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in running and "正在建立事件：50 / 100" in running and "54%" in running
    HotlineImport.objects.filter(pk=record.pk).update(state="succeeded")
    done = client.get(reverse("integrations:hotline_import_progress", args=[record.pk])).content.decode()
    assert "hx-trigger" not in done


def test_the_import_list_runs_the_same_number_of_queries_at_3_and_30_imports(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhenjie.kernel.models import Blob

    blob = Blob.objects.create(sha256="0" * 64, size=1, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def add(count):
        HotlineImport.objects.bulk_create([HotlineImport(created_by=world.dispatcher_a, file_name=f"{n}.xlsx", source=blob, state="succeeded")
                                           for n in range(count)])

    client.force_login(world.dispatcher_a)
    add(3)
    client.get(reverse("integrations:hotline_imports"))  # the first request after login also sets up the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("integrations:hotline_imports"), {"size": 50}).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("integrations:hotline_imports"), {"size": 50}).status_code == 200
    assert len(large) == len(small)
