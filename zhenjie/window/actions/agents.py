"""Agent points (代办点): setting one up and changing it, its on-duty roster, the county's limit
for carrying originals, and the hand-overs of the papers ledger. Each action checks its own
rules, writes one journal line in its transaction and changes nothing when it refuses."""

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import documents, journal
from zhenjie.kernel.inputs import moment, text
from zhenjie.kernel.models import Document
from zhenjie.lists.models import MaterialForm
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.scoping import can_see_case, reach_of
from zhenjie.units.models import Unit

from ..models import AgentPoint, AgentSetting, Application, Decision, Direction, DutySlot, MaterialStatus, PaperTransfer, PointItem, Weekday
from ..models.agents import ADDRESS_MAX, HOURS_MAX, NAME_MAX, NOTE_MAX, PHONE_MAX, SIGNER_MAX
from ..points import agents_of, can_manage, guide_of_point, may_record_transfer
from ..decision_papers import APPROVAL, REFUSAL
from ..transfer_slips import PAPERS_MAX, TRANSFER_SLIP
from ..workflow import State

# A point sits in its village committee or in the township's 党群服务中心 (the brief's two places).
POINT_UNIT_KINDS = (Unit.Kind.VILLAGE_COMMITTEE, Unit.Kind.CENTRE)
MAX_SLOTS = 50  # five weekdays of a point with several agents; more is a mistaken post
ROSTER_VERSION_MAX = 2**31  # AgentPoint.roster_version is a PositiveIntegerField


def _text(value, field, label, max_length, required=True):
    return text(value, field=field, label=label, max_length=max_length, required=required, code="agent_point")


def _details(name, phone, address, hours) -> dict:
    return {
        "name": _text(name, "name", "代办点名称", NAME_MAX),
        "phone": _text(phone, "phone", "联系电话", PHONE_MAX),
        "address": _text(address, "address", "地址", ADDRESS_MAX),
        "hours": _text(hours, "hours", "开放时间", HOURS_MAX),
    }


def _villages(villages, township: Area) -> list[Area]:
    villages = list(villages or [])
    if not villages:
        raise Rejected("agent_point.villages_required", "请选择代办点服务的村(社区)", field="villages")
    if any(not isinstance(v, Area) for v in villages):
        raise Rejected("agent_point.villages_invalid", "服务村(社区)无效", field="villages")
    # 村级代办点 serves villages of its own township: a village of another township is served by that township's points.
    if any(v.level != Area.Level.VILLAGE or township_path(v.path) != township.path for v in villages):
        raise Rejected("agent_point.village_outside", f"服务村(社区)须为{township.name}所辖的村(社区)", field="villages")
    return villages


def _require_manager(actor, township: Area) -> None:
    if not can_manage(actor, township):
        raise Forbidden("agent_point.forbidden", "您无权管理该乡镇(街道)的代办点")


def _unique_name(township: Area, name: str, exclude: int | None = None) -> None:
    rows = AgentPoint.objects.filter(township=township, name=name)
    if exclude:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Rejected("agent_point.name_taken", f"{township.name}已有名为“{name}”的代办点", field="name")


def _record(actor, point: AgentPoint, verb: str, summary: str, data: dict) -> None:
    # The township's chain: a point is township data like its cases. Agents are named by user id, never by ID number or phone.
    journal.record(actor=actor, verb=verb, subject=f"agent_point:{point.pk}", chain=point.township.path, summary=summary, data=data)


@transaction.atomic
def create_point(actor, *, unit: Unit, name, villages, phone, address, hours) -> AgentPoint:
    """Set up a point in a village committee or the 党群服务中心; its township is the unit's."""
    if not isinstance(unit, Unit) or unit.kind not in POINT_UNIT_KINDS or not unit.is_active:
        raise Rejected("agent_point.unit_invalid", "代办点须设在在用的村(居)民委员会或党群服务中心", field="unit")
    if unit.area.level not in (Area.Level.TOWNSHIP, Area.Level.VILLAGE):
        raise Rejected("agent_point.unit_invalid", "代办点须设在乡镇(街道)或村(社区)的机构", field="unit")
    township = Area.objects.get(path=township_path(unit.area.path))
    _require_manager(actor, township)
    details = _details(name, phone, address, hours)
    villages = _villages(villages, township)
    _unique_name(township, details["name"])
    if AgentPoint.objects.filter(unit=unit).exists():
        raise Rejected("agent_point.unit_taken", f"{unit.name}已设有代办点", field="unit")
    try:
        with transaction.atomic():
            point = AgentPoint.objects.create(township=township, unit=unit, created_by=actor, **details)
    except IntegrityError:  # the same point set up twice at once: the constraint is the last defence
        raise Conflict("agent_point.conflict", "该代办点刚被他人设立，请刷新后查看") from None
    point.villages.set(villages)
    _record(actor, point, "window.agent_point.create", f"设立代办点 {point.name}",
            {"unit": unit.pk, "villages": sorted(v.pk for v in villages)})  # fmt: skip
    return point


