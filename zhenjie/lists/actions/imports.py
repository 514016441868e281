"""Excel in: read a workbook into a draft, all rows or none.

Headers are matched by name (aliases, spaces and full-width brackets allowed), so columns may
come in any order. Every row is checked — codes unique, types from the allowed set, units that
exist, numbers that are numbers — and every bad cell is named (sheet, row, column, reason). Only a
file without a single error replaces the draft, in one transaction.

Large files run in the job queue (Huey) and report progress as they are checked; small ones are
checked while the person waits. Either way the same `run_import` does the work."""

import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from zhenjie.kernel.errors import ActionError, Rejected
from zhenjie.kernel.scoping import unscoped

from ..layouts import MATERIAL_COLUMNS, MATERIAL_SHEET, CellError, Column, Layout, UnitDirectory, check_item, layout_for, normalise_header, parse_cell, parse_values
from ..models import ImportJob, ListKind, ListVersion
from .versions import _locked_draft, replace_items, require_editor

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS_KEPT = 2_000
PROGRESS_EVERY = 200
DEFAULT_BACKGROUND_BYTES = 256 * 1024  # settings.LISTS_BACKGROUND_IMPORT_BYTES overrides


@dataclass(frozen=True)
class BadCell:
    sheet: str
    row: int
    column: str  # the header as in the file
    cell: str  # e.g. "C5"
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell, "value": self.value, "reason": self.reason}


class Collector:
    def __init__(self):
        self.errors: list[BadCell] = []
        self.count = 0

    def add(self, sheet, row, column, letter, value, reason):
        self.count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            shown = "" if value is None else str(value)
            self.errors.append(BadCell(sheet, row, column, f"{letter}{row}" if letter else f"第{row}行", shown[:60], reason))


def _map_headers(sheet_name, header_row, columns: tuple[Column, ...], errors: Collector) -> dict[str, int]:
    """field → column index (0-based), from the header row."""
    wanted: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            wanted.setdefault(normalise_header(name), column)
    found: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        column = wanted.get(normalise_header(raw))
        if column is None:
            continue
        if column.field in found:
            errors.add(sheet_name, 1, str(raw), get_column_letter(index + 1), raw, f"与第{get_column_letter(found[column.field] + 1)}列重复，都是「{column.header}」")
            continue
        found[column.field] = index
    for column in columns:
        if column.required and column.field not in found:
            errors.add(sheet_name, 1, column.header, "", "", f"缺少「{column.header}」列")
    return found


def _rows(sheet):
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number == 1:
            continue
        if row is None or all(value is None or (isinstance(value, str) and not value.strip()) for value in row):
            continue
        yield number, row


def open_workbook(content: bytes):
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError, IndexError):
        raise Rejected("import.unreadable", "无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件", field="file") from None


def read_workbook(layout: Layout, version: ListVersion, content: bytes, progress=None) -> tuple[list[dict], Collector, int]:
    """Rows as values for replace_items, every bad cell, and the number of data rows."""
    book = open_workbook(content)
    try:
        return _read(layout, version, book, progress)
    finally:
        book.close()


