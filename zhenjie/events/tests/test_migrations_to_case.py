"""The data migrations that moved what every kind shares from events onto kernel.Case: ratings
(events 0008), tracking codes (events 0009), extensions (events 0010), outside numbers (events 0013); calls (events 0011) go
back and forth in the first test, whose department figures read them; and the calls' response time
from the events' county settings onto the kernel's (events 0015, last test). Records are made the way the platform made them before (through today's actions,
then the migrations run backwards, which puts the data back into the old columns), then the
migrations run forwards again and the case must say what the old columns said."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Avg

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.events import actions, portal
from zhenjie.kernel import followups
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.models import Case, JournalEntry, SupervisionPolicy
from zhenjie.testing import make_event, make_other_county, make_world

pytestmark = pytest.mark.slow  # each test migrates back and forth

BEFORE = [("events", "0007_rename_warning_early_warning"), ("kernel", "0005_parties")]
BEFORE_TRACKING = [("events", "0008_ratings_to_case"), ("kernel", "0006_case_rating_comment")]


def migrate(targets=None):
    """Migrate to `targets` (every app's latest when None); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def closed_event(world, reporter=None):
    event = make_event(world, category="dispute", reporter=reporter)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="调解")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, "已调解")
    followups.confirm(event.reporter, event.case, True)  # no on-site verification: the reporter confirms
    actions.close_event(world.dispatcher_a, event)
    return event


def confirmed_call(world, event, department):
    [call] = calls.call_departments(world.dispatcher_a, event.case, [department], "请处置", 3)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已处理")
    calls.confirm_call(world.dispatcher_a, call)
    return Call.objects.select_related("case__area").get(pk=call.pk)


@pytest.mark.django_db(transaction=True)
def test_ratings_codes_extensions_and_outside_numbers_move_onto_the_case():
    """One walk back through the four moves, each checked at its own migration, then one walk
    forward: each migrate() back renders the project's state once for every migration it undoes
    (most of the project's, past events 0007), so one walk instead of four."""
    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category
    from zhenjie.kernel import extensions
    from zhenjie.kernel.errors import Rejected
    from zhenjie.kernel.models import Extension

    # given, ratings: a rated event, a call rated through the journal, a call rated without a journal entry
    world = make_world()
    event = closed_event(world)
    actions.rate_event(world.grid_worker_a, event, 2, "太慢")
    unrated = closed_event(world)
    open_event = make_event(world, category="pollution")
    call = confirmed_call(world, open_event, world.police)
    calls.rate_call(world.dispatcher_a, call, 5, "响应及时")
    rated_at = JournalEntry.objects.get(case=call.case, verb="rate").created_at
    silent = confirmed_call(world, open_event, world.police)
    # codes: a citizen's report with its code, and a staff report without one
    reported, code = portal.report_as_citizen(portal.CitizenReport(
        category=make_event(world).category, description="路灯不亮", village=world.village_a, phone="13812345678"))  # fmt: skip
    staff = make_event(world)
    digest = Case.objects.get(pk=reported.case_id).tracking_digest
    # extensions: an approved request on one event and a pending one on another
    first, second = make_event(world), make_event(world, category="pollution")
    for handled in (first, second):
        actions.register_event(world.dispatcher_a, handled)
        actions.dispatch_event(world.dispatcher_a, handled, unit=world.office_a, reason="x")
        actions.acknowledge_event(world.clerk_a, handled)
    approved = extensions.request_extension(world.clerk_a, first.case, 3, "检测排期")
    extensions.decide_extension(world.leader_a, approved, True)
    pending = extensions.request_extension(world.clerk_a, second.case, 2, "等待配合")
    # outside numbers: a hotline order made into an event, its number on the event as before kernel 0010
    order = report_event(world.dispatcher_a, Report(channel="hotline", category=Category.objects.get(code="sanitation"),
                                                    description="12345来电反映垃圾", area=world.village_a, external_id="12345-001"))  # fmt: skip

    # when: back, each move undone in turn and its old column checked there
    old = migrate([("events", "0012_event_reported_declared"), ("kernel", "0009_extension")])
    assert old.get_model("events", "Event").objects.get(pk=order.pk).external_id == "12345-001"
    old = migrate([("events", "0009_tracking_to_case"), ("kernel", "0008_documents")])
    assert sorted(old.get_model("events", "Extension").objects.values_list("pk", "event_id", "state")) == [
        (approved.pk, first.pk, "approved"), (pending.pk, second.pk, "pending")]
    old = migrate(BEFORE_TRACKING)
    assert old.get_model("events", "Event").objects.get(pk=reported.pk).tracking_digest == digest
    assert "tracking_digest" not in {f.name for f in old.get_model("kernel", "Case")._meta.fields}
    old = migrate(BEFORE)
    OldCall, OldEvent, OldCase = old.get_model("events", "Call"), old.get_model("events", "Event"), old.get_model("kernel", "Case")
    assert (OldEvent.objects.get(pk=event.pk).rating_comment, OldCall.objects.get(pk=call.pk).rating) == ("太慢", 5)
    assert OldCase.objects.get(pk=call.case_id).rating is None  # a call's rating was the call's alone
    OldCall.objects.filter(pk=silent.pk).update(rating=2, rating_comment="")  # rated before ratings were journaled
    before = {row["department_id"]: row["average"] for row in OldCall.objects.values("department_id").annotate(average=Avg("rating"))}
    # and forward again in one walk
    migrate()

    # then, ratings: on the case, and the department figures keep their value
    rated_event = Case.objects.get(pk=event.case_id)
    assert (rated_event.rating, rated_event.rating_comment) == (2, "太慢") and rated_event.rated_at is not None
    assert (Case.objects.get(pk=unrated.case_id).rating, Case.objects.get(pk=unrated.case_id).rated_at) == (None, None)
    rated_call = Case.objects.get(pk=call.case_id)
    assert (rated_call.rating, rated_call.rating_comment, rated_call.rated_at) == (5, "响应及时", rated_at)
    silent_case = Case.objects.get(pk=silent.case_id)
    assert (silent_case.rating, silent_case.rated_at) == (2, Call.objects.get(pk=silent.pk).confirmed_at)
    after = {row["department_id"]: row["average_rating"] for row in calls.department_figures(Call.objects.all())}
    assert after == before == {world.police.pk: 3.5}
    # codes given to citizens keep working once their digest is on the case
    assert portal.find_for_citizen(reported.case.number, code).pk == reported.pk
    assert Case.objects.get(pk=staff.case_id).tracking_digest == ""
    with pytest.raises(NotFound):
        portal.find_for_citizen(staff.case.number, code)
    # extensions keep their ids, and the pending one can still be decided
    assert sorted(Extension.objects.values_list("pk", "case_id", "state", "amount")) == [
        (approved.pk, first.case_id, "approved", 3), (pending.pk, second.case_id, "pending", 2)]
    decided = extensions.decide_extension(world.leader_a, Extension.objects.get(pk=pending.pk), False, "按期办结")
    assert decided.state == "denied"
    assert extensions.request_extension(world.clerk_a, second.case, 1, "再申请").pk > pending.pk  # the id sequence moved on
    # the outside number is the case's, a second import of it is refused, and 0002's raw indexes are there
    assert Case.objects.get(pk=order.case_id).external_id == "12345-001"
    with pytest.raises(Rejected) as refused:
        report_event(world.dispatcher_a, Report(channel="hotline", category=Category.objects.get(code="sanitation"),
                                                description="又一次", area=world.village_a, external_id="12345-001"))  # fmt: skip
    assert refused.value.code == "event.duplicate_external_id"
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "kernel_case"))
    assert {"case_event_opened", "case_event_open", "case_event_closed", "case_external_unique"} <= names


