"""Tables to .xlsx, the way every list page exports what it shows."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zhenjie.kernel.serving import file_response

EXPORT_ROW_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Text a spreadsheet program could take for a formula or a command (OWASP "CSV Injection"; 等保
# 8.1.4.4 入侵防范, ASVS 1.2.10): a leading = + - @, or a tab or carriage return before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _as_text(cell) -> None:
    """A cell whose text begins like a formula is stored as text, and marked "quote prefix" (what
    Excel and WPS show as a leading apostrophe), so neither opening the file nor editing the cell
    turns it into a formula. The value itself is unchanged: an exported list imports back as it was."""
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise(book: Workbook) -> Workbook:
    """Every cell of every sheet through `_as_text`: the last step before any workbook is saved
    (`xlsx_bytes`), whichever way its rows were written."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                _as_text(cell)
    return book


def add_sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[int] = (), first: bool = False) -> Worksheet:
    """A sheet of `book` (its first, or a new one) with the headers styled and frozen."""
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    sheet.append(list(headers))
    for index, _ in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B91C1C")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1] if index <= len(widths) else 16
    sheet.freeze_panes = "A2"
    return sheet


def append(sheet: Worksheet, values: Iterable) -> None:
    """A row of cells; text a person typed ("=HYPERLINK(…)") stays text, never a formula."""
    sheet.append([_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        _as_text(cell)


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()) -> Workbook:
    book = Workbook()
    sheet = add_sheet(book, title, headers, widths, first=True)
    count = 0
    for row in rows:
        append(sheet, row)
        count += 1
        if count >= EXPORT_ROW_LIMIT:
            break
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    return book


@dataclass(frozen=True)
class Column:
    """One column of an export, declared beside the query its rows come from (PAGES.md): the
    heading, the cell of a row (never a formula: text starting like one is written as text),
    and the width in characters."""

    label: str
    value: Callable
    width: int = 18


def columns_workbook(title: str, columns: Sequence[Column], rows: Iterable) -> Workbook:
    """The rows under the columns: a query's first EXPORT_ROW_LIMIT rows, read in chunks, or any
    rows a page has made (PAGES.md: export columns)."""
    if isinstance(rows, QuerySet):
        rows = rows[:EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
    cells = ([column.value(row) for column in columns] for row in rows)
    return workbook(title, [column.label for column in columns], cells, widths=[column.width for column in columns])


def export(title: str, columns: Sequence[Column], rows: Iterable, filename: str = "") -> HttpResponse:
    """The rows under the columns (`columns_workbook`) as a download."""
    return xlsx_response(filename or title, columns_workbook(title, columns, rows))


def xlsx_bytes(book: Workbook) -> bytes:
    """The .xlsx file of `book`, every formula-like text cell made text first (`neutralise`). The
    one way a workbook leaves the server: downloads, stored error reports and templates all come
    through here (a test fails on any other `.save(` of a workbook)."""
    content = BytesIO()
    neutralise(book).save(content)
    return content.getvalue()


def xlsx_response(filename: str, book: Workbook) -> HttpResponse:
    """The workbook as a download named `filename` and the minute it was made (kernel/serving.py)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return file_response(xlsx_bytes(book), filename=f"{filename}-{stamp}.xlsx", content_type=XLSX)
