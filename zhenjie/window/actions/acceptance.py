"""Accept or refuse to accept an application (受理 / 不予受理), each with its numbered written
receipt (行政许可法 Art. 32 last para.). Acceptance routes the decision (window/routing.py) and
starts the clock (window/clock.py); all of it is one transaction, so a refusal of any part —
materials missing, no deciding unit, someone who acted first — writes nothing, the receipt's
number included (kernel/DOCUMENTS.md: a rollback returns the number unused)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import documents, journal, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import Document
from zhenjie.lists.models import MaterialRequirement

from .. import clock, receipts, routing
from ..models import Application, ApplicationMaterial, MaterialStatus
from ..workflow import APPLICATION_WORKFLOW, State


def _in_state(application: Application, name: str) -> None:
    """The engine refuses a step out of turn too; asking first spares a numbered PDF."""
    transition = APPLICATION_WORKFLOW.transitions[name]
    if application.case.state not in transition.sources:
        raise Conflict("case.wrong_state", f"该办件当前为「{APPLICATION_WORKFLOW.state_label(application.case.state)}」，不能「{transition.label}」，请刷新后查看")


def materials_lacking(application: Application) -> list[ApplicationMaterial]:
    """Materials that keep the application from acceptance: missing or defective ones, and a
    deferral the guide does not allow (容缺 only where the guide says so)."""
    rows = ApplicationMaterial.objects.filter(application=application).select_related("guide_material").order_by("position")
    return [
        m for m in rows
        if m.status in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)
        or (m.status == MaterialStatus.DEFERRED and m.guide_material.requirement != MaterialRequirement.DEFERRABLE)
    ]  # fmt: skip


def _day(at: datetime | None) -> str:
    return f"{timezone.localtime(at):%Y年%m月%d日}" if at else "法律法规未规定"


@transaction.atomic
def accept_application(actor, application: Application) -> Document:
    """受理: every material received or validly deferred; the decision routed; the clock started
    (from receipt when the application counts as accepted, Art. 32(4)); the receipt issued."""
    _in_state(application, "accept")
    lacking = materials_lacking(application)
    if lacking:
        names = "、".join(f"「{m.name}」({m.get_status_display()})" for m in lacking)
        raise Rejected("window.materials_incomplete", f"申请材料不齐全，不能受理：{names}。请一次性告知申请人补正，或补齐后再受理")
    now = timezone.now()
    deciders = routing.route(application, timezone.localdate(now))
    limits = clock.limits_for(application, routing.is_joint(deciders))
    start, from_receipt = clock.start_of(application, now)
    statutory = clock.due_preview(start, limits.statutory_days) if limits.statutory_days is not None else None
    receipt = documents.issue_document(actor, application.case, receipts.ACCEPTANCE, extra={
        "accepted": _day(start), "deciders": "、".join(d.unit.name for d in deciders)[:300],
        "promised_due": _day(clock.due_preview(start, limits.promised_days)),
        "statutory_due": f"{limits.statutory_days}个工作日，至{_day(statutory)}" if statutory else "法律法规未规定",
    })  # fmt: skip
    case = workflow.perform(
        actor, application.case, "accept",
        assign=[Assign(d.unit, routing.DECIDE, role=d.role) for d in deciders],
        before_save=lambda c: clock.start(c, limits, start),
    )  # fmt: skip
    Application.objects.filter(pk=application.pk).update(accepted_at=now, deciding_unit=deciders[0].unit)
    routing.record(application, deciders)
    clock.record(application, limits, start, from_receipt)
    journal.record(
        actor=actor, verb="window.route", case=case, from_state=State.REVIEWING, to_state=State.REVIEWING,
        summary=f"确定审批单位：{'、'.join(d.unit.name for d in deciders)}{'(联合办理)' if limits.joint else ''}",
        note="\n".join(d.basis for d in deciders)[:2000],
    )  # fmt: skip
    application.refresh_from_db()
    return receipt


@transaction.atomic
def refuse_acceptance(actor, application: Application, reason: str) -> Document:
    """不予受理, with the reason on the receipt (Art. 32(1)–(2) and last para.)."""
    _in_state(application, "refuse_acceptance")
    reason = APPLICATION_WORKFLOW.transitions["refuse_acceptance"].clean_reason(reason)
    receipt = documents.issue_document(actor, application.case, receipts.REFUSAL, extra={"reason": reason})
    workflow.perform(actor, application.case, "refuse_acceptance", reason=reason)
    application.refresh_from_db()
    return receipt
