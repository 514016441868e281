"""Delegations (赋权): a department's power handed to townships, in batches (成熟一批，赋予一批,
seed 004 四 and 001 (四)10), each through proposed → approved → in force, then adjusted or
withdrawn. Every change is one transaction, journaled on the "rules" chain.

Rules kept here, whatever the caller:
- A department can only delegate a power it holds: the item must be the department's in the county
  power list in force on the effective date.
- Approval needs the capacity check (承接评估, seed 004 四 "放得下、接得住、管得好") passed for every
  receiving township: a receiving unit of that township, active, with at least the county's
  minimum of trained staff (DelegationPolicy, which the county administrator sets).
- Changes to who holds the power never rewrite the past: an adjustment or withdrawal closes the
  township's period on a date, so `may_exercise` on an earlier day still answers as it did."""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.kernel import journal, records
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.scoping import reach_of
from zhenjie.units.models import Unit

from .. import queries
from ..models import Delegation, DelegationBatch, DelegationPolicy, DelegationTarget, PowerType

State = Delegation.State
ACTIVE_STATES = (State.PROPOSED, State.APPROVED, State.IN_FORCE, State.ADJUSTED)
TITLE_MAX = 100
ENFORCEMENT_TYPES = {PowerType.PENALTY, PowerType.COERCION, PowerType.INSPECTION}


def _subject(delegation: Delegation) -> str:
    return f"delegation:{delegation.pk}"


def _require_county_admin(actor, county: Area) -> None:
    if RoleCode.COUNTY_ADMIN not in reach_of(actor).roles_in(county):
        raise Forbidden("delegation.not_allowed", "只有县级管理员(编办)可以办理赋权事项")


def policy_for(county: Area) -> DelegationPolicy:
    """The county's policy, or the defaults while it has never set one (reading writes nothing)."""
    return DelegationPolicy.objects.filter(county=county).first() or DelegationPolicy(county=county)


@transaction.atomic
def set_delegation_policy(actor, county: Area, *, min_trained_staff: int) -> DelegationPolicy:
    _require_county_admin(actor, county)
    if isinstance(min_trained_staff, bool) or not isinstance(min_trained_staff, int) or not 1 <= min_trained_staff <= 50:
        raise Rejected("delegation.policy_invalid", "最少经培训人员数须为1至50的整数", field="min_trained_staff")
    policy, _ = DelegationPolicy.objects.select_for_update().get_or_create(county=county)
    before = policy.min_trained_staff
    policy.min_trained_staff = min_trained_staff
    policy.save(update_fields=["min_trained_staff"])
    journal.record(
        actor=actor, verb="delegation.policy", subject=f"delegation-policy:{county.pk}",
        summary=f"承接评估标准：承接机构最少经培训人员由{before}人改为{min_trained_staff}人",
        data={"before": before, "after": min_trained_staff},
    )
    return policy


@transaction.atomic
def create_batch(actor, county: Area, *, title: str, document_number: str = "") -> DelegationBatch:
    if county is None or county.level != Area.Level.COUNTY:
        raise Rejected("delegation.county_invalid", "赋权批次须属于一个县", field="county")
    _require_county_admin(actor, county)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise Rejected("delegation.title_invalid", f"请填写批次名称(不超过{TITLE_MAX}字)", field="title")
    document_number = (document_number or "").strip()
    if len(document_number) > 64:
        raise Rejected("delegation.document_too_long", "文号不能超过64字", field="document_number")
    number = (DelegationBatch.objects.filter(county=county).aggregate(n=Max("number"))["n"] or 0) + 1
    batch = DelegationBatch.objects.create(county=county, number=number, title=title, document_number=document_number, created_by=actor if actor and actor.pk else None)
    journal.record(actor=actor, verb="delegation.batch", subject=f"delegation-batch:{batch.pk}", summary=f"新建第{number}批赋权：{title}"[:200], data={"number": number})
    return batch