@transaction.atomic
def update_point(actor, point: AgentPoint, *, name, villages, phone, address, hours, is_active: bool = True) -> AgentPoint:
    _require_manager(actor, point.township)
    if not isinstance(is_active, bool):
        raise Rejected("agent_point.is_active_invalid", "在用须为是或否", field="is_active")
    details = _details(name, phone, address, hours)
    villages = _villages(villages, point.township)
    _unique_name(point.township, details["name"], exclude=point.pk)
    before = {f: getattr(point, f) for f in (*details, "is_active")}
    before_villages = sorted(point.villages.values_list("pk", flat=True))
    for field, value in {**details, "is_active": is_active}.items():
        setattr(point, field, value)
    point.save(update_fields=[*details, "is_active", "updated_at"])
    point.villages.set(villages)
    after = {f: getattr(point, f) for f in before}
    changed = {f: [before[f], after[f]] for f in before if before[f] != after[f]}
    after_villages = sorted(v.pk for v in villages)
    if after_villages != before_villages:
        changed["villages"] = [before_villages, after_villages]
    _record(actor, point, "window.agent_point.update", f"修改代办点 {point.name}", changed)
    return point


def _clock(value, field: str, label: str) -> time:
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value.strip())
        except ValueError:
            raise Rejected(f"agent_point.{field}_invalid", f"{label}格式不正确(如 08:30)", field=field) from None
    if not isinstance(value, time):
        raise Rejected(f"agent_point.{field}_invalid", f"{label}格式不正确(如 08:30)", field=field)
    return value.replace(second=0, microsecond=0)


def _slots(point: AgentPoint, slots) -> list[DutySlot]:
    if not isinstance(slots, list | tuple):
        raise Rejected("agent_point.roster_invalid", "值班表格式不正确", field="slots")
    if len(slots) > MAX_SLOTS:
        raise Rejected("agent_point.roster_too_long", f"值班表不能超过{MAX_SLOTS}行", field="slots")
    agents = {a.pk: a for a in agents_of(point)}
    rows, seen = [], set()
    for number, slot in enumerate(slots, start=1):
        if not isinstance(slot, dict):
            raise Rejected("agent_point.roster_invalid", "值班表格式不正确", field="slots")
        weekday = slot.get("weekday")
        if isinstance(weekday, str) and weekday.strip().isdecimal():
            weekday = int(weekday)
        # 周一至周五值班制 (seed 001 §四(一)3)
        if isinstance(weekday, bool) or weekday not in Weekday.values:
            raise Rejected("agent_point.weekday_invalid", f"第{number}行：值班日须为周一至周五", field="slots")
        starts = _clock(slot.get("starts"), "slots", f"第{number}行开始时间")
        ends = _clock(slot.get("ends"), "slots", f"第{number}行结束时间")
        if ends <= starts:
            raise Rejected("agent_point.slot_order", f"第{number}行：结束时间须晚于开始时间", field="slots")
        agent_id = slot.get("agent_id")
        if isinstance(agent_id, str) and agent_id.strip().isdecimal():
            agent_id = int(agent_id)
        if agent_id not in agents:
            raise Rejected("agent_point.agent_invalid", f"第{number}行：值班人员须为本代办点的在岗代办员", field="slots")
        if (weekday, agent_id, starts) in seen:
            raise Rejected("agent_point.slot_duplicate", f"第{number}行与前面的值班安排重复", field="slots")
        seen.add((weekday, agent_id, starts))
        rows.append(DutySlot(point=point, weekday=weekday, starts=starts, ends=ends, agent=agents[agent_id]))
    return rows


def _roster_data(rows) -> list:
    return [[s.weekday, s.starts.strftime("%H:%M"), s.ends.strftime("%H:%M"), s.agent_id] for s in rows]


