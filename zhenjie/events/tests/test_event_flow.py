import io

import pytest
from PIL import Image

from zhenjie.events import actions
from zhenjie.events.intake import Photo, Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.kernel import extensions, followups, journal
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Attachment, Case, Extension, Notification
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def state(event) -> str:
    return Case.objects.get(pk=event.case_id).state


def test_a_grid_worker_report_lands_in_the_grid_with_photo_and_reaches_the_dispatchers(world):
    event = report_event(world.grid_worker_a, Report(
        channel="grid", category=Category.objects.get(code="sanitation"), description="河边垃圾堆积",
        lng=116.02, lat=35.02, photos=[Photo("现场.png", png())],
    ))
    assert event.case.area == world.grid_a and event.case.state == "reported"
    assert event.case.number.startswith("甲镇事〔")
    assert Attachment.objects.get(case=event.case).blob.content_type == "image/png"
    assert [a.todo for a in inbox_for(world.dispatcher_a)] == ["register"]
    assert not inbox_for(world.dispatcher_b).exists()


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"lng": 116.3, "lat": 35.02}, "event.position_outside", "lng"),  # township B's land
        ({"lng": None, "lat": None}, "event.position_required", "lng"),
        ({"category": None}, "event.category_unknown", "category"),
        ({"description": "  "}, "event.description_required", "description"),
        ({"description": "长" * 4001}, "event.description_too_long", "description"),
        ({"photos": [Photo("x.jpg", b"GIF89 not really")]}, "file.type_not_allowed", "photos"),
    ],
)
def test_bad_reports_are_refused_with_the_field_named_and_nothing_saved(world, changes, code, field):
    report = Report(channel="grid", category=Category.objects.get(code="sanitation"), description="垃圾", lng=116.02, lat=35.02)
    for name, value in changes.items():
        setattr(report, name, value)
    with pytest.raises(Rejected) as error:
        report_event(world.grid_worker_a, report)
    assert (error.value.code, error.value.field) == (code, field)
    assert not Event.objects.exists() and not Case.objects.exists() and not Attachment.objects.exists()


def test_the_closed_loop_with_a_failed_verification(world, django_capture_on_commit_callbacks):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="清单未列明，由社会治理办处置")
    assert state(event) == "dispatched"
    assert Case.objects.get(pk=event.case_id).due_at is not None
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, "已清运")
    # The grid worker of the grid verifies on the spot.
    assert [(a.todo, a.user_id) for a in inbox_for(world.grid_worker_a)] == [("verify", world.grid_worker_a.pk)]
    actions.verify_event(world.grid_worker_a, event, passed=False, note="仍有残留垃圾")
    assert state(event) == "handling"
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["handle"]
    actions.report_back(world.clerk_a, event, "已彻底清理")
    actions.verify_event(world.grid_worker_a, event, passed=True, note="现场干净")
    actions.close_event(world.dispatcher_a, event)
    actions.rate_event(world.grid_worker_a, Event.objects.get(pk=event.pk), 5, "处理及时")
    case = Case.objects.get(pk=event.case_id)
    assert (case.state, case.rating) == ("closed", 5) and case.closed_at is not None
    verbs = [e.verb for e in journal.entries_for_case(case)]
    assert verbs == ["open", "register", "dispatch", "acknowledge", "start", "report_back", "verify_fail", "rework",
                     "report_back", "verify_pass", "close", "rate"]
    assert Notification.objects.filter(user=world.grid_worker_a, title__startswith="您上报的事件已办结").exists()


def test_dispatching_to_an_unlisted_unit_needs_a_unit_and_other_townships_units_are_refused(world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    with pytest.raises(Rejected) as error:
        actions.dispatch_event(world.dispatcher_a, event)
    assert error.value.field == "unit"
    with pytest.raises(Rejected) as error:
        actions.dispatch_event(world.dispatcher_a, event, unit=world.gov_b, reason="x")
    assert error.value.code == "event.unit_outside"
    assert state(event) == "registered"


def test_a_transition_out_of_turn_and_a_second_dispatcher_are_conflicts(world):
    event = make_event(world)
    with pytest.raises(Conflict):
        actions.close_event(world.dispatcher_a, event)
    stale = Event.objects.select_related("case__area", "category").get(pk=event.pk)
    actions.register_event(world.dispatcher_a, event)
    with pytest.raises(Conflict) as error:
        actions.register_event(world.dispatcher_a, stale)
    assert "已立案" in error.value.message


def test_township_b_cannot_touch_township_as_event(world):
    event = make_event(world)
    with pytest.raises(NotFound):
        actions.register_event(world.dispatcher_b, event)


def test_rejection_tells_the_reporter_why(world):
    event = make_event(world)
    actions.reject_event(world.dispatcher_a, event, "不属于政府职责范围，已告知当事人通过诉讼解决")
    assert state(event) == "rejected"
    note = Notification.objects.filter(user=world.grid_worker_a, title__startswith="您上报的事件未予受理").get()
    assert "诉讼" in note.body


def test_only_the_reporter_rates_and_only_once(world):
    event = make_event(world, category="dispute")  # no on-site verification needed
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="调解")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, "已调解")
    followups.confirm(world.grid_worker_a, event.case, True)  # the reporter confirms: no one verified on the spot
    actions.close_event(world.dispatcher_a, event)
    with pytest.raises(Forbidden):
        actions.rate_event(world.dispatcher_a, event, 5)
    with pytest.raises(Rejected):
        actions.rate_event(world.grid_worker_a, event, 7)
    actions.rate_event(world.grid_worker_a, event, 2, "太慢")
    with pytest.raises(Conflict):
        actions.rate_event(world.grid_worker_a, Event.objects.get(pk=event.pk), 5)