def _townships(county: Area, scope: str, chosen) -> list[Area]:
    townships = Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county).order_by("path")
    if scope == Delegation.Scope.ALL:
        return list(townships)
    if scope == Delegation.Scope.DEVELOPED:
        found = list(townships.filter(is_developed=True))
        if not found:
            raise Rejected("delegation.no_developed_town", f"{county.name}没有经济发达镇", field="scope")
        return found
    chosen = list(chosen or ())
    if not chosen:
        raise Rejected("delegation.townships_required", "请选择承接的乡镇(街道)", field="townships")
    ids = {t.pk for t in townships}
    outside = [t.name for t in chosen if t.pk not in ids]
    if outside:
        raise Rejected("delegation.township_outside", f"{'、'.join(outside)}不是{county.name}的乡镇(街道)", field="townships")
    return sorted({t.pk: t for t in chosen}.values(), key=lambda t: t.path)


def _default_receiving_unit(township: Area, power_type: str) -> Unit | None:
    """Enforcement powers go to the township's enforcement team, others to its government."""
    units = Unit.objects.filter(area=township, is_active=True)
    if power_type in ENFORCEMENT_TYPES:
        found = units.filter(kind__in=[Unit.Kind.CENTRE, Unit.Kind.OFFICE], name__contains="执法").order_by("sort_order", "pk").first()
        if found:
            return found
    return units.filter(kind=Unit.Kind.TOWNSHIP_GOVERNMENT).order_by("pk").first()


@transaction.atomic
def propose_delegation(
    actor, batch: DelegationBatch, *, department: Unit, power_code: str, scope: str, effective_from: date, townships=(), note: str = ""
) -> Delegation:
    county = batch.county
    _require_county_admin(actor, county)
    if department is None or department.kind != Unit.Kind.DEPARTMENT or department.area_id != county.pk:
        raise Rejected("delegation.department_invalid", f"请选择{county.name}的县直部门", field="department")
    if scope not in Delegation.Scope.values:
        raise Rejected("delegation.scope_invalid", "赋权范围不正确", field="scope")
    if not isinstance(effective_from, date):
        raise Rejected("delegation.effective_required", "请填写施行日期", field="effective_from")
    note = (note or "").strip()
    if len(note) > 500:
        raise Rejected("delegation.note_too_long", "说明不能超过500字", field="note")
    power_code = (power_code or "").strip()[:64]
    item = queries.held_power(department, power_code, effective_from)
    if item is None:
        raise Rejected(
            "delegation.not_held",
            f"{department.name}不持有编码为{power_code or '(空)'}的权责事项(以{effective_from:%Y-%m-%d}施行的县级权责清单为准)，部门只能下放本部门持有的权力",
            field="power_code",
        )
    targets = _townships(county, scope, townships)
    taken = (
        DelegationTarget.objects.filter(township__in=targets, delegation__power_code=power_code, delegation__state__in=ACTIVE_STATES, valid_until__isnull=True)
        .select_related("township", "delegation__batch")
        .first()
    )
    if taken:
        raise Conflict(
            "delegation.duplicate",
            f"{taken.township.name}已有该事项的赋权({taken.delegation.batch}，{taken.delegation.get_state_display()})",
            field="townships",
        )
    delegation = Delegation.objects.create(
        batch=batch, department=department, power_code=item.code, power_name=item.name, power_type=item.power_type,
        scope=scope, effective_from=effective_from, note=note,
    )
    DelegationTarget.objects.bulk_create(
        [
            DelegationTarget(delegation=delegation, township=t, receiving_unit=_default_receiving_unit(t, item.power_type), valid_from=effective_from)
            for t in targets
        ]
    )
    journal.record(
        actor=actor, verb="delegation.propose", subject=_subject(delegation),
        summary=f"拟将{department.name}的「{item.name}」赋予{'、'.join(t.name for t in targets)}"[:200],
        data={"batch": batch.number, "code": item.code, "townships": [t.pk for t in targets], "effective_from": effective_from},
    )
    return delegation


def _check_target(target: DelegationTarget, unit: Unit | None, trained_staff: int, minimum: int) -> str | None:
    """Why a township cannot take the power, or None when it can."""
    if unit is None:
        return "未确定承接机构"
    if not unit.is_active or unit.area_id != target.township_id or unit.kind not in queries.TOWNSHIP_UNIT_KINDS:
        return f"承接机构「{unit.name}」不是该乡镇(街道)在用的机构"
    if trained_staff < minimum:
        return f"经培训人员{trained_staff}人，少于{minimum}人"
    return None


