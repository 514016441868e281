"""The demo county's year of applications (issue 15 item 9), at the test size (settings.DEMO_APPLICATIONS)."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.kernel import journal
from zhenjie.kernel.models import Case, CaseParty, FollowUp, Party
from zhenjie.window import figures
from zhenjie.window.models import Application, Channel, DeliveryMethod
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def _year_ago() -> str:
    return (timezone.localdate() - timedelta(days=365)).isoformat()


def test_a_year_of_applications_lives_through_the_real_workflow():
    out = io.StringIO()
    call_command("demo", events=0, stdout=out)
    assert "办件(近一年)" in out.getvalue()
    applications = Application.objects.select_related("case")
    assert applications.count() == settings.DEMO_APPLICATIONS

    # Every state, open and closed; every channel; the turns a year shows.
    states = Counter(applications.values_list("case__state", flat=True))
    assert set(states) == {State.RECEIVED, State.NOTIFIED, State.REVIEWING, State.EXCLUDED, State.DECIDED, State.DELIVERED,
                           State.NOT_ACCEPTED, State.WITHDRAWN}, states
    assert {Channel.WINDOW, Channel.AGENT_POINT, Channel.ONLINE} <= set(applications.values_list("case__channel", flat=True))
    assert {DeliveryMethod.POST, DeliveryMethod.AGENT_POINT} <= set(applications.values_list("delivery_method", flat=True))
    assert applications.filter(deemed_accepted=True).exists() and applications.filter(decision="refused").exists()
    assert applications.filter(materials__due_on__isnull=False).exists()
    assert Case.objects.filter(kind="application", extended_amount=10).exists()
    assert FollowUp.objects.filter(case__kind="application", reason="dissatisfied").exists()
    # Filed at agent points only for the guide's village items, by the village's agent.
    for app in applications.filter(case__channel=Channel.AGENT_POINT).select_related("service_item", "filed_by"):
        assert app.service_item.agent_point and app.delivery_method in ("", DeliveryMethod.AGENT_POINT)
    # The rows say what the steps did: a delivered application was decided first, in time order.
    for app in applications.filter(case__state=State.DELIVERED):
        assert app.accepted_at <= app.decided_at <= app.delivered_at == app.case.closed_at

    # Applicants: fictional, registered once, reused; IDs with a valid check character, masked.
    parties = Party.objects.filter(pk__in=applications.values("applicant"))
    assert parties.count() < applications.count()
    assert all(p.id_number_masked.startswith("99") and "*" in p.id_number_masked for p in parties)
    assert CaseParty.objects.filter(role="applicant", case__kind="application").count() == applications.count()

    # Numbers gapless per unit and year; the journal chain holds.
    numbers = list(Case.objects.filter(kind="application").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    series = Counter(n.split("〕")[0] for n in numbers)
    for prefix, n in series.items():
        sequences = sorted(int(x.split("〕")[1].strip("第号")) for x in numbers if x.startswith(prefix + "〕"))
        assert sequences == list(range(1, n + 1)), prefix
    assert journal.verify() == []

    # The figures read the year; a township's back office sees its own township only.
    admin = User.objects.get(username="county.admin")
    year = figures.figures(admin, figures.choose_from(admin, {"from": _year_ago()}))
    assert year.total.counts["received"] >= settings.DEMO_APPLICATIONS - 1
    backoffice = User.objects.get(username="liuwan.backoffice")
    mine = figures.applications_matching(backoffice, {"from": _year_ago()})
    assert 0 < mine.count() < applications.count()
    assert not mine.exclude(case__area__path__startswith=backoffice.posts.get().jurisdiction.path).exists()

    again = io.StringIO()
    call_command("demo", events=0, stdout=again)
    assert "已存在，跳过" in again.getvalue() and Application.objects.count() == settings.DEMO_APPLICATIONS