@pytest.mark.django_db(transaction=True)
def test_each_countys_call_response_time_is_copied_to_its_supervision_settings_and_back():
    """One walk back and one forward (each walk re-renders most of the project's migrations)."""
    # given, today: this county's response time and other supervision settings changed; the other
    # county's response time at the default
    world = make_world()
    other_county, _ = make_other_county()
    SupervisionPolicy.objects.update_or_create(county=world.county, defaults={"call_acknowledge_hours": 6, "yellow_hours": 48, "notify_leader_on_red": False})
    SupervisionPolicy.objects.update_or_create(county=other_county, defaults={"call_acknowledge_hours": 2})

    # when: back before the move
    old = migrate([("events", "0014_event_day"), ("kernel", "0012_case_kind_opened")])

    # then the events' column has this county's value again; the other county reads the events' default
    OldEventPolicy, OldSupervisionPolicy = old.get_model("events", "EventPolicy"), old.get_model("kernel", "SupervisionPolicy")
    assert dict(OldEventPolicy.objects.values_list("county_id", "call_acknowledge_hours")) == {world.county.pk: 6}

    # given, before the move: the other county with event settings only, at 100 hours — written past
    # the settings action, which checked 1–72
    OldEventPolicy.objects.create(county_id=other_county.pk, call_acknowledge_hours=100)
    OldSupervisionPolicy.objects.filter(county_id=other_county.pk).delete()

    # when: forward
    migrate()

    # then: each county's value, its other supervision settings untouched or the defaults
    here, there = SupervisionPolicy.objects.get(county=world.county), SupervisionPolicy.objects.get(county=other_county)
    assert (here.call_acknowledge_hours, here.yellow_hours, here.notify_leader_on_red) == (6, 48, False)
    assert (there.call_acknowledge_hours, there.yellow_hours, there.notify_leader_on_red) == (72, 24, True)
