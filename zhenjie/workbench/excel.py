"""Tables to .xlsx, the way every list page exports what it shows."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhenjie.kernel.serving import file_response

EXPORT_ROW_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for index, _ in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B91C1C")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1] if index <= len(widths) else 16
    count = 0
    for row in rows:
        sheet.append([_cell(v) for v in row])
        count += 1
        if count >= EXPORT_ROW_LIMIT:
            break
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    return book


def xlsx_response(filename: str, book: Workbook) -> HttpResponse:
    """The workbook as a download named `filename` and the minute it was made (kernel/serving.py)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content = BytesIO()
    book.save(content)
    return file_response(content.getvalue(), filename=f"{filename}-{stamp}.xlsx", content_type=XLSX)
