"""Queue numbers: gapless per centre, letter and day; priority first; the call, recall, skip and
finish rules; AB岗 at the counter; township A's clerk reaches nothing of B's hall."""

import threading
from datetime import date, datetime

import pytest
from django.db import connection, connections, transaction

from zhenjie.accounts.models import StandIn
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.window import hall_queries
from zhenjie.window.actions import hall
from zhenjie.window.models import Priority, Ticket, TicketState

from .hall_world import at, make_hall_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hw():
    return make_hall_world()


def test_numbers_are_gapless_per_centre_letter_and_day(hw):
    ww = hw.ww
    codes = [hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(minute=m)).code for m in range(3)]
    assert codes == ["A001", "A002", "A003"]
    assert hall.issue_ticket(ww.clerk_a, ww.centre_a, "ZW0002", Priority.ELDERLY, now=at(minute=5)).code == "Y001"
    assert hall.issue_ticket(None, ww.centre_b, "ZW0001", now=at()).code == "A001"  # B counts its own
    assert hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 12, 8))).code == "A001"  # a new day
    with pytest.raises(Rejected):  # a refused number uses none
        hall.issue_ticket(None, ww.centre_a, "NOPE", now=at(minute=6))
    assert hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(minute=7)).code == "A004"


def test_bad_input_is_refused_and_writes_nothing(hw):
    ww = hw.ww
    for code, priority in ((None, ""), ("", ""), (123, ""), ("ZW0001", "vip"), ("ZW0001", None)):
        with pytest.raises(Rejected):
            hall.issue_ticket(None, ww.centre_a, code, priority, now=at())
    with pytest.raises(Forbidden):  # B's clerk cannot issue A's numbers
        hall.issue_ticket(ww.clerk_b, ww.centre_a, "ZW0001", now=at())
    with pytest.raises(Rejected):
        hall.issue_ticket(None, ww.world.gov_a, "ZW0001", now=at())  # not a service centre
    assert not Ticket.objects.exists()


def test_closed_day_and_hours_are_refused_with_the_hours_in_the_message(hw):
    ww = hw.ww
    with pytest.raises(Rejected, match="国庆节.*不办公"):  # 2026-10-01, National Day
        hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 10, 1)))
    with pytest.raises(Rejected, match="08:30-12:00"):
        hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(hour=18))
    # 错时服务: lunch-time on a weekday and Saturday morning are open.
    assert hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(hour=12, minute=30)).code == "A001"
    assert hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 12, 12), hour=9)).code == "A001"
    with pytest.raises(Rejected, match="不办公"):
        hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 12, 13)))  # Sunday
    # 节假日轮班: a clerk on the rota opens the hall on the holiday, for the rota's hours.
    from datetime import time

    hall.set_holiday_duty(ww.clerk_a, ww.centre_a, day=date(2026, 10, 2), staff=ww.clerk_a, opens=time(9), closes=time(11))
    assert hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 10, 2))).code == "A001"
    with pytest.raises(Rejected, match="节假日值班"):
        hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 10, 2), hour=15))
    with pytest.raises(Rejected, match="不是法定节假日"):
        hall.set_holiday_duty(ww.clerk_a, ww.centre_a, day=date(2026, 12, 8), staff=ww.clerk_a, opens=time(9), closes=time(11))


def test_make_up_working_day_keeps_mondays_regular_hours(hw):
    # 2026-09-20 (Sunday) is a make-up working day for National Day (shared/reference/holidays.md).
    assert hall.issue_ticket(None, hw.ww.centre_a, "ZW0001", now=at(datetime(2026, 9, 20))).code == "A001"
    with pytest.raises(Rejected):  # the lunch-time stagger is a weekday custom, not kept on a 调休 day
        hall.issue_ticket(None, hw.ww.centre_a, "ZW0001", now=at(datetime(2026, 9, 20), hour=12, minute=30))


def test_priority_first_then_in_order_and_only_items_the_counter_serves(hw):
    ww = hw.ww
    village = hall.issue_ticket(None, ww.centre_a, "BM001", now=at(minute=0))
    first = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(minute=1))
    second = hall.issue_ticket(None, ww.centre_a, "ZW0002", now=at(minute=2))
    old = hall.issue_ticket(None, ww.centre_a, "ZW0002", Priority.ELDERLY, now=at(minute=3))
    order = []
    for minute in range(4, 7):
        ticket = hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=minute))
        order.append(ticket.code)
        hall.finish(ww.clerk_a, ticket, now=at(minute=minute))
    assert order == [old.code, first.code, second.code]  # BM001 is not counter 1's
    with pytest.raises(Conflict, match="暂无等候"):
        hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=8))
    assert hall.call_next(hw.clerk_a2, hw.counter_a2, now=at(minute=9)).pk == village.pk


def test_call_recall_skip_finish_rules(hw):
    ww = hw.ww
    ticket = hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at())
    hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at())
    with pytest.raises(Conflict):  # out of turn: not called yet
        hall.finish(ww.clerk_a, ticket, now=at())
    with pytest.raises(Conflict):
        hall.recall(ww.clerk_a, ticket, now=at())
    called = hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=5))
    assert called.pk == ticket.pk and called.state == TicketState.CALLED and called.counter == hw.counter_a1
    with pytest.raises(Conflict, match="请先办结或过号"):
        hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=6))
    with pytest.raises(Forbidden):  # another counter's clerk cannot act on this counter's call
        hall.skip(hw.clerk_a2, called, now=at(minute=6))
    called = hall.recall(ww.clerk_a, called, now=at(minute=7))
    assert called.recalls == 1 and called.called_at == at(minute=5) and called.last_called_at == at(minute=7)
    skipped = hall.skip(ww.clerk_a, called, now=at(minute=8))
    assert skipped.state == TicketState.SKIPPED
    with pytest.raises(Conflict):
        hall.finish(ww.clerk_a, skipped, now=at(minute=9))
    stale = Ticket.objects.get(pk=hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=9)).pk)
    hall.finish(ww.clerk_a, stale, now=at(minute=10))
    with pytest.raises(Conflict):  # a second finish of the same call (a stale page)
        hall.finish(ww.clerk_a, stale, now=at(minute=11))


