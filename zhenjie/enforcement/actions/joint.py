"""Joint enforcement operations (联合执法, part 8): the team or a township leader plans one with
the units stationed in the township (派出所、市场监管所…), the county's departments or the
township's own units, each with its task and headcount, and the cases it concerns; each unit's
part (people, what it did, what it found) is recorded by that unit's staff or the team, and shown
on every linked case's timeline; the operation is then finished with a summary, or cancelled.

Seed 004 §二: 派驻机构…纳入乡镇和街道统一指挥协调; seed 003 §四 二: 统筹协调辖区内派驻人员和基层执法力量
实行联合执法; seed 002 §三(七): 以县级政府及其部门为主、乡镇配合开展的联合执法."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, township_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.inputs import integer, text
from zhenjie.kernel.scoping import reach_of
from zhenjie.units.models import Unit

from ..models import EnforcementCase, JointOperation, OperationStatus, Participant
from ..queries import cases_for
from ..workflow import LEADERS, OFFICERS
from .lifecycle import team_of
from .transfers import team_of_township

CODE = "enforcement"
PLANNERS = OFFICERS | LEADERS
TITLE_MAX = PLACE_MAX = TASK_MAX = 200
TEXT_MAX = 5000
HEADCOUNT_MAX = 999
MAX_PARTICIPANTS = 20
MAX_CASES = 50
PLAN_WINDOW = timedelta(days=366)  # an operation is planned within a year either side of today


@dataclass(kw_only=True)
class Part:
    unit: object  # a Unit, or its id from the API
    task: str
    headcount: object


@dataclass(kw_only=True)
class Plan:
    title: str
    planned_at: object
    place: str
    participants: list[Part] = field(default_factory=list)
    cases: list = field(default_factory=list)  # case ids of the township's enforcement cases


def township_of_planner(actor) -> Area:
    """The township in whose name the actor plans: their team's, or the one they lead."""
    reach = reach_of(actor)
    if reach.roles & OFFICERS:
        try:
            return team_of(actor).area
        except Forbidden:
            pass
    for root in reach.roots_with(LEADERS):
        if township_path(root) == root:
            township = Area.objects.filter(path=root, level=Area.Level.TOWNSHIP).first()
            if township is not None:
                return township
    raise Forbidden("enforcement.joint_forbidden", "只有乡镇(街道)综合执法队的执法人员或乡镇领导可以组织联合执法")


def may_plan(actor, township: Area) -> bool:
    return bool(reach_of(actor).roles_in(township) & PLANNERS)


def _may_take_part(unit: Unit, township: Area) -> bool:
    """Under the township's command: its stationed units and its own units; or a department of its county."""
    if not unit.is_active:
        return False
    if unit.kind == Unit.Kind.DEPARTMENT:
        return unit.area.path == county_path(township.path)
    return unit.area.path == township.path


def _unit(value) -> Unit | None:
    if isinstance(value, Unit):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return Unit.objects.select_related("area").filter(pk=value).first()


def _participants(parts: list[Part], township: Area, team: Unit) -> list[tuple[Unit, str, int]]:
    if not parts:
        raise Rejected("enforcement.participants_required", "请至少选择一个参与单位", field="participants")
    if len(parts) > MAX_PARTICIPANTS:
        raise Rejected("enforcement.participants_too_many", f"参与单位不能超过{MAX_PARTICIPANTS}个", field="participants")
    cleaned, seen = [], set()
    for part in parts:
        unit = _unit(part.unit)
        if unit is None or unit.pk == team.pk or not _may_take_part(unit, township):
            raise Rejected("enforcement.participant_invalid", f"参与单位须为派驻{township.name}的机构、本乡镇(街道)的单位或本县县直部门",
                           field="participants")  # fmt: skip
        if unit.pk in seen:
            raise Rejected("enforcement.participant_twice", f"{unit.name}重复", field="participants")
        seen.add(unit.pk)
        task = text(
            part.task, field="participants", label=f"{unit.name}的职责分工", max_length=TASK_MAX, code=CODE, required=True
        )
        headcount = integer(
            part.headcount, field="participants", label=f"{unit.name}的计划人数", low=1, high=HEADCOUNT_MAX, code=CODE
        )
        cleaned.append((unit, task, headcount))
    return cleaned


def _cases(actor, ids, township: Area) -> list[EnforcementCase]:
    if (
        not isinstance(ids, (list, tuple))
        or len(ids) > MAX_CASES
        or any(isinstance(i, bool) or not isinstance(i, int) for i in ids)
    ):
        raise Rejected("enforcement.joint_cases_invalid", f"关联案件须为案件ID，至多{MAX_CASES}件", field="cases")
    found = list(cases_for(actor).filter(case_id__in=set(ids), case__area__path__startswith=township.path))
    if len(found) != len(set(ids)):
        raise Rejected("enforcement.joint_case_unknown", f"关联案件不存在或不是{township.name}的案件", field="cases")
    return found


