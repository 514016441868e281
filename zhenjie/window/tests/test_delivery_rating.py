"""Hand-over (统一窗口出件) and the applicant's rating (好差评)."""


import pytest

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import tracking
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, Document, FollowUp
from zhenjie.testing import make_user
from zhenjie.window.actions.delivery import deliver_application
from zhenjie.window.decision_papers import HANDOVER_SLIP
from zhenjie.window.models import Application, Direction, Handover, WindowPolicy
from zhenjie.window.rating import find_for_citizen, rate_application, rate_as_citizen
from zhenjie.window.actions.agents import record_handover
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

from .test_decision import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def test_delivery_at_the_window_closes_the_case_with_a_signed_slip(ww):
    application = make_application(ww, state=State.DECIDED)
    deliver_application(ww.clerk_a, application, method="window", received_by="王秀英", signed_scan=(b"%PDF-1.4\n%%EOF\n", "签收单.pdf"))
    case = Case.objects.get(pk=application.case_id)
    assert case.state == State.DELIVERED and case.closed_at
    assert application.delivery_method == "window" and application.delivered_at
    handover = Handover.objects.get(application=application)
    assert handover.received_by == "王秀英" and handover.handed_over_by == ww.clerk_a and handover.signed_scan is not None
    slip = Document.objects.get(case=case, kind=HANDOVER_SLIP)
    text = pdf_text(slip)
    assert slip.number in text and "王秀英" in text and "窗口领取" in text
    assert not Assignment.objects.filter(case=case, state=Assignment.State.OPEN).exists()


@pytest.mark.parametrize("tracking_number, code", [("", "application.tracking_required"), ("12 34", "application.tracking_invalid"),
                                                   ("A" * 65, "case.tracking_number_too_long"), ("<b>1234567</b>", "application.tracking_invalid")])
def test_post_needs_a_well_formed_tracking_number(ww, tracking_number, code):
    application = make_application(ww, state=State.DECIDED)
    with pytest.raises(Rejected) as refused:
        deliver_application(ww.clerk_a, application, method="post", tracking_number=tracking_number)
    assert refused.value.code == code
    assert Case.objects.get(pk=application.case_id).state == State.DECIDED
    assert not Handover.objects.exists() and not Document.objects.filter(kind=HANDOVER_SLIP).exists()


def test_post_with_tracking_number(ww):
    application = make_application(ww, state=State.DECIDED)
    deliver_application(ww.clerk_a, application, method="post", tracking_number="EA123456789CN")
    assert application.tracking_number == "EA123456789CN" and application.delivery_method == "post"


def test_bad_method_and_missing_receiver_are_refused(ww):
    application = make_application(ww, state=State.DECIDED)
    with pytest.raises(Rejected):
        deliver_application(ww.clerk_a, application, method="drone", received_by="王秀英")
    with pytest.raises(Rejected):
        deliver_application(ww.clerk_a, application, method="window")
    with pytest.raises(Rejected):  # filed at the window: no agent point to hand it over at
        deliver_application(ww.clerk_a, application, method="agent_point", received_by="王秀英")


def test_filed_at_an_agent_point_the_agent_hands_it_over_there_by_default(ww):
    make_point(ww)
    application = make_application(ww, state=State.DECIDED, at_agent_point=True)
    with pytest.raises(Forbidden):  # the centre's clerk did not take this one in
        deliver_application(ww.clerk_a, application, received_by="王秀英")
    # The result reaches the point first (the papers ledger), then the agent hands it over there.
    record_handover(ww.clerk_a, application, Direction.TO_POINT, received_by="张代办")
    deliver_application(ww.agent_a, application, received_by="王秀英")
    assert application.delivery_method == "agent_point"
    assert Document.objects.get(case=application.case, kind=HANDOVER_SLIP).unit == ww.world.committee_a


