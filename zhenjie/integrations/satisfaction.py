"""Import of the 12345 hotline's return visits (回访结果, issue 14 item 4): after the hotline
closes a work order it calls the citizen back and records whether they were satisfied. Its
spreadsheet (.xlsx: 工单编号, 回访结果, 回访时间, 回访意见) lands on our events, one visit per
event (a later import of the same order replaces the earlier visit).

The file is read by movein.files.read_xlsx: bounded (size, expanded size, rows, columns, cell
length) and never evaluating a formula. Every row is checked before anything is written; any
bad row — an unknown 工单编号, another county's, one outside the importer's jurisdiction, a
result that is not 满意/基本满意/不满意, a bad time — is reported by row and column in Chinese,
and nothing is written."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.areas.paths import county_path
from zhenjie.events.models import Channel, Event
from zhenjie.kernel import journal
from zhenjie.kernel.scoping import administered_county, case_is_visible, unscoped
from zhenjie.movein.files import read_xlsx, xlsx_of
from zhenjie.movein.kinds.base import CellError, Column

from .hotline_import import IMPORTER_ROLES, NOT_IMPORTER, moment_from_text
from .models import HotlineSatisfaction

COLUMNS = (
    Column("order_id", "工单编号", True, "12345平台的工单编号，须是本县已导入或推送的12345工单", 24),
    Column("result", "回访结果", True, "满意、基本满意或不满意", 12),
    Column("visited_at", "回访时间", True, "日期时间，如 2026-12-01 15:30", 18),
    Column("comment", "回访意见", False, "群众的回访意见，500字以内", 40),
)
RESULTS = {label: value for value, label in HotlineSatisfaction.Result.choices}
CHUNK = 1000  # order numbers looked up per query


@dataclass
class Outcome:
    imported: int = 0
    errors: list[CellError] = field(default_factory=list)


def _moment(text: str) -> datetime:
    return moment_from_text(text, "回访时间")


def import_visits(actor, content: bytes) -> Outcome:
    """Check every row, then write them all in one transaction — or write nothing."""
    county = administered_county(actor, IMPORTER_ROLES, refuse=NOT_IMPORTER)
    rows, errors = read_xlsx(content, COLUMNS)
    outcome = Outcome(errors=list(errors))
    if not rows:
        return outcome
    unreadable = {e.row for e in errors}  # a cell refused as read (a formula, too long): its row is not looked up
    first_row: dict[str, int] = {}
    checked: list[tuple[int, str, str, datetime, str]] = []
    for row in rows:
        values, ok = row.values, row.number not in unreadable

        def refuse(column: str, reason: str) -> None:
            nonlocal ok
            ok = False
            outcome.errors.append(CellError(row.number, column, reason))

        order_id = values["order_id"]
        if not order_id:
            refuse("工单编号", "必填")
        elif order_id in first_row:
            refuse("工单编号", f"与第{first_row[order_id]}行的工单编号重复")
        else:
            first_row[order_id] = row.number
        result = RESULTS.get(values["result"])
        if result is None:
            refuse("回访结果", "必填" if not values["result"] else f"「{values['result'][:20]}」不是满意、基本满意或不满意")
        visited_at = None
        if not values["visited_at"]:
            refuse("回访时间", "必填")
        else:
            try:
                visited_at = _moment(values["visited_at"])
            except ValueError as error:
                refuse("回访时间", str(error))
        if ok:
            checked.append((row.number, order_id, result, visited_at, values.get("comment", "")))
    events = _events_by_order(actor, county, [c[1] for c in checked], outcome, {c[1]: c[0] for c in checked})
    if outcome.errors:
        outcome.errors.sort(key=lambda e: (e.row, e.column))
        return outcome
    now = timezone.now()
    visits = [HotlineSatisfaction(event=events[order_id], result=result, visited_at=visited_at, comment=comment,
                                  imported_by=actor, imported_at=now)
              for _, order_id, result, visited_at, comment in checked]
    with transaction.atomic():
        HotlineSatisfaction.objects.bulk_create(
            visits, batch_size=500, update_conflicts=True, unique_fields=["event"],
            update_fields=["result", "visited_at", "comment", "imported_by", "imported_at"],
        )
        journal.record(actor=actor, verb="hotline_satisfaction_import", summary=f"导入12345回访结果{len(visits)}条",
                       data={"count": len(visits)})
    outcome.imported = len(visits)
    return outcome


def _events_by_order(actor, county, order_ids: list[str], outcome: Outcome, rows: dict[str, int]) -> dict[str, Event]:
    """The hotline events of these order numbers that the importer may see; every other number
    is an error on its row (unknown, another county's, or outside the importer's jurisdiction)."""
    found: dict[str, Event] = {}
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start:start + CHUNK]
        anywhere = {e.case.external_id: e for e in unscoped(Event, why="which county each 12345 order number belongs to")
                    .filter(case__channel=Channel.HOTLINE, case__external_id__in=chunk).select_related("case__area")}
        visible = set(Event.objects.filter(case_is_visible(actor), pk__in=[e.pk for e in anywhere.values()]).values_list("pk", flat=True))
        for order_id in chunk:
            event = anywhere.get(order_id)
            if event is None:
                outcome.errors.append(CellError(rows[order_id], "工单编号", f"没有编号为「{order_id[:64]}」的12345工单事件(未导入或编号有误)"))
            elif county_path(event.case.area.path) != county.path:
                outcome.errors.append(CellError(rows[order_id], "工单编号", "该工单属于其他县，不能导入本县"))
            elif event.pk not in visible:
                outcome.errors.append(CellError(rows[order_id], "工单编号", "该工单的事件不在您的辖区内"))
            else:
                found[order_id] = event
    return found


def template() -> bytes:
    example = {"order_id": "12345-20261123-0001", "result": "满意", "visited_at": "2026-12-01 15:30", "comment": "处理及时"}
    return xlsx_of("回访结果", COLUMNS, [example])