def _read(layout, version, book, progress):
    errors = Collector()
    sheet = book[layout.sheet] if layout.sheet in book.sheetnames else book.worksheets[0]
    name = sheet.title
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    mapping = _map_headers(name, header, layout.columns, errors)
    total = max((sheet.max_row or 1) - 1, 0)
    materials_sheet = book[MATERIAL_SHEET] if layout.has_materials and MATERIAL_SHEET in book.sheetnames else None
    if materials_sheet is not None:
        total += max((materials_sheet.max_row or 1) - 1, 0)
    if total > MAX_ROWS:
        raise Rejected("import.too_many_rows", f"文件有{total}行，单个文件不能超过{MAX_ROWS}行，请分批导入", field="file")
    if errors.count:
        return [], errors, total
    units = UnitDirectory(version.series)
    rows: list[dict] = []
    first_row_of: dict[str, int] = {}
    row_of_item: list[int] = []
    done = 0
    for number, cells in _rows(sheet):
        raw = {field: (cells[index] if index < len(cells) else None) for field, index in mapping.items()}
        values, bad = parse_values(layout, raw, units)
        if not bad:
            bad = check_item(layout, version.series, values)
        for field, reason in bad.items():
            if field == "materials":
                continue
            index = mapping.get(field)
            header_text = str(header[index]) if index is not None else layout.column(field).header
            errors.add(name, number, header_text, get_column_letter(index + 1) if index is not None else "", raw.get(field), reason)
        code = values.get("code")
        if code and "code" not in bad:
            if code in first_row_of:
                index = mapping["code"]
                errors.add(name, number, str(header[index]), get_column_letter(index + 1), code, f"编码与第{first_row_of[code]}行重复")
            else:
                first_row_of[code] = number
        if layout.has_materials:
            values["materials"] = ()  # filled from the materials sheet below
        rows.append(values)
        row_of_item.append(number)
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if not rows and not errors.count:
        errors.add(name, 2, "", "", "", "表中没有事项")
    if layout.kind == ListKind.POWER:
        _check_parents(name, header, mapping, rows, row_of_item, errors)
    if materials_sheet is not None:
        done = _read_materials(materials_sheet, rows, first_row_of, row_of_item, errors, progress, done, total)
    if progress:
        progress(total, total)
    return rows, errors, total


def _check_parents(name, header, mapping, rows, row_of_item, errors):
    if "parent_code" not in mapping:
        return
    index = mapping["parent_code"]
    by_code = {values.get("code"): values for values in rows}
    for values, number in zip(rows, row_of_item):
        parent = values.get("parent_code")
        if not parent:
            continue
        if parent not in by_code:
            errors.add(name, number, str(header[index]), get_column_letter(index + 1), parent, f"表中没有编码为{parent}的主项")
        elif by_code[parent].get("parent_code"):
            errors.add(name, number, str(header[index]), get_column_letter(index + 1), parent, f"{parent}本身是子项，子项下不能再设子项")


def _read_materials(sheet, rows, first_row_of, row_of_item, errors, progress, done, total):
    name = sheet.title
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    mapping = _map_headers(name, header, MATERIAL_COLUMNS, errors)
    if any(e.sheet == name for e in errors.errors):
        return done
    by_row = {number: values for values, number in zip(rows, row_of_item)}
    collected: dict[str, list[tuple]] = {}
    for number, cells in _rows(sheet):
        material = []
        code = None
        ok = True
        for column in MATERIAL_COLUMNS:
            index = mapping.get(column.field)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                value = parse_cell(column, raw)
            except CellError as error:
                ok = False
                errors.add(name, number, str(header[index]) if index is not None else column.header, get_column_letter(index + 1) if index is not None else "", raw, str(error))
                continue
            if column.field == "code":
                code = value
                if value not in first_row_of:
                    ok = False
                    errors.add(name, number, str(header[index]), get_column_letter(index + 1), raw, f"事项表中没有编码为{value}的事项")
            else:
                material.append(value)
        if ok:
            collected.setdefault(code, []).append(tuple(material))
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    for code, materials in collected.items():
        if len(materials) > 100:
            errors.add(name, 1, "事项编码", "", code, f"{code}的申请材料超过100项")
        by_row[first_row_of[code]]["materials"] = tuple(materials)
    return done


# ---- jobs -----------------------------------------------------------------------------------


