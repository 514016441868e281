"""The command screen's daily counts (events/daily.py) say exactly what counting the events
live says: for a township and for the county, over days counted earlier and today, after a
late report dated into a counted day, and with events closed since."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.events import analysis, daily, jobs
from zhenjie.events.models import EventDay
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
    assert EventDay.objects.filter(dimension="reported").count() == 2 * daily.WARM_DAYS  # both townships' window, sealed
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
    assert len(callbacks) == 2 and EventDay.objects.filter(township=world.a, dimension="reported").count() == daily.WARM_DAYS
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
    assert EventDay.objects.filter(dimension="reported", day=timezone.localdate()).count() == 0  # today is never kept


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
    assert EventDay.objects.filter(dimension="reported").count() == 2 * daily.WARM_DAYS


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
