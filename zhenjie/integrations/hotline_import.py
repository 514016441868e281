"""Import of the 12345 hotline's work-order spreadsheet (.xlsx).

Each row is one work order (工单). The expected columns are COLUMNS below (also written into the
downloadable template and docs/INTEGRATIONS.md). All rows come in, or none does: every row is
checked first, then every event is taken in through events.intake.report_event inside one
transaction; any error anywhere rolls the whole file back and produces an error report (.xlsx)
naming row, column and reason. Work orders already imported earlier are skipped and listed, so
a sheet that overlaps yesterday's can be uploaded as it is.

Large files run as a Huey job (jobs.py); progress goes to Huey's own storage, which the web
process can read while the import's transaction is still open."""

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.locate import locate
from zhenjie.areas.models import Area
from zhenjie.events.intake import ADDRESS_MAX, DESCRIPTION_MAX, Report, report_event
from zhenjie.events.models import Category, Channel, Event
from zhenjie.kernel import attachments
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.scoping import administered_county, can_see_case, reach_of, unscoped
from zhenjie.workbench import excel
from zhenjie.workbench.excel import workbook

from .models import HotlineImport
from .places import Places

log = logging.getLogger(__name__)

MAX_ROWS = 5000
PROGRESS_EVERY = 25
IMPORTER_ROLES = frozenset({RoleCode.DISPATCHER, RoleCode.COUNTY_ADMIN})
NOT_IMPORTER = ("hotline_import.not_allowed", "只有指挥中心调度员或县级管理员可以导入12345工单")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


