"""The enforcement case's archive package (kernel/ARCHIVE.md; 行政处罚法 Art. 47: the whole process
recorded and archived). The kernel packages the evidence files and every numbered paper by
itself; `detail` adds the record they came from — the power and its basis, the decision, the
service, the payments and plan, the reminders (催告) and the court, the closing and the publicity. The party as every page
shows it: identifiers masked (PARTIES.md). Who may: `rules_execution.may_archive` (the
workflow's `archive` rule); closing asks for the package itself (actions.execution)."""

from zhenjie.kernel import archive

from .execution_status import status_of
from .models import Closure, EnforcementCase, Publication


def _at(value) -> str | None:
    return value.isoformat() if value else None


def detail(case) -> dict:
    enforcement = EnforcementCase.objects.select_related("party", "team").get(case_id=case.pk)
    party = enforcement.party
    status = status_of(enforcement)
    service = status.service
    closure = Closure.objects.filter(enforcement=enforcement).first()
    publication = Publication.objects.filter(enforcement=enforcement).first()
    return {
        "team": enforcement.team.name, "source": enforcement.get_source_display(), "procedure": enforcement.get_procedure_display(),
        "party": None if party is None else {"kind": party.get_kind_display(), "name": party.name, "id_number": party.id_number_masked},
        "place": enforcement.place, "facts": enforcement.facts, "occurred_on": _at(enforcement.occurred_on),
        "power": {"code": enforcement.power_code, "name": enforcement.power_name, "legal_basis": enforcement.legal_basis,
                  "source": enforcement.power_source},
        "registered_at": _at(enforcement.registered_at), "decided_at": _at(enforcement.decided_at),
        "fine": str(status.fine),
        "service": None if service is None else {"method": service.get_method_display(), "served_on": _at(service.served_on),
                                                 "received_by": service.received_by, "tracking_number": service.tracking_number,
                                                 "late": service.late, "payment_due_on": _at(service.payment_due_on)},
        "plan": None if status.plan is None else {"schedule": status.plan.schedule, "reason": status.plan.reason},
        "payments": [{"amount": str(p.amount), "paid_on": _at(p.paid_on), "reference": p.reference} for p in status.payments],
        "surcharge": str(status.surcharge), "paid": str(status.paid),
        "reminders": [{"served_on": _at(r.served_on), "method": r.get_method_display(), "amount_owed": str(r.amount_owed),
                       "pay_by": _at(r.pay_by), "statement": r.statement, "answer": r.answer}
                      for r in enforcement.reminders.order_by("served_on", "pk")],  # 行政强制法 Arts. 35, 36, 54
        "court": [{"applied_on": _at(a.applied_on), "court": a.court, "result": a.get_result_display(), "result_on": _at(a.result_on),
                   "late": a.late} for a in status.court_applications],
        "closure": None if closure is None else {"outcome": closure.get_outcome_display(), "reason": closure.reason},
        "publication": None if publication is None else {
            "social_impact": publication.social_impact, "published_at": _at(publication.published_at), "late": publication.late,
            "withdrawn_at": _at(publication.withdrawn_at), "withdrawal_reason": publication.withdrawal_reason,
        },
    }  # fmt: skip


def item_code(case) -> str:
    return EnforcementCase.objects.filter(case_id=case.pk).values_list("power_code", flat=True).first() or ""


def register() -> None:
    """From EnforcementConfig.ready."""
    archive.register_kind("enforcement", detail=detail, item_code=item_code)
