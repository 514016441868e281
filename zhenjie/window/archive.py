"""The application's archive package (kernel/ARCHIVE.md, issue 15 item 7): who may archive, what
of the window's own record goes into `case.json`, and which service item's retention applies.

The kernel packages the files (material scans, the signed 送达回证 scan) and every numbered paper
(一次性告知书, 受理/不予受理通知书, 决定书, 送达回证) by itself; `detail` adds the record those papers
came from: the item, the applicant (identifiers masked as everywhere, PARTIES.md), the
materials, the notices, the deciding units and their opinions, the decision and the hand-over.

Who: the township's window clerks and leaders (their posts' jurisdiction contains the case's
area — an agent point's village is inside its township), once the application is done: handed
over, not accepted, or withdrawn (《机关文件材料归档范围和文书档案保管期限规定》: a matter is filed
when it is concluded)."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import archive
from zhenjie.kernel.actors import journal_name
from zhenjie.kernel.errors import Conflict, Forbidden

from .models import Application, DecisionRoute, Handover, Notice, Opinion

ARCHIVERS = frozenset({RoleCode.WINDOW_CLERK, RoleCode.TOWNSHIP_LEADER})


def may_archive(standing) -> Forbidden | Conflict | None:
    from .workflow import APPLICATION_WORKFLOW, State

    if not standing.holds(ARCHIVERS):
        return Forbidden("application.not_archiver", "只有本乡镇的窗口受理人员和乡镇领导可以归档办件")
    if standing.case.state not in (State.DELIVERED, State.NOT_ACCEPTED, State.WITHDRAWN):
        state = APPLICATION_WORKFLOW.state_label(standing.case.state)
        return Conflict("application.not_concluded", f"该办件当前为「{state}」，出件、不予受理或撤回后才能归档")
    return None


def _at(value) -> str | None:
    return value.isoformat() if value else None


def _application(case) -> Application:
    return Application.objects.select_related("applicant", "intake_unit", "deciding_unit", "service_item").get(case_id=case.pk)


def detail(case) -> dict:
    """The window's record of the application, for case.json (JSON only; identifiers masked)."""
    application = _application(case)
    applicant = application.applicant
    handover = Handover.objects.filter(application=application).select_related("handed_over_by", "slip").first()
    return {
        "item": {"code": application.item_code, "name": application.item_name, "service_type": application.service_item.service_type,
                 "promised_days": application.service_item.promised_days},
        "applicant": {"kind": applicant.get_kind_display(), "name": applicant.name, "id_number": applicant.id_number_masked,
                      "phone": applicant.phone_masked},
        "intake_unit": application.intake_unit.name,
        "channel": case.channel,
        "received_at": _at(application.received_at), "accepted_at": _at(application.accepted_at),
        "deemed_accepted": application.deemed_accepted,
        "materials": [
            {"name": m.name, "status": m.get_status_display(), "form": m.form, "copies": m.copies, "problem": m.problem,
             "due_on": _at(m.due_on), "supplied_at": _at(m.supplied_at)}
            for m in application.materials.order_by("position", "pk")
        ],
        "notices": [
            {"round": n.round, "number": n.document.number, "issued_at": _at(n.issued_at), "supplied_at": _at(n.supplied_at),
             "items": [{"material": i.material.name, "problem": i.problem} for i in n.items.all()]}
            for n in Notice.objects.filter(application=application).select_related("document").prefetch_related("items__material").order_by("round")
        ],
        "deciding_units": [
            {"unit": r.unit.name, "lead": r.lead, "power_code": r.power_code, "basis": r.basis}
            for r in DecisionRoute.objects.filter(application=application).select_related("unit").order_by("position")
        ],
        "opinions": [
            {"unit": o.unit.name, "lead": o.lead, "decision": o.get_decision_display(), "reason": o.reason, "legal_basis": o.legal_basis,
             "overruling": o.overruling, "decided_at": _at(o.decided_at)}
            for o in Opinion.objects.filter(application=application).select_related("unit")
        ],
        "decision": {"result": application.get_decision_display() if application.decision else "", "reason": application.decision_reason,
                     "legal_basis": application.legal_basis, "decided_at": _at(application.decided_at), "late": application.decided_late,
                     "unit": application.deciding_unit.name if application.deciding_unit else ""},
        "handover": None if handover is None else {
            "method": handover.get_method_display(), "received_by": handover.received_by, "tracking_number": handover.tracking_number,
            "handed_over_at": _at(handover.handed_over_at), "by": journal_name(handover.handed_over_by), "slip": handover.slip.number,
        },
    }  # fmt: skip


def item_code(case) -> str:
    return Application.objects.filter(case_id=case.pk).values_list("item_code", flat=True).first() or ""


def register() -> None:
    """From WindowConfig.ready."""
    archive.register_kind("application", detail=detail, item_code=item_code)
