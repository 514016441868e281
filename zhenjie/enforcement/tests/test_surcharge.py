"""The late-payment surcharge (行政处罚法 Art. 72(1)(一)): 3 % of the overdue fine a day, never more
than the fine; paying on the due date costs nothing; partial payments lower what accrues."""

from datetime import date, timedelta
from decimal import Decimal

from zhenjie.enforcement.surcharge import late_surcharge

DUE = date(2026, 3, 16)
FINE = Decimal("1000.00")


def on(days: int) -> date:
    return DUE + timedelta(days=days)


def test_nothing_accrues_on_the_due_date_itself():
    assert late_surcharge(FINE, [(DUE, FINE)], [], on(0)) == Decimal("0.00")


def test_ten_days_late_is_thirty_percent_of_the_fine():
    assert late_surcharge(FINE, [(DUE, FINE)], [], on(10)) == Decimal("300.00")


def test_the_surcharge_stops_at_the_fine_from_day_34():
    assert late_surcharge(FINE, [(DUE, FINE)], [], on(33)) == Decimal("990.00")
    assert late_surcharge(FINE, [(DUE, FINE)], [], on(34)) == FINE
    assert late_surcharge(FINE, [(DUE, FINE)], [], on(400)) == FINE


def test_a_partial_payment_lowers_what_accrues_from_the_next_day():
    # 400 paid on day 5: days 1–5 on 1,000 (150), days 6–10 on 600 (90).
    assert late_surcharge(FINE, [(DUE, FINE)], [(on(5), Decimal("400"))], on(10)) == Decimal("240.00")


def test_a_fine_paid_in_time_accrues_nothing_later():
    assert late_surcharge(FINE, [(DUE, FINE)], [(on(-2), FINE)], on(100)) == Decimal("0.00")


def test_a_fine_paid_late_accrues_only_until_the_payment():
    assert late_surcharge(FINE, [(DUE, FINE)], [(on(3), FINE)], on(60)) == Decimal("90.00")


def test_instalments_each_accrue_from_their_own_date():
    schedule = [(DUE, Decimal("500")), (on(30), Decimal("500"))]
    assert late_surcharge(FINE, schedule, [(DUE, Decimal("500"))], on(30)) == Decimal("0.00")
    # The second instalment 2 days late: 3 % of the 500 overdue for two days.
    assert late_surcharge(FINE, schedule, [(DUE, Decimal("500"))], on(32)) == Decimal("30.00")


def test_the_cap_is_the_fine_also_with_odd_amounts():
    fine = Decimal("333.33")
    assert late_surcharge(fine, [(DUE, fine)], [], on(34)) == fine
    assert late_surcharge(fine, [(DUE, fine)], [], on(1)) == Decimal("10.00")
