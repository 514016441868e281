"""The demo county's year of events (issue 5 item 10), at the test size (settings.DEMO_EVENTS)."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.calls.actions import department_figures
from zhenjie.calls.models import Call
from zhenjie.events import routing
from zhenjie.events.models import Event
from zhenjie.events.queries import events_for
from zhenjie.events.workflow import EventState
from zhenjie.kernel import journal
from zhenjie.kernel.models import Assignment, Case, Document

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_year_of_events_from_every_channel_lives_through_the_real_workflow(demo):
    events = Event.objects.select_related("case", "case__area", "category", "handling_unit")
    assert events.count() == settings.DEMO_EVENTS
    now = timezone.now()
    oldest = events.order_by("reported_at").first().reported_at
    assert now - timedelta(days=366) < oldest < now - timedelta(days=300)
    assert set(events.values_list("channel", flat=True)) >= {"grid", "citizen", "hotline", "video", "walk_in", "department"}
    assert len(set(events.values_list("category__code", flat=True))) >= 12

    states = Counter(events.values_list("case__state", flat=True))
    assert states[EventState.CLOSED] > settings.DEMO_EVENTS * 0.6
    assert states[EventState.REJECTED] and states[EventState.MERGED]
    open_events = [e for e in events if e.case.closed_at is None]
    assert open_events, "the last days' events are still being handled"
    # Every open event has the work its state calls for, in someone's inbox.
    open_work = set(Assignment.objects.filter(state="open", case__kind="event").values_list("case_id", flat=True))
    assert {e.case_id for e in open_events if e.case.state != EventState.PAUSED} <= open_work

    # Routing came from the lists, as dispatch_event reads them; overrides carry their reason.
    for event in events.exclude(handling_unit=None)[:200]:
        found = routing.route(event.category, event.case.area)
        if found.unit is not None:
            assert event.handling_unit == found.unit and event.duty_item_code == found.duty_item_code
        else:
            assert event.handling_unit.kind == "village_committee"

    # A closed event's timeline reads in order, every step with who and when.
    closed = events.filter(case__state=EventState.CLOSED, category__needs_verification=True).first()
    timeline = list(journal.entries_for_case(closed.case))
    verbs = [entry.verb for entry in timeline]
    assert verbs[:3] == ["open", "register", "dispatch"] and "verify_pass" in verbs and verbs.index("close") > verbs.index("verify_pass")
    assert all(entry.actor_name for entry in timeline) and timeline == sorted(timeline, key=lambda e: e.created_at)

    # Calls to departments, some answered late.
    calls = Call.objects.all()
    assert calls.exists() and calls.filter(case__state="confirmed").exists()
    figures = list(department_figures(calls))
    assert sum(f["received"] for f in figures) == calls.count()
    assert any(f["acknowledged_on_time"] < f["received"] for f in figures), "some departments answered late"
    assert not calls.exclude(case__parent__kind="event").exists()  # each made on an event

    # Numbers are unique, the journal holds, late work was swept red.
    numbers = list(Case.objects.filter(kind="event").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) and all("〔" in n for n in numbers)
    assert journal.verify() == []
    assert Case.objects.filter(kind="event", closed_at__isnull=True, due_at__lt=now, paused_at__isnull=True).exclude(alert="red").count() == 0
    # One leader carded an event by hand: its 督办单 is a numbered PDF on that event.
    notice = Document.objects.select_related("case", "attachment__blob").get(kind="supervision_notice")
    assert "督〔" in notice.number and notice.case.alert == "red" and notice.attachment.blob.content_type == "application/pdf"

    # Each township's dispatcher sees their own township's events only; the inbox works.
    dispatcher = User.objects.get(username="liuwan.dispatcher")
    mine = events_for(dispatcher)
    assert 0 < mine.count() < events.count()
    assert not mine.exclude(case__area__path__startswith=dispatcher.posts.get().jurisdiction.path).exists()

    # Idempotent: a second run leaves the year as it is.
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "已存在，跳过" in again.getvalue() and Event.objects.count() == settings.DEMO_EVENTS