@transaction.atomic
def assess_capacity(actor, target: DelegationTarget, *, receiving_unit: Unit | None, trained_staff: int, assessment: str = "") -> DelegationTarget:
    """Record the capacity check (承接评估) of one receiving township."""
    delegation = target.delegation
    _require_county_admin(actor, delegation.batch.county)
    if delegation.state == State.WITHDRAWN:
        raise Conflict("delegation.withdrawn", "该赋权已收回，不能再评估")
    if target.valid_until is not None:
        raise Conflict("delegation.target_ended", f"{target.township.name}已不在赋权范围内")
    if isinstance(trained_staff, bool) or not isinstance(trained_staff, int) or not 0 <= trained_staff <= 999:
        raise Rejected("delegation.staff_invalid", "经培训人员数须为0至999的整数", field="trained_staff")
    assessment = (assessment or "").strip()
    if len(assessment) > 300:
        raise Rejected("delegation.assessment_too_long", "评估意见不能超过300字", field="assessment")
    if receiving_unit is None:
        raise Rejected("delegation.receiving_unit_required", "请选择承接机构", field="receiving_unit")
    if receiving_unit.area_id != target.township_id or receiving_unit.kind not in queries.TOWNSHIP_UNIT_KINDS or not receiving_unit.is_active:
        raise Rejected("delegation.receiving_unit_invalid", f"承接机构须为{target.township.name}在用的机构", field="receiving_unit")
    target.receiving_unit, target.trained_staff, target.assessment, target.assessed_at = receiving_unit, trained_staff, assessment, timezone.now()
    target.save(update_fields=["receiving_unit", "trained_staff", "assessment", "assessed_at"])
    minimum = policy_for(delegation.batch.county).min_trained_staff
    problem = _check_target(target, receiving_unit, trained_staff, minimum)
    journal.record(
        actor=actor, verb="delegation.assess", subject=_subject(delegation),
        summary=f"{target.township.name}承接「{delegation.power_name}」评估：{problem or '具备承接能力'}"[:200],
        data={"township": target.township_id, "unit": receiving_unit.pk, "trained_staff": trained_staff, "passed": problem is None},
    )
    return target


def _move(actor, delegation: Delegation, sources, target_state: str, verb: str, summary: str, *, note: str = "", data: dict | None = None,
          detail: str = "", **fields) -> Delegation:
    return records.transition(
        delegation, to=target_state, sources=sources, counter="version", also=fields,
        actor=actor, verb=verb, label=summary, noun="该赋权事项", code="delegation.wrong_state", subject=_subject(delegation),
        summary=f"{summary}：{delegation.power_name}({delegation.batch}){detail}"[:200], note=note,
        data={"code": delegation.power_code, **(data or {})},
    )


@transaction.atomic
def approve_delegation(actor, delegation: Delegation) -> Delegation:
    _require_county_admin(actor, delegation.batch.county)
    minimum = policy_for(delegation.batch.county).min_trained_staff
    problems = []
    for target in delegation.targets.select_related("township", "receiving_unit").filter(valid_until__isnull=True):
        problem = "未评估" if target.assessed_at is None else _check_target(target, target.receiving_unit, target.trained_staff, minimum)
        if problem:
            problems.append(f"{target.township.name}({problem})")
    if problems:
        raise Rejected("delegation.capacity", f"承接评估未通过，不能批准：{'；'.join(problems)}", field="targets")
    return _move(actor, delegation, [State.PROPOSED], State.APPROVED, "delegation.approve", "批准赋权", approved_at=timezone.now())


@transaction.atomic
def bring_into_force(actor, delegation: Delegation) -> Delegation:
    """Publish an approved delegation: from its effective date the townships may exercise it."""
    _require_county_admin(actor, delegation.batch.county)
    return _move(actor, delegation, [State.APPROVED], State.IN_FORCE, "delegation.in_force", "公布施行", in_force_at=timezone.now())


@transaction.atomic
def withdraw_delegation(actor, delegation: Delegation, *, on: date, reason: str) -> Delegation:
    """Take the power back from `on`: the townships may not exercise it from that day."""
    _require_county_admin(actor, delegation.batch.county)
    if not isinstance(on, date):
        raise Rejected("delegation.date_required", "请填写收回日期", field="on")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise Rejected("delegation.reason_required", "请填写收回理由(不超过500字)", field="reason")
    delegation = _move(
        actor, delegation, ACTIVE_STATES, State.WITHDRAWN, "delegation.withdraw", "收回赋权",
        note=reason, data={"on": on}, detail=f"，自{on:%Y-%m-%d}起", withdrawn_on=on,
    )
    DelegationTarget.objects.filter(delegation=delegation, valid_until__isnull=True).update(valid_until=on)
    return delegation


