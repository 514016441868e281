"""乡呼县应 (seed 003 三(二)): for what a township cannot solve alone, it calls a county
department or a department's unit stationed in the township (派驻机构) — or several, for joint
enforcement — with what is asked and by when, on an event or
any case whose kind declares the "call" rule (workflow.may_call). The
department's liaison (in a stationed unit, its staff) responds within the county's response time
(kernel.supervision.call_acknowledge_due: SupervisionPolicy.call_acknowledge_hours, on the clock or
in working hours), acts and reports back; the
township confirms or sends it back, and rates the response (seed 003 五(一): townships assess
departments, 35% weight). "件件有响应、事事有着落"."""

import secrets

from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from zhenjie.accounts.roles import COMMAND, RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, reaches_level, township_path
from zhenjie.kernel import journal, rating, supervision, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import reach_of
from zhenjie.kernel.workflow import clean_inputs, rule_of
from zhenjie.units.models import Unit

from .models import Call
from .workflow import CALL, CALL_INPUTS, CALL_WORKFLOW, MAX_DEPARTMENTS, CallState


def _caller_unit(actor, parent: Case) -> Unit:
    """The unit of the post through which the actor calls: a command role over the parent's
    area (the "call" rule has made sure there is one)."""
    post = next(p for p in reach_of(actor).posts if p.path and parent.area.path.startswith(p.path) and p.roles & COMMAND)
    return Unit.objects.get(pk=post.unit_id)


def _may_be_called(unit: Unit, parent: Case) -> bool:
    """A county department of the parent's county, or a stationed unit (派驻机构) of one of them
    stationed in the parent's township (seed 003 四(二): 派驻执法队伍和人员接受镇街统一指导和协调)."""
    if unit.kind == Unit.Kind.DEPARTMENT:
        return unit.area.path == county_path(parent.area.path)
    if unit.kind == Unit.Kind.STATIONED and unit.is_active and reaches_level(parent.area.path, Area.Level.TOWNSHIP):
        return unit.area.path == township_path(parent.area.path)
    return False


def _responder_role(unit: Unit) -> str:
    """Who answers a call: a department's liaisons; in a stationed unit, whoever is posted there."""
    return RoleCode.DEPARTMENT_LIAISON if unit.kind == Unit.Kind.DEPARTMENT else ""


@transaction.atomic
def call_departments(actor, parent: Case, departments, request: str, working_days: int) -> list[Call]:
    """Call `departments` on the case `parent`, one call case each (its child)."""
    if (refused := rule_of("call")(actor, parent)) is not None:  # the parent kind's rule
        raise refused
    caller = _caller_unit(actor, parent)
    departments = list({d.pk: d for d in departments if d is not None}.values())
    values = clean_inputs(CALL_INPUTS, {"departments": departments, "request": request, "working_days": working_days}, "呼叫县直部门", "call")
    request, working_days = values["request"], values["working_days"]
    if len(departments) > MAX_DEPARTMENTS:
        raise Rejected("call.too_many_departments", f"一次最多呼叫{MAX_DEPARTMENTS}个部门", field="departments")
    if not all(_may_be_called(d, parent) for d in departments):
        raise Rejected("call.not_a_department", "只能呼叫本县的县直部门或派驻本乡镇(街道)的机构", field="departments")
    busy = set(Call.objects.filter(case__parent=parent, department__in=departments, case__closed_at__isnull=True).values_list("department__name", flat=True))
    if busy:
        raise Conflict("call.already_open", f"已呼叫且尚未办结：{'、'.join(sorted(busy))}", field="departments")

    acknowledge_due = supervision.call_acknowledge_due(parent.area, timezone.now())
    group = secrets.token_hex(6) if len(departments) > 1 else ""
    calls = []
    for department in departments:
        case = workflow.open_case(
            actor,
            kind=CALL,
            title=f"呼叫{department.short_name or department.name}：{parent.title}"[:200],
            area=parent.area,
            owner_unit=department,
            channel="call",
            limit=Limit(working_days),
            parent=parent,
            number_unit=caller,
            assign=[Assign(department, "respond", due_at=acknowledge_due, role=_responder_role(department))],
            note=request,
            data={"parent": parent.pk, "department": department.pk, "group": group},
        )
        calls.append(Call.objects.create(case=case, department=department, caller_unit=caller, group=group,
                                         request=request, acknowledge_due=acknowledge_due))
    names = "、".join(d.name for d in departments)
    journal.record(actor=actor, verb="call", case=parent, summary=f"乡呼县应：呼叫{names}", note=request,
                   from_state=parent.state, to_state=parent.state, data={"calls": [c.case_id for c in calls]})
    return calls


def _liaison_work(call: Call, todo: str) -> Assign:
    return Assign(call.department, todo, role=_responder_role(call.department))


@transaction.atomic
def acknowledge_call(actor, call: Call) -> Call:
    workflow.perform(actor, call.case, "acknowledge", assign=[_liaison_work(call, "handle")])
    Call.objects.filter(pk=call.pk).update(acknowledged_at=timezone.now())
    call.refresh_from_db(fields=["acknowledged_at"])
    return call


@transaction.atomic
def report_call(actor, call: Call, result: str) -> Call:
    result = CALL_WORKFLOW.transitions["report_back"].clean({"result": result})["result"]
    workflow.perform(actor, call.case, "report_back", assign=[Assign(call.caller_unit, "confirm")], data={"result": result[:200]})
    Call.objects.filter(pk=call.pk).update(result=result, reported_at=timezone.now())
    call.refresh_from_db(fields=["result", "reported_at"])
    return call


@transaction.atomic
def confirm_call(actor, call: Call) -> Call:
    workflow.perform(actor, call.case, "confirm")
    Call.objects.filter(pk=call.pk).update(confirmed_at=timezone.now())
    call.refresh_from_db(fields=["confirmed_at"])
    return call


@transaction.atomic
def reject_call(actor, call: Call, reason: str) -> Call:
    workflow.perform(actor, call.case, "reject", reason=reason, assign=[_liaison_work(call, "handle")])
    # Only the report the township accepts counts for "solved on time".
    Call.objects.filter(pk=call.pk).update(reported_at=None)
    return call


def withdraw_call(actor, call: Call, reason: str) -> Call:
    workflow.perform(actor, call.case, "withdraw", reason=reason)
    return call


def rate_call(actor, call: Call, grade: int, comment: str = "") -> Call:
    """The calling township rates how the department responded, once, after confirming."""
    rating.rate(actor, call.case, grade, comment)
    return call


def department_figures(calls):
    """Per department or stationed unit (its kind in `department__kind`): calls received, acknowledged on time, solved on time, average rating —
    what the assessment reads (seed 003 五(一)). One grouped query."""
    return (
        calls.values("department_id", "department__name", "department__kind")
        .annotate(
            received=Count("id"),
            acknowledged_on_time=Count("id", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_due"))),
            solved_on_time=Count("id", filter=Q(case__state=CallState.CONFIRMED, reported_at__lte=F("case__due_at"))),
            solved=Count("id", filter=Q(case__state=CallState.CONFIRMED)),
            average_rating=Avg("case__rating"),
        )
        .order_by("-received", "department__name")
    )