def _planned_at(value) -> datetime:
    if not isinstance(value, datetime):
        raise Rejected("enforcement.planned_at_required", "请填写计划时间", field="planned_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if abs(value - timezone.now()) > PLAN_WINDOW:
        raise Rejected("enforcement.planned_at_invalid", "计划时间须在前后一年之内", field="planned_at")
    return value


def _on_cases(actor, operation: JointOperation, cases, verb: str, summary: str, note: str = "", data: dict | None = None) -> None:
    """One entry on each linked case's timeline (全过程记录), the case's state unchanged."""
    for enforcement in cases:
        case = enforcement.case
        journal.record(actor=actor, verb=verb, case=case, summary=summary[:200], note=note, from_state=case.state, to_state=case.state,
                       data={"operation": operation.pk, **(data or {})})  # fmt: skip


def _on_township(actor, operation: JointOperation, verb: str, summary: str, note: str = "", data: dict | None = None) -> None:
    journal.record(actor=actor, verb=verb, subject=f"joint_operation:{operation.pk}", chain=township_path(operation.township.path),
                   summary=summary[:200], note=note, data=data or {})  # fmt: skip


@transaction.atomic
def plan_operation(actor, plan: Plan) -> JointOperation:
    """计划 a joint operation led by the township's team; journaled on the township's chain and
    on each linked case."""
    township = township_of_planner(actor)
    team = team_of_township(township)
    title = text(plan.title, field="title", label="行动名称", max_length=TITLE_MAX, code=CODE, required=True)
    place = text(plan.place, field="place", label="地点", max_length=PLACE_MAX, code=CODE, required=True)
    planned_at = _planned_at(plan.planned_at)
    participants = _participants(plan.participants, township, team)
    cases = _cases(actor, plan.cases, township)
    operation = JointOperation.objects.create(
        township=township, title=title, planned_at=planned_at, place=place, lead_unit=team, planned_by=actor
    )
    Participant.objects.bulk_create([Participant(operation=operation, unit=u, task=t, headcount=h) for u, t, h in participants])
    operation.cases.set(cases)
    names = "、".join(unit.name for unit, _, _ in participants)
    _on_township(
        actor, operation, "joint.plan", f"计划联合执法「{title}」：{names}", data={"units": [u.pk for u, _, _ in participants]}
    )
    _on_cases(
        actor,
        operation,
        cases,
        "joint.plan",
        f"列入联合执法「{title}」({timezone.localtime(planned_at):%Y-%m-%d %H:%M}，{names})",
    )
    return operation


def may_record(actor, participant: Participant) -> bool:
    reach = reach_of(actor)
    return participant.unit_id in reach.unit_ids or bool(reach.roles_in(participant.operation.township) & PLANNERS)


@transaction.atomic
def record_part(actor, participant: Participant, people, work_done: str, findings: str = "") -> Participant:
    """A unit's part as done: people present, what it did, what it found — by that unit's staff
    or the team; on the township's chain and on each linked case's timeline."""
    operation = participant.operation
    if not may_record(actor, participant):
        raise Forbidden(
            "enforcement.joint_part_forbidden", f"只有{participant.unit.name}或牵头的综合执法队可以记录该单位的参与情况"
        )
    people = integer(people, field="people", label="实到人数", low=0, high=HEADCOUNT_MAX, code=CODE)
    work_done = text(work_done, field="work_done", label="开展情况", max_length=TEXT_MAX, code=CODE, required=True)
    findings = text(findings, field="findings", label="发现问题", max_length=TEXT_MAX, code=CODE)
    locked = JointOperation.objects.select_for_update().get(pk=operation.pk)
    if locked.status == OperationStatus.CANCELLED:
        raise Conflict("enforcement.joint_cancelled", "该联合执法行动已取消，不能记录")
    now = timezone.now()
    Participant.objects.filter(pk=participant.pk).update(
        people=people, work_done=work_done, findings=findings, recorded_by=actor, recorded_at=now
    )
    participant.people, participant.work_done, participant.findings, participant.recorded_by, participant.recorded_at = (
        people,
        work_done,
        findings,
        actor,
        now,
    )
    summary = f"联合执法「{operation.title}」：{participant.unit.name}参与{people}人"
    note = f"开展情况：{work_done}" + (f"\n发现问题：{findings}" if findings else "")
    data = {"unit": participant.unit_id, "people": people}
    _on_township(actor, operation, "joint.part", summary, note, data)
    _on_cases(actor, operation, operation.cases.select_related("case__area"), "joint.part", summary, note, data)
    return participant


def _close(actor, operation: JointOperation, status: str, summary_text: str, verb: str, label: str) -> JointOperation:
    if not may_plan(actor, operation.township):
        raise Forbidden("enforcement.joint_forbidden", f"只有{operation.township.name}的执法人员或乡镇领导可以{label}联合执法")
    now = timezone.now()
    changed = JointOperation.objects.filter(pk=operation.pk, status=OperationStatus.PLANNED).update(
        status=status, summary=summary_text, finished_at=now
    )
    if not changed:
        current = JointOperation.objects.filter(pk=operation.pk).values_list("status", flat=True).first()
        raise Conflict(
            "enforcement.joint_not_planned",
            f"该联合执法行动当前为「{OperationStatus(current).label}」，不能{label}，请刷新后查看",
        )
    operation.status, operation.summary, operation.finished_at = status, summary_text, now
    _on_township(actor, operation, verb, f"{label}联合执法「{operation.title}」", summary_text)
    _on_cases(
        actor,
        operation,
        operation.cases.select_related("case__area"),
        verb,
        f"联合执法「{operation.title}」{OperationStatus(status).label}",
        summary_text,
    )
    return operation


@transaction.atomic
def finish_operation(actor, operation: JointOperation, summary: str) -> JointOperation:
    summary = text(summary, field="summary", label="行动总结", max_length=TEXT_MAX, code=CODE, required=True)
    return _close(actor, operation, OperationStatus.DONE, summary, "joint.finish", "完成")


@transaction.atomic
def cancel_operation(actor, operation: JointOperation, reason: str) -> JointOperation:
    reason = text(reason, field="reason", label="取消理由", max_length=TEXT_MAX, code=CODE, required=True)
    return _close(actor, operation, OperationStatus.CANCELLED, reason, "joint.cancel", "取消")