def start_import(actor, version: ListVersion, *, filename: str, content: bytes) -> ImportJob:
    """Accept a file for a draft and check it now, or in the job queue if it is large."""
    require_editor(actor, version.series)
    with transaction.atomic():
        _locked_draft(version)
    filename = (filename or "").strip()[:200] or "import.xlsx"
    if not content:
        raise Rejected("file.empty", "文件为空，请重新选择", field="file")
    if len(content) > MAX_FILE_BYTES:
        raise Rejected("file.too_large", f"文件过大：{len(content) / 1048576:.1f} MB，上限为 {MAX_FILE_BYTES // 1048576} MB", field="file")
    if not filename.lower().endswith(".xlsx") or not content.startswith(b"PK\x03\x04"):
        raise Rejected("file.type_not_allowed", "请上传 .xlsx 格式的 Excel 文件(旧版 .xls 请先另存为 .xlsx)", field="file")
    job = ImportJob.objects.create(version=version, created_by=actor, filename=filename, content=content)
    if len(content) > getattr(settings, "LISTS_BACKGROUND_IMPORT_BYTES", DEFAULT_BACKGROUND_BYTES):
        from ..jobs import run_import_job

        run_import_job(job.pk)  # enqueued; the job page shows progress until it finishes
    else:
        run_import(job.pk)
    job.refresh_from_db()
    return job


def run_import(job_id: int) -> None:
    """Check the job's file and, if it has no errors, replace the draft with it."""
    jobs = unscoped(ImportJob, why="the queue's job, started by the person start_import checked")
    claimed = jobs.filter(pk=job_id, state=ImportJob.State.QUEUED).update(state=ImportJob.State.RUNNING)
    if not claimed:
        return  # already run (a retried task must not import twice)
    job = jobs.select_related("version", "version__series", "version__series__area", "created_by").get(pk=job_id)
    layout = layout_for(job.version.series.kind)

    def progress(done, total):
        jobs.filter(pk=job_id).update(processed_rows=min(done, total), total_rows=total)

    outcome = {"state": ImportJob.State.FAILED, "errors": [], "imported_rows": 0, "message": ""}
    try:
        rows, errors, total = read_workbook(layout, job.version, bytes(job.content), progress)
        if errors.count:
            more = f"(仅列出前{MAX_ERRORS_KEPT}处)" if errors.count > len(errors.errors) else ""
            outcome.update(errors=[e.as_dict() for e in errors.errors], message=f"发现{errors.count}处错误{more}，整个文件未导入。请下载错误报告，改正后重新上传。")
        else:
            count = replace_items(job.created_by, job.version, rows, source=job.filename)
            outcome.update(state=ImportJob.State.DONE, imported_rows=count, message=f"已导入{count}项，草稿原有事项已被替换。")
    except ActionError as error:
        outcome["message"] = error.message
    except Exception:  # a file we cannot read must end the job, never leave it "running"
        logger.exception("list import %s failed", job_id)
        outcome["message"] = "导入时发生错误，文件未导入。请检查文件后重试。"
    jobs.filter(pk=job_id).update(
        state=outcome["state"], errors=outcome["errors"], imported_rows=outcome["imported_rows"], message=outcome["message"][:300],
        finished_at=timezone.now(), content=None,
    )


def import_rows(actor, version: ListVersion, raw_rows: list[dict], *, source: str) -> int:
    """Replace the draft with rows given as cell values (loaders, the demo): checked row by row
    exactly as an Excel import is, all or nothing. Raises Rejected naming the first bad rows."""
    layout = layout_for(version.series.kind)
    units = UnitDirectory(version.series)
    rows, problems, seen = [], [], {}
    for number, raw in enumerate(raw_rows, start=1):
        values, bad = parse_values(layout, raw, units)
        if not bad:
            bad = check_item(layout, version.series, values)
        code = values.get("code")
        if code and code in seen:
            bad["code"] = f"编码与第{seen[code]}行重复"
        seen.setdefault(code, number)
        if bad:
            problems.append(f"第{number}行 " + "；".join(f"{layout.column(f).header if f != 'materials' else '申请材料'}：{r}" for f, r in bad.items()))
        rows.append(values)
    parents = {v.get("code") for v in rows}
    for number, values in enumerate(rows, start=1):
        if values.get("parent_code") and values["parent_code"] not in parents:
            problems.append(f"第{number}行 主项编码：没有编码为{values['parent_code']}的主项")
    if problems:
        raise Rejected("import.invalid_rows", "；".join(problems[:5]) + (f" 等{len(problems)}处错误" if len(problems) > 5 else ""), field="rows")
    return replace_items(actor, version, rows, source=source)