def test_finish_links_the_application_it_led_to_of_the_same_centre_only(hw):
    from zhenjie.window.testing import make_application

    ww = hw.ww
    hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at())
    ticket = hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=1))
    other = make_application(ww, township=ww.world.b)
    with pytest.raises(Rejected):
        hall.finish(ww.clerk_a, ticket, application=other, now=at(minute=2))
    application = make_application(ww)
    assert hall.finish(ww.clerk_a, ticket, application=application, now=at(minute=2)).application == application


def test_ab_post_the_absent_clerks_counter_is_served_by_the_alternate(hw):
    ww = hw.ww
    hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at())
    with pytest.raises(Forbidden):  # clerk present: the alternate does not call at their counter
        hall.call_next(hw.clerk_a2, hw.counter_a1, now=at(minute=1))
    # The clerk is on leave on Monday (accounts' AB岗 period, named for the clerk).
    StandIn.objects.create(absent=ww.clerk_a, stand_in=hw.clerk_a2, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 7), reason="年休假")
    with pytest.raises(Forbidden):
        hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=1))
    ticket = hall.call_next(hw.clerk_a2, hw.counter_a1, now=at(minute=1))
    assert ticket.counter == hw.counter_a1 and ticket.called_by == hw.clerk_a2
    hall.finish(hw.clerk_a2, ticket, now=at(minute=2))
    # The next day the period is over: the counter is the clerk's again.
    hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(datetime(2026, 12, 8)))
    with pytest.raises(Forbidden):
        hall.call_next(hw.clerk_a2, hw.counter_a1, now=at(datetime(2026, 12, 8), minute=1))
    assert hall.call_next(ww.clerk_a, hw.counter_a1, now=at(datetime(2026, 12, 8), minute=1))


def test_township_a_reaches_nothing_of_bs_hall(hw):
    ww = hw.ww
    ticket_b = hall.issue_ticket(None, ww.centre_b, "ZW0001", now=at())
    clerk_a = ww.clerk_a
    with pytest.raises(NotFound):
        hall_queries.get_centre_for(clerk_a, ww.centre_b.pk)
    with pytest.raises(NotFound):
        hall_queries.get_counter_for(clerk_a, hw.counter_b1.pk)
    with pytest.raises(NotFound):
        hall_queries.get_ticket_for(clerk_a, ticket_b.pk)
    assert not hall_queries.tickets_for(clerk_a).exists()
    assert set(hall_queries.counters_for(clerk_a)) == {hw.counter_a1, hw.counter_a2}
    assert hall_queries.waiting_figures(clerk_a, date(2026, 12, 1), date(2026, 12, 31)) == []
    with pytest.raises(Forbidden):  # and cannot call at B's counter even when handed it
        hall.call_next(clerk_a, hw.counter_b1, now=at())


def test_waiting_figures_average_and_90th_percentile(hw):
    ww = hw.ww
    for minute in range(10):
        hall.issue_ticket(None, ww.centre_a, "ZW0001", now=at(hour=9, minute=minute))
    for minute in range(10):  # each called `minute * 6` minutes after it was taken: 0, 5, 10 … 45
        ticket = hall.call_next(ww.clerk_a, hw.counter_a1, now=at(hour=9, minute=minute * 6))
        hall.finish(ww.clerk_a, ticket, now=at(hour=9, minute=minute * 6))
    [figure] = hall_queries.waiting_figures(ww.clerk_a, date(2026, 12, 7), date(2026, 12, 7))
    assert (figure.centre_id, figure.day, figure.served) == (ww.centre_a.pk, date(2026, 12, 7), 10)
    assert figure.average_minutes == 22.5 and figure.p90_minutes == 40.0


def _together(work, arguments) -> list[BaseException]:
    """Run `work(*args)` for each args in its own thread, all released at once; the errors."""
    barrier, errors = threading.Barrier(len(arguments)), []

    def run(*args):
        try:
            barrier.wait()
            work(*args)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_kiosks_and_two_counters_at_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers itself")
    from zhenjie.units.models import Unit

    hw = make_hall_world()
    codes, called = [], []

    def kiosk():
        for minute in range(10):
            codes.append(hall.issue_ticket(None, Unit.objects.get(pk=hw.ww.centre_a.pk), "ZW0001", now=at(minute=minute)).code)

    assert _together(kiosk, [()] * 4) == []
    assert sorted(codes) == [f"A{n:03d}" for n in range(1, 41)]

    def counter(clerk, counter):
        for minute in range(10, 20):
            try:
                with transaction.atomic():
                    ticket = hall.call_next(clerk, counter, now=at(minute=minute))
                    called.append(ticket.pk)
                    hall.finish(clerk, ticket, now=at(minute=minute))
            except Conflict:  # the other counter took the candidates first: call again
                continue

    assert _together(counter, [(hw.ww.clerk_a, hw.counter_a1), (hw.clerk_a2, hw.counter_a2)]) == []
    assert len(called) >= 10 and len(called) == len(set(called))  # never the same ticket twice
