"""Excel in and out: a round trip changes nothing; a bad file is refused whole, every bad cell named."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.lists import actions, queries
from zhenjie.lists.diffs import diff_versions
from zhenjie.lists.exports import error_report, export_version
from zhenjie.lists.layouts import item_values, layout_for
from zhenjie.lists.models import ImportJob, ListKind

from .builders import duty_row, published_list, service_row, township_power_list

pytestmark = pytest.mark.django_db


def xlsx(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_of(headers, rows, title="Sheet1") -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    return book


def snapshot(version):
    layout = layout_for(version.series.kind)
    return [item_values(layout, item) for item in queries.items_of(version)]


def round_trip(world, version):
    content = xlsx(export_version(version))
    draft = actions.start_draft(world.county_admin, version.series)
    actions.remove_item(world.county_admin, draft, queries.items_of(draft).first())  # the draft differs before the import
    job = actions.start_import(world.county_admin, draft, filename="导出.xlsx", content=content)
    assert job.state == ImportJob.State.DONE, job.errors
    return draft


def test_an_exported_power_list_re_imports_to_an_identical_version(world):
    version = township_power_list(world, count=5)
    draft = round_trip(world, version)
    assert snapshot(draft) == snapshot(version)
    republished = actions.publish_version(world.county_admin, draft, effective_from=date(2026, 9, 1))
    assert diff_versions(version, republished).is_empty


def test_service_guides_with_materials_and_awkward_text_survive_the_round_trip(world):
    rows = [
        service_row("S0001", "最低生活保障申请"),
        {**service_row("S0002", "=SUM(A1) 不是公式"), "steps": "1.受理\n2.审核(含入户调查)\n3.公示7天\n4.审批", "statutory_days": None, "materials": []},
        service_row("V001", "城乡居民基本养老保险参保登记(代办)", level="村(社区)", agent="是"),
    ]
    version = published_list(world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a, rows=rows)
    draft = round_trip(world, version)
    assert snapshot(draft) == snapshot(version)
    guide = queries.items_of(draft).get(code="S0002")
    assert guide.name == "=SUM(A1) 不是公式" and guide.statutory_days is None and guide.steps[2] == "3.公示7天"


def test_local_duties_keep_their_event_categories_through_the_round_trip(world):
    rows = [duty_row("SD001", "违法占用耕地建房", world.police, "farmland、illegal_construction"), duty_row("SD002", "治安隐患排查", world.police, "public_security")]
    version = published_list(world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county, rows=rows)
    draft = round_trip(world, version)
    assert snapshot(draft) == snapshot(version)
    assert [c.code for c in queries.items_of(draft).get(code="SD001").categories.all()] == ["farmland", "illegal_construction"]


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_cell_named(world):
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    before = snapshot(draft)
    # Columns in another order, with an alias header and a required-mark: the mapping finds them.
    headers = ["事项名称", "*事项编码", "权力类型", "设定依据", "实施主体", "行使层级", "责任事项", "追责情形"]
    good = ["对违法建设行为的行政处罚", "CF101", "行政处罚", "《城乡规划法》第六十五条", "甲镇人民政府", "乡镇", "立案、调查、决定", "违法实施处罚的"]
    rows = [
        good,
        ["对农村村民建房的检查", "CF102", "行政命令", "依据", "甲镇人民政府", "乡镇", "检查", "追责"],  # type not allowed
        ["", "CF101", "行政检查", "依据", "不存在的单位", "乡镇", "检查", "追责"],  # name missing, code repeated, unit unknown
        ["对违法排污的处罚", "CF104", "行政处罚", "依据", "乙镇人民政府", "乡镇", "检查", "追责"],  # another township's unit
    ]
    job = actions.start_import(world.county_admin, draft, filename="权责清单.xlsx", content=xlsx(sheet_of(headers, rows)))
    assert job.state == ImportJob.State.FAILED and "整个文件未导入" in job.message
    cells = {(e["cell"], e["column"], e["reason"]) for e in job.errors}
    assert cells == {
        ("C3", "权力类型", "「行政命令」不在允许的取值中(行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务)"),
        ("A4", "事项名称", "必填"),
        ("E4", "实施主体", "「不存在的单位」不是本县在用的单位，请填写单位全称"),
        ("B4", "*事项编码", "编码与第2行重复"),
        ("E5", "实施主体", "「乙镇人民政府」不在甲镇，不能实施本清单事项"),
    }
    assert snapshot(draft) == before  # nothing half-imported
    assert not JournalEntry.objects.filter(verb="list.import", data__version=draft.number).exists()
    # the downloadable report names sheet, row, column, cell and reason
    report = load_workbook(io.BytesIO(xlsx(error_report(job)))).active
    lines = list(report.iter_rows(values_only=True))
    assert lines[0] == ("工作表", "行号", "列", "单元格", "原值", "错误原因")
    assert ("Sheet1", 3, "权力类型", "C3", "行政命令", lines[1][5]) == lines[1]
    assert len(lines) == 6


def test_numbers_that_are_not_numbers_and_missing_columns_are_named(world):
    series = actions.create_list(world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a)
    draft = series.versions.get()
    book = export_version(published_list(world.county_admin, kind=ListKind.SERVICE, name="样表", area=world.a, rows=[service_row("S1", "样例")]))
    sheet = book.worksheets[0]
    sheet["I2"] = "五天"  # 承诺时限(工作日)
    sheet["L2"] = 2  # 到现场次数
    book["申请材料"]["D2"] = 1.5  # 份数
    book["申请材料"]["A3"] = "S9"  # a material of an item not in the file
    job = actions.start_import(world.county_admin, draft, filename="服务.xlsx", content=xlsx(book))
    assert {(e["sheet"], e["cell"], e["reason"]) for e in job.errors} == {
        ("政务服务事项", "I2", "须为整数"),
        ("政务服务事项", "L2", "须在0至1之间"),
        ("申请材料", "D2", "须为整数"),
        ("申请材料", "A3", "事项表中没有编码为S9的事项"),
    }
    headers_only = sheet_of(["事项编码", "事项名称"], [["S1", "缺列"]])
    job = actions.start_import(world.county_admin, draft, filename="缺列.xlsx", content=xlsx(headers_only))
    assert "缺少「办理地点」列" in {e["reason"] for e in job.errors}
    assert queries.item_count(draft) == 0


def test_files_that_are_not_excel_are_refused_before_any_work(world):
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    with pytest.raises(Rejected) as error:
        actions.start_import(world.county_admin, draft, filename="清单.xls", content=b"\xd0\xcf\x11\xe0 old excel")
    assert error.value.code == "file.type_not_allowed"
    job = actions.start_import(world.county_admin, draft, filename="坏文件.xlsx", content=b"PK\x03\x04 not really a zip")
    assert job.state == ImportJob.State.FAILED and "无法读取该文件" in job.message
    with pytest.raises(Rejected):
        actions.start_import(world.county_admin, draft, filename="空.xlsx", content=b"")


def test_a_large_file_runs_in_the_job_queue_and_reports_its_progress(world, settings):
    settings.LISTS_BACKGROUND_IMPORT_BYTES = 1  # every file counts as large: it goes through Huey
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    headers = layout_for(ListKind.POWER).headers
    rows = [[f"CF{i:04d}", f"对违法建设行为的行政处罚第{i}项", "行政处罚", "", "依据", "甲镇人民政府", "乡镇", "责任", "追责", ""] for i in range(1, 1201)]
    job = actions.start_import(world.county_admin, draft, filename="大文件.xlsx", content=xlsx(sheet_of(headers, rows)))
    assert job.state == ImportJob.State.DONE and job.imported_rows == 1200
    assert (job.processed_rows, job.total_rows, job.percent) == (1200, 1200, 100)
    assert job.content is None  # the uploaded file is not kept once imported
    assert queries.item_count(draft) == 1200


def test_choices_may_be_typed_in_their_short_form():
    from zhenjie.lists.layouts import MATERIAL_COLUMNS, LAYOUTS, parse_cell

    requirement = MATERIAL_COLUMNS[4]
    assert parse_cell(requirement, "容缺") == "deferrable" and parse_cell(requirement, "必需") == "required"
    level = LAYOUTS[ListKind.SERVICE].column("handling_level")
    assert parse_cell(level, "村") == "village" and parse_cell(level, "街道") == "township" and parse_cell(level, "county") == "county"
    power_level = LAYOUTS[ListKind.POWER].column("level")
    assert parse_cell(power_level, "街道") == "subdistrict"  # an exact label wins over a short form
