"""The late-payment surcharge (加处罚款, 行政处罚法 Art. 72(1)(一)): for each day a fine is overdue,
3 % of the fine overdue that day, the total never more than the fine itself. Pure: dates and
amounts in, an amount out — the case page, the closing check and the tests all ask it.

Which part of the fine is overdue on a day: what the schedule made due before that day (the
decision's single deadline, or an approved deferral's or instalments' dates, Art. 66) less what
was paid before that day, payments going to the fine first. A day is late when it is after a due
date; paying on the due date itself costs nothing (the deadline ends at 24:00 of that day)."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

RATE = Decimal("0.03")  # Art. 72(1)(一): 每日按罚款数额的百分之三加处罚款
CENT = Decimal("0.01")


def late_surcharge(
    fine: Decimal, schedule: Iterable[tuple[date, Decimal]], payments: Iterable[tuple[date, Decimal]], on: date
) -> Decimal:
    """The surcharge accrued up to and including `on`."""
    fine = Decimal(fine or 0)
    if fine <= 0:
        return Decimal("0.00")
    schedule = sorted(schedule)
    payments = sorted(payments)
    if not schedule:
        return Decimal("0.00")
    total = Decimal(0)
    day = schedule[0][0] + timedelta(days=1)
    while day <= on:
        due = min(fine, sum((amount for due_on, amount in schedule if due_on < day), Decimal(0)))
        paid = min(fine, sum((amount for paid_on, amount in payments if paid_on < day), Decimal(0)))
        overdue = due - paid
        if overdue <= 0 and paid >= fine:
            break  # the fine is paid: nothing more accrues
        if overdue > 0:
            total += overdue * RATE
            if total >= fine:
                return fine.quantize(CENT)  # Art. 72(1)(一): 加处罚款的数额不得超出罚款的数额
        day += timedelta(days=1)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
