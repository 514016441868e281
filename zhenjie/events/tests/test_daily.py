"""The command screen's daily counts (events/daily.py) say exactly what counting the events
live says: for a township and for the county, over days counted earlier and today, after a
late report dated into a counted day, and with events closed since."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.events import actions, analysis, daily, jobs
from zhenjie.events.models import EventDay
from zhenjie.kernel import followups
from zhenjie.kernel.models import Case, FollowUp
from zhenjie.events.tests.test_analysis import dispatch, known, report  # noqa: F401  (known: a fixture)

pytestmark = pytest.mark.django_db

FIGURES = (analysis.by_category, analysis.by_channel, analysis.by_area)


def figures(user, period, area=None, weeks=True):
    found = {f.__name__: f(user, period, area) for f in FIGURES}
    if area is None:
        found["trend"] = analysis.daily_trend(user, period)
    if weeks:
        found["weeks"] = analysis.weekly_trend(user, analysis.Period.last_weeks(12), area)
    return found


def live(monkeypatch, user, period, area=None, weeks=True):
    with monkeypatch.context() as patched:
        patched.setattr(analysis, "_daily", lambda *args: None)
        return figures(user, period, area, weeks)


def test_every_figure_from_the_days_equals_the_live_count(world, known, monkeypatch):  # noqa: F811
    period = analysis.Period.last_days(30)
    cases = ((world.dispatcher_a, None), (world.county_admin, None), (world.county_admin, world.a), (world.leader_b, None))
    expected = {(user.username, area): live(monkeypatch, user, period, area) for user, area in cases}
    for user, area in cases:  # no rows yet: every township counted live, and a page writes nothing
        assert figures(user, period, area) == expected[(user.username, area)]
    assert not EventDay.objects.exists()
    assert jobs.count_yesterday.call_local() == 2
    # both townships' window, sealed, and tomorrow's ledger opened
    assert EventDay.objects.filter(dimension="reported").count() == 2 * (daily.WARM_DAYS + 1)
    for user, area in cases:  # from the rows now kept, the twelve weeks too
        assert figures(user, period, area) == expected[(user.username, area)], user.username
    township_a = analysis.by_area(world.county_admin, period)
    assert {row["name"]: (row["value"], row["open"]) for row in township_a} == {"甲镇": (4, 3), "乙镇": (1, 1)}
    # The figures read the rows: a row changed by hand shows.
    EventDay.objects.filter(township=world.a, dimension="category").update(count=100)
    assert analysis.by_category(world.dispatcher_a, period)[0]["value"] >= 100


def test_a_report_dated_into_a_counted_day_is_counted(world, known, monkeypatch):  # noqa: F811
    period = analysis.Period.last_days(30)
    jobs.count_yesterday.call_local()
    before = figures(world.dispatcher_a, period)
    late = report(world, "dispute", "hotline", days_ago=10)  # a 12345 order imported late
    assert not EventDay.objects.filter(township=world.a, day=timezone.localdate(late.reported_at)).exists()
    after = figures(world.dispatcher_a, period)
    assert after == live(monkeypatch, world.dispatcher_a, period) and after != before
    assert analysis.daily_trend(world.dispatcher_a, period)["reported"][-11] == 2
    dispatch(world, late)  # and a change today to an event of a counted day changes nothing counted
    assert figures(world.dispatcher_a, period) == live(monkeypatch, world.dispatcher_a, period)


def test_a_townships_first_report_of_the_day_has_the_job_queue_count_its_window(world, known, django_capture_on_commit_callbacks):  # noqa: F811
    daily._counted_through.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report(world, "noise", "grid")
    # the window's count and every report's early warning (events.jobs.check_pile_up)
    assert len(callbacks) == 2
    # The window's days are counted; beside them only tomorrow's ledger, which count_window opens
    # unless tomorrow is within the hour (after 23:00 it is not: events/jobs.py).
    today, days = timezone.localdate(), set(EventDay.objects.filter(township=world.a, dimension="reported").values_list("day", flat=True))
    window = {today - timedelta(days=n) for n in range(1, daily.WARM_DAYS + 1)}
    assert window <= days and days - window <= {today + timedelta(days=1)}
    assert not EventDay.objects.filter(township=world.b).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report(world, "noise", "grid")
    assert len(callbacks) == 1  # known to be counted through yesterday: only the early warning is asked


def test_the_rows_are_not_used_below_a_township_or_for_part_days(world, known, monkeypatch):  # noqa: F811
    now = timezone.now()
    part_day = analysis.Period(now - timedelta(days=5, hours=3), now)
    for user, area, period in ((world.grid_worker_a, None, analysis.Period.last_days(30)), (world.liaison, None, analysis.Period.last_days(30)),
                               (world.county_admin, world.village_a, analysis.Period.last_days(30)), (world.dispatcher_a, None, part_day)):
        assert analysis._daily(user, period, area, "reported") is None
        assert figures(user, period, area, weeks=False) == live(monkeypatch, user, period, area, weeks=False)
    assert not EventDay.objects.exists()


def test_the_nightly_job_counts_the_window_ahead_and_twice_counts_nothing_twice(world, known):  # noqa: F811
    assert jobs.count_yesterday.call_local() == 2
    rows = EventDay.objects.count()
    daily.ensure_days(list(analysis.Area.objects.filter(level="township")), timezone.localdate() - timedelta(days=daily.WARM_DAYS), timezone.localdate())
    assert EventDay.objects.count() == rows
    # today is counted live where no ledger was opened before it began; tomorrow's is opened, at nought
    assert EventDay.objects.filter(dimension="reported", day=timezone.localdate()).count() == 0
    assert set(EventDay.objects.filter(day=timezone.localdate() + timedelta(days=1)).values_list("dimension", "count")) == {("reported", 0), ("closed", 0)}


def test_every_analysis_window_lies_inside_the_counted_days_so_no_page_counts_a_year_live(world, known):  # noqa: F811
    from zhenjie.dashboard.filters import WEEKS_CHOICES

    for offset in range(7):  # whatever the weekday
        now = timezone.now() + timedelta(days=offset)
        earliest = timezone.localdate(analysis.Period.last_weeks(max(WEEKS_CHOICES), now).start)
        assert earliest >= timezone.localdate(now) - timedelta(days=daily.WARM_DAYS)
    jobs.count_yesterday.call_local()
    for weeks in WEEKS_CHOICES:
        assert analysis._daily(world.county_admin, analysis.Period.last_weeks(weeks), None, "reported") is not None, weeks


def test_a_night_counts_only_the_days_missing_not_the_whole_window_again(world, known, monkeypatch):  # noqa: F811
    townships = list(analysis.Area.objects.filter(level="township"))
    today = timezone.localdate()
    jobs.count_yesterday.call_local()
    yesterday = today - timedelta(days=1)
    EventDay.objects.filter(day=yesterday).delete()  # the day that just ended
    report(world, "dispute", "hotline", days_ago=1)
    counted = []
    count_days = daily._count_days
    monkeypatch.setattr(daily, "_count_days", lambda ts, first, last: counted.append((first, last)) or count_days(ts, first, last))
    daily.ensure_days(townships, today - timedelta(days=daily.WARM_DAYS), today)
    assert counted == [(yesterday, today)]
    assert EventDay.objects.filter(dimension="reported", day=yesterday).count() == 2
    assert EventDay.objects.get(township=world.a, dimension="reported", day=yesterday).count >= 1
    assert EventDay.objects.filter(dimension="reported").count() == 2 * (daily.WARM_DAYS + 1)


def test_one_day_counted_live_without_grouping_by_day_gives_the_days_own_counts(world, known):  # noqa: F811
    """Today, counted on every poll of the screen, is read without the per-row local date (a
    Python function per row on SQLite): the same counts as the grouped read over several days
    gives for that day, in every dimension."""
    today = timezone.localdate()
    townships = daily.townships_for(world.county_admin)
    assert townships
    for dimension in EventDay.Dimension.values:
        one_day = daily._live(townships, today, today + timedelta(days=1), dimension)
        grouped = daily._live(townships, today - timedelta(days=3), today + timedelta(days=1), dimension)
        assert one_day == {key: n for key, n in grouped.items() if key[1] == today}, dimension
    assert sum(daily._live(townships, today, today + timedelta(days=1), EventDay.Dimension.REPORTED).values()) > 0


def today(user):
    return figures(user, analysis.Period.last_days(1), weeks=False) | {"live": analysis.live_counts(user)}


def test_todays_ledger_kept_by_reports_closes_and_reopens_says_what_the_live_count_says(world, known, monkeypatch):  # noqa: F811
    """Issue 11 item 2: today's figures from rows the report and close transactions keep, not
    from the day's events — and the same figures, after reports in new categories, channels and
    places, a close and a reopen of an event closed today."""
    users = (world.dispatcher_a, world.county_admin, world.dispatcher_b)
    daily.open_today_while_nothing_writes()  # as a seeder does
    report(world, "noise", "grid", lng=116.03, lat=35.03)
    report(world, "dispute", "hotline")
    b2 = report(world, "noise", "grid", reporter=world.dispatcher_b, lng=116.21, lat=35.01)
    e6 = report(world, "dispute", "hotline")
    dispatch(world, e6)
    actions.acknowledge_event(world.clerk_a, e6)
    actions.start_handling(world.clerk_a, e6)
    actions.report_back(world.clerk_a, e6, "已调解")
    followups.close(world.dispatcher_a, FollowUp.objects.get(case_id=e6.case_id, state="open"), called=True, reached=True, resolved=True)
    actions.close_event(world.dispatcher_a, e6)
    known["e3"].case.refresh_from_db()
    actions.reopen_event(world.dispatcher_a, known["e3"], "回访不满意")
    expected = {user.username: live(monkeypatch, user, analysis.Period.last_days(1), weeks=False) for user in users}
    with monkeypatch.context() as patched:
        patched.setattr(analysis, "_daily", lambda *args: None)
        expected_counts = {user.username: analysis.live_counts(user) for user in users}
    for user in users:
        assert today(user) == expected[user.username] | {"live": expected_counts[user.username]}, user.username
    assert expected_counts[world.dispatcher_a.username]["reported_today"] == 5
    assert expected_counts[world.dispatcher_a.username]["closed_today"] == 1  # e6 closed, e3 reopened
    ledger = EventDay.objects.get(township=world.b, day=timezone.localdate(), dimension="reported")
    assert ledger.count == 2 and b2.case.area.path.startswith(world.b.path)
    # The figures read the rows: a row changed by hand shows.
    EventDay.objects.filter(township=world.a, day=timezone.localdate(), dimension="reported").update(count=40)
    assert analysis.live_counts(world.dispatcher_a)["reported_today"] == 40


def test_a_township_without_todays_ledger_is_counted_live_beside_one_with_it(world, known, monkeypatch):  # noqa: F811
    daily.open_ledger([world.a], timezone.localdate())
    report(world, "noise", "grid", reporter=world.dispatcher_b, lng=116.21, lat=35.01)
    report(world, "noise", "grid")
    assert not EventDay.objects.filter(township=world.b).exists()
    assert today(world.county_admin) == live(monkeypatch, world.county_admin, analysis.Period.last_days(1), weeks=False) | {
        "live": analysis.live_counts(world.county_admin)}
    assert analysis.live_counts(world.county_admin)["reported_today"] == 5


def test_reopening_an_event_closed_on_an_earlier_day_counts_that_day_again(world, known, monkeypatch):  # noqa: F811
    """A closed event reopened no longer counts as closed on the day it closed: a day already
    counted is forgotten (and counted again), not left one too many."""
    e3 = known["e3"]
    two_days_ago = timezone.now() - timedelta(days=2)
    Case.objects.filter(pk=e3.case_id).update(closed_at=two_days_ago)
    jobs.count_yesterday.call_local()
    period = analysis.Period.last_days(30)
    assert analysis.daily_trend(world.dispatcher_a, period)["closed"][-3] == 1
    e3.case.refresh_from_db()
    actions.reopen_event(world.dispatcher_a, e3, "回访不满意")
    assert not EventDay.objects.filter(township=world.a, day=timezone.localdate(two_days_ago)).exists()
    assert figures(world.dispatcher_a, period) == live(monkeypatch, world.dispatcher_a, period)
    assert analysis.daily_trend(world.dispatcher_a, period)["closed"][-3] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reports_at_once_in_one_township_are_each_counted_once_in_its_ledger():
    """Four grid workers' reports committed side by side: the ledger's "reported" row lock orders
    them, and the new category's row, made by whichever comes first, is added to by the rest."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises writers itself")
    from zhenjie.testing import make_world

    world = make_world()
    daily.open_ledger([world.a], timezone.localdate())
    start, failures = threading.Barrier(4), []

    def send(n):
        try:
            start.wait()
            report(world, "noise", "grid", lng=116.01 + n / 1000)
        except Exception as error:  # noqa: BLE001 - the assertion below names it
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = dict(EventDay.objects.filter(township=world.a, day=timezone.localdate()).exclude(dimension="place").values_list("dimension", "count"))
    assert rows == {"reported": 4, "category": 4, "channel": 4, "closed": 0}
    assert sum(EventDay.objects.filter(township=world.a, dimension="place").values_list("count", flat=True)) == 4


