"""Excel out: any version in the layout the importer reads, so a round trip changes nothing; and
the error report of a refused import, one row per bad cell."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .layouts import MATERIAL_COLUMNS, MATERIAL_SHEET, Column, layout_for, to_cell
from .models import ImportJob, ListVersion
from .queries import items_of

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B91C1C")


def _sheet(book: Workbook, title: str, columns: list[tuple[str, int]], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    sheet.append([header for header, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet, values) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        # Text that starts with "=" is text here, never a formula someone's Excel would run.
        if cell.data_type == "f":
            cell.data_type = "s"


def export_version(version: ListVersion) -> Workbook:
    layout = layout_for(version.series.kind)
    book = Workbook()
    sheet = _sheet(book, layout.sheet, [(c.header, c.width) for c in layout.columns], first=True)
    materials = _sheet(book, MATERIAL_SHEET, [(c.header, c.width) for c in MATERIAL_COLUMNS]) if layout.has_materials else None
    for item in items_of(version).iterator(chunk_size=2000):
        _append(sheet, [to_cell(column, _value(item, column)) for column in layout.columns])
        if materials is not None:
            for material in item.materials.all():
                _append(materials, [item.code, material.name, material.get_form_display(), material.copies, material.get_requirement_display(), material.note or None])
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


def error_report(job: ImportJob) -> Workbook:
    book = Workbook()
    sheet = _sheet(book, "错误报告", [("工作表", 16), ("行号", 8), ("列", 22), ("单元格", 10), ("原值", 30), ("错误原因", 60)], first=True)
    for error in job.errors:
        _append(sheet, [error["sheet"], error["row"], error["column"], error["cell"], error["value"], error["reason"]])
    return book


def export_filename(version: ListVersion) -> str:
    return f"{version.series.name}-第{version.number}版" + ("(草稿)" if version.is_draft else "")
