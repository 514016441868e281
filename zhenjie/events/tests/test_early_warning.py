"""Early warning (研判预警): the same category piling up in one village raises a warning to the
township's leaders at the county's threshold, not one event before; a leader or dispatcher of
that township acknowledges it, once."""

import pytest

from zhenjie.events.models import EventPolicy, EarlyWarning
from zhenjie.events.early_warning import acknowledge_warning
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry, Notification
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def warning_notes(user):
    return Notification.objects.filter(user=user, title__startswith="【预警】")


def test_the_warning_fires_at_the_default_threshold_and_not_one_below(world):
    make_event(world, category="noise")
    make_event(world, category="noise", lng=116.03, lat=35.03)
    assert not EarlyWarning.objects.exists()
    assert not warning_notes(world.leader_a).exists()

    make_event(world, category="noise", lng=116.04, lat=35.02)  # the third: threshold 3

    warning = EarlyWarning.objects.get()
    assert (warning.area, warning.category.code, warning.count, warning.window_days) == (world.village_a, "noise", 3, 7)
    [note] = warning_notes(world.leader_a)
    assert note.title == "【预警】甲一村7天内发生3起噪声扰民"
    assert not warning_notes(world.leader_b).exists()


def test_the_threshold_is_the_countys_setting(world):
    EventPolicy.objects.create(county=world.county, warning_threshold=4, warning_window_days=3)
    for _ in range(3):
        make_event(world, category="sanitation")
    assert not EarlyWarning.objects.exists()  # three is one below the county's four

    make_event(world, category="sanitation")

    assert EarlyWarning.objects.get().count == 4
    assert warning_notes(world.leader_a).count() == 1


def test_other_categories_and_other_villages_do_not_add_up(world):
    make_event(world, category="noise")
    make_event(world, category="noise")
    make_event(world, category="sanitation")
    make_event(world, category="noise", reporter=world.dispatcher_b, lng=116.21, lat=35.01)
    assert not EarlyWarning.objects.exists()


def test_a_pile_up_warns_once_not_on_every_further_event(world):
    for _ in range(5):
        make_event(world, category="noise")
    assert EarlyWarning.objects.count() == 1
    assert warning_notes(world.leader_a).count() == 1


@pytest.fixture
def warning(world):
    for _ in range(3):
        make_event(world, category="noise")
    return EarlyWarning.objects.get()


def test_a_leader_acknowledges_a_warning_once_and_the_journal_keeps_it(world, warning):
    acknowledge_warning(world.leader_a, warning, "已安排城管中队夜间巡查")

    assert EarlyWarning.objects.get().acknowledged_by == world.leader_a
    entry = JournalEntry.objects.get(verb="warning_acknowledge")
    assert (entry.subject, entry.note, entry.actor_id) == (f"warning:{warning.pk}", "已安排城管中队夜间巡查", world.leader_a.pk)
    with pytest.raises(Conflict) as error:
        acknowledge_warning(world.dispatcher_a, EarlyWarning.objects.get(), "")
    assert error.value.message == "该预警已由leader_a确认"


def test_only_the_townships_command_centre_may_acknowledge(world, warning):
    for outsider in (world.leader_b, world.dispatcher_b, world.clerk_a, world.liaison):
        with pytest.raises(Forbidden):
            acknowledge_warning(outsider, warning, "")
    with pytest.raises(Rejected) as error:
        acknowledge_warning(world.dispatcher_a, warning, "长" * 501)
    assert error.value.field == "note"
    assert EarlyWarning.objects.get().acknowledged_by is None
    assert not JournalEntry.objects.filter(verb="warning_acknowledge").exists()


def test_the_county_administrator_sets_the_threshold_and_it_applies_to_the_next_report(world):
    from zhenjie.events.policy import update_event_policy

    update_event_policy(world.county_admin, warning_threshold=2, warning_window_days=3)
    make_event(world, category="noise")
    assert not EarlyWarning.objects.exists()
    make_event(world, category="noise")
    assert EarlyWarning.objects.get().count == 2
    entry = JournalEntry.objects.filter(verb="settings.events").get()
    assert entry.data["before"] == {"warning_threshold": 3, "warning_window_days": 7}


@pytest.mark.parametrize("threshold, window_days, field", [(1, 7, "warning_threshold"), (101, 7, "warning_threshold"),
                                                          (3, 0, "warning_window_days"), (3, "7", "warning_window_days")])
def test_thresholds_out_of_range_are_refused(world, threshold, window_days, field):
    from zhenjie.events.policy import update_event_policy

    with pytest.raises(Rejected) as error:
        update_event_policy(world.county_admin, warning_threshold=threshold, warning_window_days=window_days)
    assert error.value.field == field
    assert not EventPolicy.objects.exists()


def test_only_a_county_administrator_sets_the_threshold(world):
    from zhenjie.events.policy import update_event_policy

    for person in (world.leader_a, world.dispatcher_a, world.liaison):
        with pytest.raises(Forbidden):
            update_event_policy(person, warning_threshold=5, warning_window_days=7)
    assert not EventPolicy.objects.exists()


def test_counted_per_grid_when_the_county_says_so_and_not_across_two_grids(world):
    from zhenjie.areas.actions import create_area
    from zhenjie.testing import square

    create_area(None, code="990199101201002", name="甲一村第2网格", level="grid", parent=world.village_a, boundary=square(116.05, 35.0, 0.05))
    EventPolicy.objects.create(county=world.county, warning_threshold=3, warning_window_days=7, warning_scope="grid")
    make_event(world, category="noise")  # grid 1
    make_event(world, category="noise")  # grid 1
    make_event(world, category="noise", lng=116.07, lat=35.02, reporter=world.dispatcher_a, channel="walk_in")  # grid 2: three in the village
    assert not EarlyWarning.objects.exists()
    make_event(world, category="noise", lng=116.02, lat=35.02)  # the third in grid 1
    warning = EarlyWarning.objects.get()
    assert (warning.area, warning.count) == (world.grid_a, 3)
    [note] = warning_notes(world.leader_a)
    assert note.title == "【预警】甲一村第1网格7天内发生3起噪声扰民" and "同一网格" in note.body


def test_the_warning_is_counted_after_the_reports_commit_by_the_job_queue(world, django_capture_on_commit_callbacks):
    """The count is off the reporter's clock (events.jobs.check_pile_up, issue 11): until the
    third report commits no warning stands, and a report that never commits never counts."""
    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category

    noise = Category.objects.get(code="noise")
    make_event(world, category="noise")
    make_event(world, category="noise")
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        report_event(world.grid_worker_a, Report(channel="grid", category=noise, description="夜间噪声", lng=116.01, lat=35.01))
    assert not EarlyWarning.objects.exists() and not warning_notes(world.leader_a).exists()
    for callback in waiting:
        callback()
    assert EarlyWarning.objects.get().count == 3 and warning_notes(world.leader_a).count() == 1