def test_no_event_lies_on_the_county_itself_so_no_ledger_misses_one(world, known):  # noqa: F811
    """The ledgers are the townships': an event whose position no township's boundary holds
    would be the county's own and counted by none. Intake refuses it (no township's command
    centre to receive it), so every event has its township."""
    from zhenjie.kernel.errors import Rejected

    with pytest.raises(Rejected, match="尚未设置指挥中心"):
        report(world, "noise", "citizen", reporter=world.county_admin, lng=116.1, lat=35.3)


def test_a_forgotten_day_is_counted_again_by_the_job_queue_once_the_change_commits(world, known, django_capture_on_commit_callbacks):  # noqa: F811
    jobs.count_yesterday.call_local()
    with django_capture_on_commit_callbacks(execute=True):
        late = report(world, "dispute", "hotline", days_ago=10)
    day = timezone.localdate(late.reported_at)
    assert EventDay.objects.get(township=world.a, day=day, dimension="reported").count == 2  # e4 and the late one


def test_opening_a_ledger_twice_at_once_keeps_one_and_opens_the_rest(world, known):  # noqa: F811
    tomorrow = timezone.localdate() + timedelta(days=1)
    daily.open_ledger([world.a], tomorrow)
    daily.open_ledger([world.a, world.b], tomorrow)  # a's rows there already (another worker's)
    assert EventDay.objects.filter(day=tomorrow, dimension="reported").count() == 2
