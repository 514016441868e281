"""The demo county's year of applications (issue 15 item 9), at the test size (settings.DEMO_APPLICATIONS)."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.kernel import journal
from zhenjie.kernel.models import Assignment, Case, CaseParty, Document, Extension, FollowUp, Party
from zhenjie.units.models import Unit
from zhenjie.window import figures, routing
from zhenjie.window.models import Application, Channel, DecisionRoute, DeliveryMethod, ExcludedPeriod, Opinion
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def _year_ago() -> str:
    return (timezone.localdate() - timedelta(days=365)).isoformat()


def test_a_year_of_applications_lives_through_the_real_workflow(demo):
    assert "办件(近一年)" in demo
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
        assert app.accepted_at <= app.decided_at <= app.delivered_at <= app.case.closed_at

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



def test_the_demo_shows_department_decisions_joint_items_and_papers_a_visitor_can_open(client, demo):
    applications = Application.objects.select_related("case", "deciding_unit")

    # Items the township only takes in: decided by a county department, the result handed over
    # at the window that took it in.
    by_department = applications.filter(deciding_unit__kind=Unit.Kind.DEPARTMENT, case__state=State.DELIVERED)
    assert by_department.exists()
    for app in by_department:
        assert app.decision and app.intake_unit.kind == Unit.Kind.SERVICE_CENTRE
        assert DecisionRoute.objects.get(application=app, lead=True).unit == app.deciding_unit
    # A department approves its own extension (there is no township leader over it).
    extended = Extension.objects.filter(case__application__deciding_unit__kind=Unit.Kind.DEPARTMENT, state="approved")
    assert extended.exists() and all(e.decided_by.posts.filter(unit__kind=Unit.Kind.DEPARTMENT).exists() for e in extended)

    # Joint items: one waiting for every unit, one with the other units' opinions in and the lead
    # still to decide, one decided with every unit's opinion.
    joint = [app for app in applications.filter(routes__lead=False).distinct()]
    assert len({r.unit_id for r in DecisionRoute.objects.filter(application__in=joint)}) >= 2
    reviewing = [app for app in joint if app.case.state == State.REVIEWING]
    assert any(len(routing.pending_deciders(app)) >= 2 for app in reviewing)
    assert any(routing.pending_deciders(app) == [app.deciding_unit] and Opinion.objects.filter(application=app, lead=False).exists()
               for app in reviewing)
    decided = [app for app in joint if app.decision]
    assert decided and all(Opinion.objects.filter(application=app, lead=True).exists() for app in decided)

    # Excluded periods are on record; an agent point hands results over; a poor rating is followed up.
    assert ExcludedPeriod.objects.filter(ended_at__isnull=False).exists()
    assert applications.filter(delivery_method=DeliveryMethod.AGENT_POINT).exists()
    assert FollowUp.objects.filter(case__kind="application", rating__lte=2).exists()
    # Every open decision sits with a unit the routes name.
    open_decide = Assignment.objects.filter(case__kind="application", todo="decide", state=Assignment.State.OPEN)
    assert all(DecisionRoute.objects.filter(application__case=work.case, unit=work.unit_id).exists() for work in open_decide)

    # A few of today's applications carry their numbered papers, and a clerk opens them.
    kinds = set(Document.objects.filter(case__kind="application").values_list("kind", flat=True))
    assert {"intake_receipt", "supplement_notice", "acceptance_notice", "non_acceptance_notice", "approval_decision", "refusal_decision",
            "handover_slip"} <= kinds, kinds
    assert Document.objects.filter(case__kind="application").count() <= 40
    decision = Document.objects.filter(kind="approval_decision", case__application__deciding_unit__kind=Unit.Kind.DEPARTMENT).first()
    assert decision is not None
    client.force_login(User.objects.get(username=f"{_slug_of(decision.case)}.window"))
    answer = client.get(reverse("workbench:document_pdf", args=[decision.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content if answer.streaming else [answer.content]).startswith(b"%PDF")


def _slug_of(case) -> str:
    from zhenjie.demo import county as plan

    return next(t.slug for t in plan.TOWNSHIPS if case.area.code.startswith(f"{plan.COUNTY_CODE}{t.segment}"))