def test_pausing_stops_the_clock_and_resuming_restarts_it(world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="x")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.pause_event(world.clerk_a, event, "等待供电公司断电")
    assert Case.objects.get(pk=event.case_id).paused_at is not None
    actions.resume_event(world.clerk_a, event)
    assert Case.objects.get(pk=event.case_id).paused_at is None and state(event) == "handling"


def test_an_extension_needs_the_leaders_approval(world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="x")
    actions.acknowledge_event(world.clerk_a, event)
    before = Case.objects.get(pk=event.case_id).due_at
    request = extensions.request_extension(world.clerk_a, event.case, 3, "需等待检测报告")
    with pytest.raises(Conflict):
        extensions.request_extension(world.clerk_a, event.case, 2, "再申请")
    assert "approve_extension" in [a.todo for a in inbox_for(world.leader_a)]
    with pytest.raises(Forbidden):
        extensions.decide_extension(world.dispatcher_a, request, True)
    extensions.decide_extension(world.leader_a, request, True, "同意")
    assert Case.objects.get(pk=event.case_id).due_at > before
    assert Extension.objects.get(case=event.case).state == "approved"


def test_a_walk_in_report_is_owned_by_whoever_took_it(world):
    event = report_event(world.clerk_a, Report(channel="walk_in", category=Category.objects.get(code="noise"),
                                               description="夜间施工噪声", area=world.village_a))
    assert [a.todo for a in inbox_for(world.clerk_a)] == ["own"]
    assert not inbox_for(world.dispatcher_a).exists()
    actions.register_event(world.clerk_a, event)  # 首问负责: the taker may register and hand it on
    assert state(event) == "registered"


def test_merging_a_duplicate_closes_it_and_points_at_the_original(world):
    first = make_event(world)
    second = make_event(world, lng=116.0101, lat=35.0101)
    from zhenjie.events.queries import suggested_duplicates

    assert suggested_duplicates(world.dispatcher_a, second) == [first]
    actions.merge_event(world.dispatcher_a, second, first)
    second.refresh_from_db()
    assert second.duplicate_of == first and state(second) == "merged"


def test_suggested_duplicates_are_the_same_category_inside_the_countys_radius_or_without_a_position(world):
    """The merge panel (radius 200 m by default, events/policy.py): a report inside the circle, and
    one that gave no position, are offered; one in the corner of the square around the circle, one
    outside it, and another category are not."""
    from zhenjie.events.queries import suggested_duplicates

    lng, lat = 116.01, 35.01
    per_metre_lng, per_metre_lat = 1 / 91_077, 1 / 111_195  # at latitude 35°
    east_180 = make_event(world, lng=lng + 180 * per_metre_lng, lat=lat)
    north_195 = make_event(world, lng=lng, lat=lat + 195 * per_metre_lat)
    make_event(world, lng=lng + 230 * per_metre_lng, lat=lat)  # outside the square
    make_event(world, lng=lng + 170 * per_metre_lng, lat=lat + 170 * per_metre_lat)  # 240 m: in the square's corner
    make_event(world, category="noise", lng=lng, lat=lat)
    unplaced = report_event(world.grid_worker_a, Report(channel="grid", category=Category.objects.get(code="sanitation"),
                                                        description="路边垃圾", area=world.grid_a))
    event = make_event(world, lng=lng, lat=lat)

    found = suggested_duplicates(world.dispatcher_a, event)
    assert {other.case_id for other in found} == {east_180.case_id, north_195.case_id, unplaced.case_id}
    assert all(other.case.number for other in found)  # what the panel shows, read with the rows