@transaction.atomic
def set_roster(actor, point: AgentPoint, slots, *, expected_version: int) -> AgentPoint:
    """Replace the point's on-duty roster. `expected_version` is the roster version the editor
    showed: if someone changed the roster since, nothing is written (compare-and-set)."""
    _require_manager(actor, point.township)
    rows = _slots(point, slots)
    # A version no editor was ever shown (a forged or garbled form) is stale too — and one past
    # the column's range would fail in the database rather than match nothing.
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or not 0 <= expected_version < ROSTER_VERSION_MAX:
        raise Conflict("agent_point.roster_changed", "值班表已被他人修改，请刷新后重新编辑")
    changed = AgentPoint.objects.filter(pk=point.pk, roster_version=expected_version).update(
        roster_version=expected_version + 1, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict("agent_point.roster_changed", "值班表已被他人修改，请刷新后重新编辑")
    before = _roster_data(DutySlot.objects.filter(point=point).order_by("weekday", "starts", "pk"))
    DutySlot.objects.filter(point=point).delete()
    DutySlot.objects.bulk_create(rows)
    point.roster_version = expected_version + 1
    _record(actor, point, "window.agent_point.roster", f"调整代办点 {point.name} 值班表({len(rows)}条)",
            {"before": before, "after": _roster_data(rows)})  # fmt: skip
    return point


@transaction.atomic
def set_carry_days(actor, county: Area, days) -> AgentSetting:
    """The county's limit, in working days, for carrying originals from a point to the centre."""
    if not isinstance(county, Area) or county.level != Area.Level.COUNTY or R.COUNTY_ADMIN not in reach_of(actor).roles_in(county):
        raise Forbidden("agent_point.setting_forbidden", "只有县级管理员可以修改代办点设置")
    if isinstance(days, str) and days.strip().isdecimal():
        days = int(days)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        raise Rejected("agent_point.carry_days_invalid", "原件送交时限须为1至30之间的整数(工作日)", field="carry_days")
    before = AgentSetting.objects.filter(county=county).values_list("carry_days", flat=True).first()
    setting, _ = AgentSetting.objects.update_or_create(county=county, defaults={"carry_days": days, "updated_by": actor})
    journal.record(actor=actor, verb="window.agent_point.setting", subject=f"agent_setting:{county.code}",
                   summary=f"{county.name}代办点原件送交时限 {before or '默认'} → {days}个工作日", data={"carry_days": [before, days]})  # fmt: skip
    return setting


def _point_of(application: Application, direction: str) -> AgentPoint:
    # The originals go from the point they were filed at; the result to the point it is collected at.
    unit_id = application.handover_unit_id if direction == Direction.TO_POINT else application.intake_unit_id
    point = AgentPoint.objects.filter(unit_id=unit_id).select_related("township").first()
    if point is None:
        raise Rejected("agent_point.not_agent_application", "该办件不是在代办点受理的，也不在代办点领取，无需登记代办件交接", field="application")
    return point


def _require_handover_staff(actor, point: AgentPoint) -> None:
    if not may_record_transfer(actor, point):
        raise Forbidden("agent_point.handover_forbidden", "只有本代办点代办员或便民服务中心窗口人员可以登记交接")


def _papers(application: Application, direction: str) -> str:
    """What changes hands, for the slip: the originals and copies received at the point, or the
    result with its numbered 决定书."""
    if direction == Direction.TO_CENTRE:
        rows = application.materials.filter(status=MaterialStatus.RECEIVED).order_by("position")
        return "；".join(f"{m.name}({MaterialForm(m.form).label if m.form in MaterialForm.values else '材料'}{m.copies}份)" for m in rows) or "无"
    papers = Document.objects.filter(case_id=application.case_id, kind__in=(APPROVAL, REFUSAL)).order_by("pk")
    result = Decision(application.decision).label if application.decision in Decision.values else "办理结果"
    return "；".join([f"审批结果：{result}", *(f"{d.title} {d.number}" for d in papers)])


@transaction.atomic
def record_handover(actor, application: Application, direction, *, received_by, note="", at: datetime | None = None) -> PaperTransfer:
    """Record one hand-over of the papers ledger: the originals carried from the point to the
    centre (前台综合受理 → 后台, seed 002 §三(六)), or the result carried back to the point it was
    filed at (统一窗口出件). Once per direction; the result only once decided."""
    if not isinstance(application, Application) or not can_see_case(actor, application.case):
        raise Rejected("agent_point.application_invalid", "办件不存在或不在您的辖区内", field="application")
    if direction not in Direction.values:
        raise Rejected("agent_point.direction_invalid", "请选择有效的流转方向", field="direction")
    point = _point_of(application, direction)
    _require_handover_staff(actor, point)
    received_by = _text(received_by, "received_by", "签收人", SIGNER_MAX)
    note = _text(note, "note", "说明", NOTE_MAX, required=False)
    at = moment(at, field="handed_at", label="交接时间", code="agent_point.handed_at", earliest=application.received_at,
                early_message="交接时间不能早于收件时间")  # fmt: skip
    # Lock the case row: two people recording the same hand-over at once queue here, and the
    # second sees the first's line.
    state = type(application.case).objects.select_for_update().filter(pk=application.case_id).values_list("state", flat=True).get()
    if direction == Direction.TO_CENTRE and state in (State.NOT_ACCEPTED, State.WITHDRAWN):
        raise Conflict("agent_point.no_papers", "该办件已不予受理或已撤回，原件应退还申请人，无需送交中心")
    if direction == Direction.TO_POINT and state != State.DECIDED:
        raise Conflict("agent_point.not_decided", "该办件尚未作出决定或已出件，没有待送回的办理结果")
    if PaperTransfer.objects.filter(application=application, direction=direction).exists():
        label = Direction(direction).label
        raise Conflict("agent_point.handover_done", f"该办件已登记过“{label}”，请勿重复登记")
    slip = documents.issue_document(actor, application.case, TRANSFER_SLIP, extra={
        "point": point.name, "direction": Direction(direction).label, "papers": _papers(application, direction)[:PAPERS_MAX],
        "handed_at": f"{timezone.localtime(at):%Y年%-m月%-d日 %H:%M}", "received_by": received_by, "note": note or "无",
    })  # fmt: skip
    handover = PaperTransfer.objects.create(application=application, point=point, direction=direction, handed_at=at,
                                            recorded_by=actor, received_by=received_by, note=note, slip=slip)  # fmt: skip
    journal.record(actor=actor, verb="window.handover", case=application.case,
                   summary=f"{Direction(direction).label}({point.name})，签收人 {received_by}",
                   data={"point": point.pk, "direction": direction, "handed_at": at.isoformat()})  # fmt: skip
    return handover



def require_result_at_point(application: Application) -> None:
    """Before the result is handed over at the agent point (统一窗口出件 at the point it came
    from): the ledger must show it reached the point (a `to_point` line). The decision part's
    hand-over calls this inside its step; nothing is recorded for it — the centre's clerk who
    gives the result to the agent records the line (and prints its slip) when it happens."""
    if not PaperTransfer.objects.filter(application=application, direction=Direction.TO_POINT).exists():
        raise Conflict("application.result_not_at_point",
                       "办理结果尚未送回代办点：请便民服务中心将结果交给代办员并登记“结果送回代办点”后，再在代办点出件")  # fmt: skip


# ---- per-point items (复杂事项可代办) --------------------------------------------------------


@transaction.atomic
def set_point_item(actor, point: AgentPoint, code, takes) -> PointItem | None:
    """The township removes an item of the guide's 村级代办点可办 from `point` (`takes` False), or
    entrusts the point with an item the guide does not mark (True; seed 001 §四(一)2
    “复杂事项可代办”). Setting what the guide already says drops the point's own choice. The item
    must be in the township's guide in force today. Journaled with before and after."""
    _require_manager(actor, point.township)
    if not isinstance(takes, bool):
        raise Rejected("agent_point.takes_invalid", "请选择可代办或不可代办", field="takes")
    code = _text(code, "code", "事项编码", 64)
    item = guide_of_point(point, timezone.localdate()).filter(code=code).first()
    if item is None:
        raise Rejected("agent_point.item_not_in_guide", f"事项{code}不在{point.township.name}现行办事指南中", field="code")
    AgentPoint.objects.select_for_update().filter(pk=point.pk).get()  # two managers at once: one after the other
    before = PointItem.objects.filter(point=point, code=code).values_list("takes", flat=True).first()
    if takes == item.agent_point:
        PointItem.objects.filter(point=point, code=code).delete()
        choice = None
    else:
        choice, _ = PointItem.objects.update_or_create(point=point, code=code, defaults={"takes": takes, "set_by": actor})
    label = "可代办" if takes else "不可代办"
    _record(actor, point, "window.agent_point.item", f"代办点 {point.name}：{item.code} {item.name} 设为{label}",
            {"code": code, "takes": [before, None if choice is None else takes], "guide_agent_point": item.agent_point})  # fmt: skip
    return choice
