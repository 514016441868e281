"""Where the execution of a decision stands (执行情况): the fine, what is due when (the decision's
deadline or an approved plan), what was paid, the late surcharge to date, the balance. One read
for the case page, the API, the closing check and the 结案报告; the arithmetic is surcharge.py's."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import CourtApplication, EnforcementCase, Payment, PaymentPlan, Service
from .surcharge import late_surcharge

ZERO = Decimal("0.00")


@dataclass
class ExecutionStatus:
    fine: Decimal
    service: Service | None
    plan: PaymentPlan | None
    schedule: list[tuple[date, Decimal]]
    payments: list[Payment]
    court_applications: list[CourtApplication] = field(default_factory=list)
    on: date | None = None
    paid: Decimal = ZERO
    surcharge: Decimal = ZERO

    @property
    def owed(self) -> Decimal:
        return self.fine + self.surcharge

    @property
    def balance(self) -> Decimal:
        return max(ZERO, self.owed - self.paid)

    @property
    def paid_in_full(self) -> bool:
        return self.paid >= self.owed

    @property
    def next_due_on(self) -> date | None:
        """The date by which the next unpaid part of the fine is due (None when the fine is paid)."""
        running = ZERO
        for due_on, amount in self.schedule:
            running += amount
            if self.paid < min(running, self.fine):
                return due_on
        return None

    @property
    def overdue(self) -> bool:
        due = self.next_due_on
        return due is not None and self.on is not None and due < self.on

    @property
    def last_due_on(self) -> date | None:
        return self.schedule[-1][0] if self.schedule else None

    @property
    def court_enforced(self) -> bool:
        return any(a.result == "enforced" for a in self.court_applications)


def schedule_of(fine: Decimal, service: Service | None, plan: PaymentPlan | None) -> list[tuple[date, Decimal]]:
    if fine <= 0:
        return []
    if plan is not None:
        return [(date.fromisoformat(row["due_on"]), Decimal(row["amount"])) for row in plan.schedule]
    return [(service.payment_due_on, fine)] if service is not None else []


def status_of(
    enforcement: EnforcementCase, on: date | None = None, extra_payment: tuple[date, Decimal] | None = None
) -> ExecutionStatus:
    """The status on `on` (today by default). Four queries. `extra_payment` is one not yet saved,
    to ask what the status would be with it (the overpayment check)."""
    on = on or timezone.localdate()
    fine = enforcement.fine_amount or ZERO
    service = Service.objects.filter(enforcement=enforcement).first()
    plan = PaymentPlan.objects.filter(enforcement=enforcement).order_by("-approved_at", "-pk").first()
    payments = list(Payment.objects.filter(enforcement=enforcement).order_by("paid_on", "pk"))
    court = list(CourtApplication.objects.filter(enforcement=enforcement).order_by("applied_on", "pk"))
    status = ExecutionStatus(fine, service, plan, schedule_of(fine, service, plan), payments, court, on)
    paid = [(p.paid_on, p.amount) for p in payments] + ([extra_payment] if extra_payment else [])
    status.paid = sum((amount for _, amount in paid), ZERO)
    # Accrues to today, or to the last payment when that is later (a payment entered ahead).
    until = max([on, *(day for day, _ in paid)])
    status.surcharge = late_surcharge(fine, status.schedule, paid, until)
    return status
