"""Excel out: any version in the layout the importer reads, so a round trip changes nothing; and
the error report of a refused import, one row per bad cell."""

from openpyxl import Workbook

from zhenjie.workbench import excel

from .layouts import MATERIAL_COLUMNS, MATERIAL_SHEET, Column, layout_for, to_cell
from .models import ImportJob, ListVersion
from .queries import items_of


def export_version(version: ListVersion) -> Workbook:
    layout = layout_for(version.series.kind)
    book = Workbook()
    sheet = excel.add_sheet(book, layout.sheet, [c.header for c in layout.columns], [c.width for c in layout.columns], first=True)
    materials = excel.add_sheet(book, MATERIAL_SHEET, [c.header for c in MATERIAL_COLUMNS], [c.width for c in MATERIAL_COLUMNS]) if layout.has_materials else None
    for item in items_of(version).iterator(chunk_size=2000):
        excel.append(sheet, [to_cell(column, _value(item, column)) for column in layout.columns])
        if materials is not None:
            for material in item.materials.all():
                excel.append(materials, [item.code, material.name, material.get_form_display(), material.copies, material.get_requirement_display(), material.note or None])
    about = book.create_sheet("说明")
    rows = [
        ("清单", version.series.name),
        ("适用区划", version.series.area.name),
        ("版本", version.label),
        ("生效日期", version.effective_from.isoformat() if version.effective_from else "未发布"),
        ("说明", "本文件可修改后导入清单草稿：按表头识别各列，整表校验，全部正确才会导入。"),
    ]
    for row in rows:
        about.append(row)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 12, 80
    return book


def _value(item, column: Column):
    if column.kind == "codes":
        return tuple(c.code for c in item.categories.all())
    if column.kind == "lines":
        return tuple(getattr(item, column.field) or ())
    return getattr(item, column.field)


ERROR_COLUMNS = (
    excel.Column("工作表", lambda e: e["sheet"], 16), excel.Column("行号", lambda e: e["row"], 8), excel.Column("列", lambda e: e["column"], 22),
    excel.Column("单元格", lambda e: e["cell"], 10), excel.Column("原值", lambda e: e["value"], 30), excel.Column("错误原因", lambda e: e["reason"], 60),
)  # one row per bad cell of ImportJob.errors


def error_report(job: ImportJob) -> Workbook:
    return excel.columns_workbook("错误报告", ERROR_COLUMNS, job.errors)


def export_filename(version: ListVersion) -> str:
    return f"{version.series.name}-第{version.number}版" + ("(草稿)" if version.is_draft else "")
