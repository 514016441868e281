"""Reading and writing the movein files: .xlsx in with bounds, .xlsx out through
workbench.excel (the one way a workbook leaves the server).

Reading never evaluates anything: a cell holding a formula is a bad cell ("请粘贴为数值"), not
its cached result, since the result is whatever the last program to save it computed. Bounds
are checked before openpyxl parses a sheet: the file's size, the zip's expanded size and member
count (an .xlsx is a zip: a small file can expand to gigabytes), the rows and the columns."""

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from zhenjie.kernel.errors import Rejected
from zhenjie.workbench.excel import XLSX, workbook, xlsx_bytes

from .kinds.base import CellError, Column, Row

__all__ = ["XLSX", "MAX_FILE_BYTES", "MAX_ROWS", "read_xlsx", "xlsx_of", "error_report"]

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_ROWS = 20_000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 500
MAX_ERRORS = 2000


def check_size(content: bytes) -> None:
    if not content:
        raise Rejected("movein.file_empty", "文件为空，请重新选择", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise Rejected("movein.file_too_large", f"文件过大：{len(content) / 1048576:.1f} MB，上限为 {MAX_FILE_BYTES // 1048576} MB", field="file")


def _check_zip(content: bytes) -> None:
    unreadable = Rejected("movein.file_unreadable", "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件", field="file")
    if not content.startswith(b"PK\x03\x04"):
        raise unreadable
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise unreadable from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_EXPANDED_BYTES:
        raise Rejected("movein.file_too_large", "文件解压后过大，请删除多余的工作表或格式后重试", field="file")


def clean(value) -> str:
    """A cell as the text a person typed: numbers without a trailing ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(content: bytes, columns: Sequence[Column]) -> tuple[list[Row], list[CellError]]:
    """The first sheet's rows by the header row, and every problem with the file's shape or
    its cells (formulas, over-long text, missing or unknown headers, too many rows)."""
    check_size(content)
    _check_zip(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError, IndexError):
        raise Rejected("movein.file_unreadable", "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件", field="file") from None
    try:
        return _read(book.worksheets[0], columns)
    finally:
        book.close()


def _read(sheet, columns: Sequence[Column]) -> tuple[list[Row], list[CellError]]:
    errors: list[CellError] = []
    by_header = {c.header: c for c in columns}
    header_cells = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ())
    if len(header_cells) > MAX_COLUMNS and header_cells[MAX_COLUMNS] is not None:
        errors.append(CellError(1, "", f"列数超过{MAX_COLUMNS}列，请只保留模板中的列"))
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_cells[:MAX_COLUMNS]):
        text = clean(raw)
        if not text:
            continue
        column = by_header.get(text)
        if column is None:
            errors.append(CellError(1, text, "不是本模板的列，请对照模板修改列名或删除该列"))
        elif column.key in positions:
            errors.append(CellError(1, text, "列名重复"))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(CellError(1, column.header, f"缺少「{column.header}」列"))
    if errors:
        return [], errors
    rows: list[Row] = []
    width = max(positions.values()) + 1
    for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
        if number - 1 > MAX_ROWS:
            errors.append(CellError(number, "", f"超过{MAX_ROWS}行，请分批导入"))
            break
        values = {}
        for key, index in positions.items():
            cell = cells[index] if index < len(cells) else None
            header = by_header_key(columns, key).header
            if cell is not None and getattr(cell, "data_type", None) == "f":
                errors.append(CellError(number, header, "不接受公式，请复制后“粘贴为数值”"))
                values[key] = ""
                continue
            text = clean(getattr(cell, "value", None))
            if len(text) > MAX_CELL_CHARS:
                errors.append(CellError(number, header, f"内容超过{MAX_CELL_CHARS}字"))
                text = text[:MAX_CELL_CHARS]
            values[key] = text
        if any(values.values()):
            rows.append(Row(number, values))
    if not rows and not errors:
        errors.append(CellError(2, "", "表中没有数据行"))
    return rows, errors


def by_header_key(columns: Sequence[Column], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def xlsx_of(title: str, columns: Sequence[Column], rows: Iterable[dict]) -> bytes:
    """Rows (dicts by column key) under the columns' headers, as an .xlsx."""
    cells = ([row.get(c.key, "") for c in columns] for row in rows)
    return xlsx_bytes(workbook(title, [c.header for c in columns], cells, widths=[c.width for c in columns]))


def error_report(errors: Iterable[CellError]) -> bytes:
    """Every bad cell: row, column, reason."""
    rows = ([e.row or "", e.column, e.reason] for e in errors)
    return xlsx_bytes(workbook("错误报告", ["行号", "列", "原因"], rows, widths=[8, 20, 60]))