@transaction.atomic
def adjust_delegation(actor, delegation: Delegation, *, on: date, remove=(), add=(), note: str = "") -> Delegation:
    """Change which townships hold an in-force delegation from `on`.

    `remove`: townships that stop on `on`; `add`: (township, receiving unit, trained staff)
    that start on `on`, each passing the capacity check first."""
    county = delegation.batch.county
    _require_county_admin(actor, county)
    if not isinstance(on, date):
        raise Rejected("delegation.date_required", "请填写调整生效日期", field="on")
    if on < delegation.effective_from:
        raise Rejected("delegation.adjust_too_early", f"调整日期不能早于施行日期{delegation.effective_from:%Y-%m-%d}", field="on")
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise Rejected("delegation.reason_required", "请填写调整说明(不超过500字)", field="note")
    remove, add = list(remove or ()), list(add or ())
    if not remove and not add:
        raise Rejected("delegation.adjust_empty", "请选择要减少或增加的乡镇(街道)", field="townships")
    open_targets = {t.township_id: t for t in delegation.targets.select_related("township").filter(valid_until__isnull=True)}
    for township in remove:
        if township.pk not in open_targets:
            raise Rejected("delegation.not_a_target", f"{township.name}不在该事项的赋权范围内", field="remove")
    if len(open_targets) - len(remove) + len(add) < 1:
        raise Rejected("delegation.adjust_to_nothing", "调整后没有承接的乡镇(街道)；如需全部收回，请使用「收回」", field="remove")
    minimum = policy_for(county).min_trained_staff
    county_townships = set(Area.objects.filter(level=Area.Level.TOWNSHIP, parent=county).values_list("pk", flat=True))
    new_targets = []
    for township, unit, staff in add:
        if township.pk not in county_townships:
            raise Rejected("delegation.township_outside", f"{township.name}不是{county.name}的乡镇(街道)", field="add")
        if township.pk in open_targets:
            raise Rejected("delegation.already_target", f"{township.name}已在赋权范围内", field="add")
        target = DelegationTarget(delegation=delegation, township=township, valid_from=on)
        problem = _check_target(target, unit, staff if isinstance(staff, int) and not isinstance(staff, bool) else -1, minimum)
        if problem:
            raise Rejected("delegation.capacity", f"{township.name}承接评估未通过：{problem}", field="add")
        target.receiving_unit, target.trained_staff, target.assessed_at = unit, staff, timezone.now()
        new_targets.append(target)
    detail = f"，自{on:%Y-%m-%d}起" + (f"减少{'、'.join(t.name for t in remove)}" if remove else "") + (f"增加{'、'.join(t.name for t, _, _ in add)}" if add else "")
    delegation = _move(
        actor, delegation, [State.IN_FORCE, State.ADJUSTED], State.ADJUSTED, "delegation.adjust", "调整赋权范围",
        note=note, detail=detail, data={"on": on, "removed": [t.pk for t in remove], "added": [t.pk for t, _, _ in add]},
    )
    DelegationTarget.objects.filter(pk__in=[open_targets[t.pk].pk for t in remove]).update(valid_until=on)
    DelegationTarget.objects.bulk_create(new_targets)
    return delegation


@transaction.atomic
def approve_batch(actor, batch: DelegationBatch) -> int:
    """Approve every proposed delegation of the batch, or none if one fails its check."""
    _require_county_admin(actor, batch.county)
    delegations = list(batch.delegations.filter(state=State.PROPOSED).order_by("pk"))
    if not delegations:
        raise Conflict("delegation.nothing_to_approve", "该批次没有待批准的赋权事项")
    for delegation in delegations:
        approve_delegation(actor, delegation)
    return len(delegations)


@transaction.atomic
def bring_batch_into_force(actor, batch: DelegationBatch) -> int:
    _require_county_admin(actor, batch.county)
    delegations = list(batch.delegations.filter(state=State.APPROVED).order_by("pk"))
    if not delegations:
        raise Conflict("delegation.nothing_to_publish", "该批次没有已批准待施行的赋权事项")
    for delegation in delegations:
        bring_into_force(actor, delegation)
    return len(delegations)