# The 12345 platform's export, in the order of its columns. Headers are matched exactly (spaces
# trimmed), or by one of the aliases other exports use; other columns are ignored.
COLUMNS = [
    Column("order_id", "工单编号", True, "12345平台的工单编号；同一编号只导入一次，已导入过的跳过", ("工单号", "编号"), 64),
    Column("called_at", "来电时间", True, "日期时间，如 2026-11-23 09:30；作为事件的上报时间", ("受理时间", "登记时间")),
    Column("caller_name", "诉求人", False, "来电人姓名", ("来电人", "姓名"), 32),
    Column("caller_phone", "联系电话", False, "只保存脱敏号码，如 138****1234", ("来电号码", "电话"), 20),
    Column("content", "诉求内容", True, "诉求的具体内容", ("工单内容", "问题描述"), DESCRIPTION_MAX),
    Column("address", "事发地址", False, "事发地点的地址", ("地址",), ADDRESS_MAX),
    Column("category", "问题分类", True, "本平台事件类别的名称或代码，如「环境卫生」或 sanitation", ("事件类别",), 40),
    Column("township", "所属镇街", True, "本县乡镇(街道)的名称或区划代码", ("所属乡镇", "所属乡镇(街道)", "乡镇街道"), 64),
    Column("village", "所属村社区", False, "该乡镇(街道)下村(社区)的名称或区划代码；不填则落在乡镇(街道)", ("所属村(社区)", "村社区", "所属村居"), 64),
    Column("lng", "经度", False, "WGS84 经度，与纬度同时填写；须在所属镇街范围内"),
    Column("lat", "纬度", False, "WGS84 纬度"),
]
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = {name: c for c in COLUMNS for name in (c.header, *c.aliases)}
# Which column an intake error is about, by the field the action names.
FIELD_COLUMNS = {"category": "问题分类", "description": "诉求内容", "title": "诉求内容", "address": "事发地址", "lng": "经度",
                 "area": "所属镇街", "external_id": "工单编号"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class Order:
    row: int
    values: dict = field(default_factory=dict)


@dataclass
class Outcome:
    created: list[Event] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    ignored_headers: list[str] = field(default_factory=list)


Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# ---- reading the sheet ----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 工单编号 and phone numbers typed as numbers
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y%m%d%H%M%S")


def _datetime(value) -> datetime:
    """A moment from a date cell, an Excel serial number or text; ValueError says why not."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            raise ValueError("不是有效的日期时间") from None
        if not isinstance(moment, datetime):
            raise ValueError("不是有效的日期时间")
    else:
        return moment_from_text(_text(value), "来电时间")
    return _bounded(moment, "来电时间")


def moment_from_text(text: str, what: str) -> datetime:
    """A time the hotline's sheets write as text (ISO, 2026/11/23 09:30, a date alone …), in the
    server's zone, from 2000 to an hour from now; `what` names it in the refusal. The one reading
    of the hotline's times (its orders here, its return visits in satisfaction.py)."""
    moment = None
    try:
        moment = parse_datetime(text.replace("/", "-")) if text else None
    except ValueError:
        moment = None
    for pattern in DATE_FORMATS:
        if moment is not None:
            break
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
    if moment is None:
        raise ValueError("日期时间格式不正确，应如 2026-11-23 09:30")
    return _bounded(moment, what)


def _bounded(moment: datetime, what: str) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment.year < 2000:
        raise ValueError("日期早于2000年")
    if moment > timezone.now() + timedelta(hours=1):
        raise ValueError(f"{what}晚于当前时间")
    return moment


def _number(value, low: float, high: float) -> float:
    try:
        number = float(_text(value))
    except ValueError:
        raise ValueError("须为数字") from None
    if not low <= number <= high:
        raise ValueError(f"须在{low:g}至{high:g}之间")
    return number


def read_orders(content: bytes, outcome: Outcome) -> list[Order]:
    """The work orders of the first sheet, each cell checked for shape (type, length, required)."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        outcome.errors.append(RowError(0, "", "", "文件不是有效的 .xlsx 工作簿，请用 Excel 另存为「Excel 工作簿(*.xlsx)」后重新上传"))
        return []
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions: dict[str, int] = {}
        for index, name in enumerate(header):
            column = HEADERS.get(_text(name))
            if column is None:
                if _text(name):
                    outcome.ignored_headers.append(_text(name))
                continue
            if column.key in positions:
                outcome.errors.append(RowError(1, column.header, _text(name), f"「{column.header}」列出现了两次"))
                continue
            positions[column.key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            outcome.errors.append(RowError(1, "、".join(missing), "", f"缺少必需的列：{'、'.join(missing)}（请使用导入模板的列名）"))
            return []
        orders = []
        for number, cells in enumerate(rows, start=2):
            if not any(_text(cell) for cell in cells):
                continue
            if len(orders) >= MAX_ROWS:
                outcome.errors.append(RowError(number, "", "", f"一次最多导入{MAX_ROWS}条工单，请分成几个文件"))
                break
            orders.append(_read_row(number, cells, positions, outcome))
        return orders
    finally:
        book.close()


def _read_row(number: int, cells, positions: dict[str, int], outcome: Outcome) -> Order:
    order = Order(row=number)
    for key, index in positions.items():
        column = BY_KEY[key]
        raw = cells[index] if index < len(cells) else None
        shown = _text(raw)[:100]
        try:
            if key == "called_at":
                order.values[key] = _datetime(raw) if shown else None
            elif key == "lng":
                order.values[key] = _number(raw, -180, 180) if shown else None
            elif key == "lat":
                order.values[key] = _number(raw, -90, 90) if shown else None
            else:
                text = _text(raw)
                if column.max_length and len(text) > column.max_length:
                    raise ValueError(f"超过{column.max_length}字(现有{len(text)}字)")
                order.values[key] = text
        except ValueError as error:
            outcome.errors.append(RowError(number, column.header, shown, str(error)))
            order.values[key] = None
            continue
        if column.required and not order.values[key]:
            outcome.errors.append(RowError(number, column.header, "", "必填"))
    if (order.values.get("lng") is None) != (order.values.get("lat") is None):
        outcome.errors.append(RowError(number, "经度", "", "经度和纬度须同时填写"))
    return order


# ---- checking against the platform ------------------------------------------------------------


def _categories() -> dict[str, Category]:
    found: dict[str, Category] = {}
    for category in Category.objects.filter(is_active=True).order_by("sort_order", "code"):
        found.setdefault(category.code, category)
        found.setdefault(category.name, category)
    return found


def plan_reports(actor, county: Area, orders: list[Order], outcome: Outcome) -> list[tuple[Order, Report]]:
    """Resolve categories and places, find duplicates; the reports to take in, in row order."""
    reach = reach_of(actor)
    places = Places(county)
    categories = _categories()
    first_row: dict[str, int] = {}
    order_ids = [o.values.get("order_id") for o in orders if o.values.get("order_id")]
    existing = {
        e.case.external_id: e
        for e in unscoped(Event, why="12345 order numbers already taken, in any county").filter(case__channel=Channel.HOTLINE, case__external_id__in=order_ids).select_related("case", "case__area")
    }
    unreadable = {e.row for e in outcome.errors}
    planned = []
    for order in orders:
        values, row, ok = order.values, order.row, order.row not in unreadable

        def refuse(column: str, value, reason: str) -> None:
            nonlocal ok
            ok = False
            outcome.errors.append(RowError(row, column, _text(value)[:100], reason))

        order_id = values.get("order_id")
        if order_id:
            if order_id in first_row:
                refuse("工单编号", order_id, f"与第{first_row[order_id]}行的工单编号重复")
            first_row.setdefault(order_id, row)
            if order_id in existing:
                earlier = existing[order_id]
                if can_see_case(actor, earlier.case):
                    outcome.skipped.append({"row": row, "order_id": order_id, "number": earlier.case.number, "case_id": earlier.case_id})
                    continue
                # Out of the importer's reach — another township's or another county's event —
                # the row says only that the number is taken, not whose event holds it or where
                # (等保 8.1.4.2 e, access to the record level; issue 12 item 7).
                refuse("工单编号", order_id, "该工单编号已建为事件(不在您的辖区内)，请与12345平台核实")
        category = categories.get(values.get("category") or "")
        if values.get("category") and category is None:
            refuse("问题分类", values["category"], "事件类别不存在或已停用（填写本平台事件类别的名称或代码）")
        township = places.township(values.get("township") or "")
        if values.get("township") and township is None:
            refuse("所属镇街", values["township"], f"{county.name}没有这个乡镇(街道)")
        elif township is not None and not reach.covers(township):
            refuse("所属镇街", values["township"], f"{township.name}不在您的辖区内")
        village = None
        if township is not None and values.get("village"):
            village = places.village(township, values["village"])
            if village is None:
                refuse("所属村社区", values["village"], f"{township.name}没有这个村(社区)")
        lng, lat = values.get("lng"), values.get("lat")
        if township is not None and lng is not None and lat is not None and locate(lng, lat, village or township) is None:
            refuse("经度", f"{lng},{lat}", f"经纬度不在{(village or township).name}范围内")
        if not ok:
            continue
        planned.append((order, Report(
            channel=Channel.HOTLINE, category=category, description=values["content"], address=values.get("address") or "",
            lng=lng, lat=lat, area=None if lng is not None else (village or township),
            reporter_name=values.get("caller_name") or "", reporter_phone=values.get("caller_phone") or "",
            external_id=order_id, reported_at=values["called_at"],
        )))
    return planned


class _Refused(Exception):
    """Raised to roll back the whole file after collecting every row's errors."""


def take_in(actor, county: Area, planned: list[tuple[Order, Report]], outcome: Outcome, progress: Progress) -> None:
    """Every planned report through intake, in one transaction: all of them, or none."""
    try:
        with transaction.atomic():
            for done, (order, report) in enumerate(planned, start=1):
                try:
                    with transaction.atomic():
                        outcome.created.append(report_event(actor, report, county=county))
                except IntegrityError:
                    # Pushed by the hotline's webhook, or another import, while this one ran.
                    outcome.errors.append(RowError(order.row, "工单编号", report.external_id, "该工单刚被其他导入或推送建为事件"))
                except ActionError as error:
                    column = FIELD_COLUMNS.get(error.field or "", "")
                    value = order.values.get(HEADERS[column].key) if column else ""
                    outcome.errors.append(RowError(order.row, column, _text(value)[:100], error.message))
                if done % PROGRESS_EVERY == 0 or done == len(planned):
                    progress("importing", done, len(planned))
            if outcome.errors:
                raise _Refused
    except _Refused:
        outcome.created = []


def import_orders(actor, content: bytes, progress: Progress = _no_progress) -> Outcome:
    """Read, check and take in one spreadsheet; see the module docstring."""
    outcome = Outcome()
    county = administered_county(actor, IMPORTER_ROLES, refuse=NOT_IMPORTER)
    orders = read_orders(content, outcome)
    outcome.total_rows = len(orders)
    progress("checking", 0, len(orders))
    planned = plan_reports(actor, county, orders, outcome)
    if outcome.errors:
        return outcome
    progress("importing", 0, len(planned))
    take_in(actor, county, planned, outcome, progress)
    return outcome


# ---- the error report ---------------------------------------------------------------------


ERROR_COLUMNS = (
    excel.Column("行号", lambda e: e.row or "", 8), excel.Column("列", lambda e: e.column, 14),
    excel.Column("内容", lambda e: e.value, 30), excel.Column("原因", lambda e: e.reason, 60),
)  # the error report's, one row per RowError


def error_report(errors: list[RowError]) -> bytes:
    book = excel.columns_workbook("错误", ERROR_COLUMNS, sorted(errors, key=lambda e: (e.row, e.column)))
    notes = book.create_sheet("说明")
    notes.append(["整个文件未导入。请按上表修改原文件后重新上传；行号为 Excel 中的行号(第1行为表头)。"])
    return excel.xlsx_bytes(book)


def template() -> bytes:
    """An empty sheet with the expected headers, one example row, and what each column means."""
    example = ["12345-20261123-0001", "2026-11-23 09:30", "王女士", "13800001234", "小区门口垃圾两天无人清运",
               "XX路18号", "环境卫生", "(本县乡镇名称)", "(村或社区名称)", "", ""]
    book = workbook("工单", [c.header for c in COLUMNS], [example], widths=(22, 18, 10, 14, 40, 24, 12, 14, 14, 10, 10))
    notes = book.create_sheet("说明")
    notes.append(["列名", "必填", "说明", "也认以下列名"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", column.note, "、".join(column.aliases)])
    notes.append([])
    notes.append(["整个文件要么全部导入，要么一条也不导入；有错误时可下载错误报告，按行号和列修改后重新上传。"])
    notes.column_dimensions["C"].width = 60
    return excel.xlsx_bytes(book)


# ---- running an upload --------------------------------------------------------------------


def progress_key(import_id: int) -> str:
    return f"zhenjie:hotline-import:{import_id}"


def huey_progress(import_id: int) -> Progress:
    from huey.contrib.djhuey import HUEY

    def report(stage: str, done: int, total: int) -> None:
        HUEY.put(progress_key(import_id), {"stage": stage, "done": done, "total": total})

    return report


def read_progress(import_id: int) -> dict | None:
    from huey.contrib.djhuey import HUEY

    return HUEY.get(progress_key(import_id), peek=True)


def run(import_id: int) -> str:
    """The job: import the stored file of one HotlineImport and record the outcome on it."""
    if not HotlineImport.objects.filter(pk=import_id, state=HotlineImport.State.QUEUED).update(
        state=HotlineImport.State.RUNNING, started_at=timezone.now()
    ):
        return "not queued"
    record = unscoped(HotlineImport, why="the job runs the import its creator queued").select_related("created_by", "source").get(pk=import_id)
    try:
        with attachments.open_blob(record.source) as handle:
            content = handle.read()
        outcome = import_orders(record.created_by, content, huey_progress(import_id))
    except ActionError as error:
        _finish(record, HotlineImport.State.FAILED, message=error.message)
        return record.state
    except Exception:  # the import must end in a state a person can read, whatever went wrong
        log.exception("hotline import %s failed", import_id)
        _finish(record, HotlineImport.State.FAILED, message="导入时发生内部错误，未导入任何工单；请联系系统管理员")
        return record.state
    record.total_rows, record.skipped_count, record.skipped = outcome.total_rows, len(outcome.skipped), outcome.skipped[:500]
    ignored = f"；已忽略的列：{'、'.join(outcome.ignored_headers[:10])}" if outcome.ignored_headers else ""
    if outcome.errors:
        with transaction.atomic():
            stored = attachments.store(error_report(outcome.errors), f"12345导入错误报告-{import_id}.xlsx", "document",
                                       case=None, actor=record.created_by)
        record.error_report, record.error_count = stored.blob, len(outcome.errors)
        _finish(record, HotlineImport.State.REFUSED,
                message=f"发现{len(outcome.errors)}处错误，整个文件未导入；请下载错误报告，修改后重新上传{ignored}")
    else:
        record.created_count = len(outcome.created)
        _finish(record, HotlineImport.State.SUCCEEDED,
                message=f"已导入{len(outcome.created)}件" + (f"，跳过已导入过的工单{len(outcome.skipped)}件" if outcome.skipped else "") + ignored)
    return record.state


def _finish(record: HotlineImport, state: str, message: str) -> None:
    record.state, record.message, record.finished_at = state, message[:500], timezone.now()
    record.save()