def test_only_the_intake_units_front_desk_hands_over(ww):
    application = make_application(ww, state=State.DECIDED)
    other_clerk = make_user("window_office_a", ww.world.office_a, [R.WINDOW_CLERK], ww.world.a)
    for outsider in (ww.backoffice_a, other_clerk):
        with pytest.raises(Forbidden):
            deliver_application(outsider, application, method="window", received_by="王秀英")
    with pytest.raises(NotFound):
        deliver_application(ww.clerk_b, application, method="window", received_by="王秀英")
    reviewing = make_application(ww, state=State.REVIEWING)
    with pytest.raises(Conflict):  # not decided yet
        deliver_application(ww.clerk_a, reviewing, method="window", received_by="王秀英")


def test_two_clerks_handing_over_at_once_one_wins(ww):
    application = make_application(ww, state=State.DECIDED)
    second = make_user("window_a2", ww.centre_a, [R.WINDOW_CLERK], ww.world.a)
    stale = Application.objects.select_related("case").get(pk=application.pk)
    deliver_application(ww.clerk_a, application, method="window", received_by="王秀英")
    with pytest.raises(Conflict):
        deliver_application(second, stale, method="window", received_by="王秀英")
    assert Handover.objects.count() == 1 and Document.objects.filter(kind=HANDOVER_SLIP).count() == 1


def delivered(ww, **kwargs) -> tuple[Application, str]:
    application = make_application(ww, state=State.DECIDED, **kwargs)
    code = tracking.issue_code(application.case)
    deliver_application(ww.clerk_a, application, method="window", received_by="王秀英")
    return application, code


def test_the_applicant_rates_by_number_and_code_once(ww):
    application, code = delivered(ww)
    found = find_for_citizen(application.case.number, code)
    rate_as_citizen(found, 5, "办事很快")
    case = Case.objects.get(pk=application.case_id)
    assert case.rating == 5 and case.rating_comment == "办事很快"
    with pytest.raises(Conflict):
        rate_as_citizen(find_for_citizen(application.case.number, code), 4)
    with pytest.raises(NotFound):
        find_for_citizen(application.case.number, "WRONGCOD")
    assert not FollowUp.objects.exists()


def test_rating_before_delivery_and_by_staff_is_refused(ww):
    application = make_application(ww, state=State.DECIDED)
    code = tracking.issue_code(application.case)
    with pytest.raises(Conflict):
        rate_as_citizen(find_for_citizen(application.case.number, code), 5)
    application, _ = delivered(ww)
    with pytest.raises(Forbidden):  # the clerk does not grade their own service for the applicant
        rate_application(ww.clerk_a, application, 5)
    with pytest.raises(Rejected):
        rate_as_citizen(application, 9)
    assert Case.objects.get(pk=application.case_id).rating is None


def test_a_poor_rating_opens_a_follow_up_in_the_centres_inbox_due_in_the_countys_days(ww):
    WindowPolicy.objects.create(county=ww.world.county, rectification_days=3)
    application, code = delivered(ww)
    rate_as_citizen(find_for_citizen(application.case.number, code), 2, "等了很久")
    follow_up = FollowUp.objects.get(case=application.case)
    assert follow_up.reason == FollowUp.Reason.DISSATISFIED and follow_up.rating == 2
    work = Assignment.objects.get(case=application.case, todo="follow_up", state=Assignment.State.OPEN)
    assert work.unit == ww.centre_a
    from zhenjie.kernel.assignments import inbox_for

    assert inbox_for(ww.clerk_a).filter(pk=work.pk).exists()
    assert not inbox_for(ww.clerk_b).filter(pk=work.pk).exists()
    from zhenjie.kernel.deadlines import Limit, due_after

    assert follow_up.due_at == due_after(follow_up.opened_at, Limit(3))[0]


def test_a_citizen_account_that_applied_rates_in_its_account(ww):
    from zhenjie.accounts.models import User

    citizen = User.objects.create(username="citizen_wang", kind=User.Kind.CITIZEN)
    application, _ = delivered(ww)
    Application.objects.filter(pk=application.pk).update(citizen_account=citizen)  # as an online filing records it
    application.refresh_from_db()
    stranger = User.objects.create(username="citizen_li", kind=User.Kind.CITIZEN)
    with pytest.raises(Forbidden):
        rate_application(stranger, application, 4)
    rate_application(citizen, application, 4)
    assert Case.objects.get(pk=application.case_id).rating == 4
