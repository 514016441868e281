"""The decision: who may approve or refuse, the reasons, the legal basis, the numbered 决定书, the
hand-over deadline (Art. 44) and a late decision recorded."""

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, Document
from zhenjie.kernel.attachments import open_blob
from zhenjie.lists.models import PowerItem, ServiceItem
from zhenjie.lists.tests.builders import township_power_list
from zhenjie.testing import make_user
from zhenjie.window.actions.decision import approve_application, handover_due, legal_basis_for, refuse_application
from zhenjie.window.decision_papers import APPROVAL, REFUSAL
from zhenjie.window.models import Application, Decision
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def pdf_text(document: Document) -> str:
    with open_blob(document.attachment.blob) as handle:
        content = handle.read()
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def unchanged(application: Application) -> None:
    application.refresh_from_db()
    application.case.refresh_from_db()
    assert application.case.state == State.REVIEWING and application.decision == "" and application.decided_at is None
    assert not Document.objects.filter(case=application.case).exists()


def test_approve_issues_the_numbered_decision_with_item_and_basis_and_sends_the_result_to_the_window(ww):
    application = make_application(ww, state=State.REVIEWING)
    approve_application(ww.backoffice_a, application, opinion="材料齐全，符合条件")
    case = Case.objects.get(pk=application.case_id)
    assert case.state == State.DECIDED
    assert application.decision == Decision.APPROVED and application.decided_at and not application.decided_late
    assert application.legal_basis == "《社会救助暂行办法》第十一条"  # the guide's, while no power item is named
    document = Document.objects.get(case=case, kind=APPROVAL)
    text = pdf_text(document)
    assert document.number in text and "最低生活保障申请" in text and "ZW0001" in text
    assert "《社会救助暂行办法》第十一条" in text and "材料齐全，符合条件" in text and "准予" in text
    deliver = Assignment.objects.get(case=case, todo="deliver", state=Assignment.State.OPEN)
    assert deliver.unit == ww.centre_a and deliver.role == R.WINDOW_CLERK
    assert not Assignment.objects.filter(case=case, todo="decide", state=Assignment.State.OPEN).exists()


def test_refusal_prints_its_reasons_and_the_right_of_appeal(ww):
    application = make_application(ww, state=State.REVIEWING)
    refuse_application(ww.backoffice_a, application, "申请人家庭人均收入高于当地低保标准")
    assert application.decision == Decision.REFUSED and application.decision_reason == "申请人家庭人均收入高于当地低保标准"
    text = pdf_text(Document.objects.get(case=application.case, kind=REFUSAL))
    assert "申请人家庭人均收入高于当地低保标准" in text and "行政复议" in text and "不予" in text


@pytest.mark.parametrize("reason", ["", "   ", "理" * 2001, 17])
def test_refusal_needs_a_reason_of_at_most_2000_characters_and_writes_nothing(ww, reason):
    application = make_application(ww, state=State.REVIEWING)
    with pytest.raises(Rejected) as refused:
        refuse_application(ww.backoffice_a, application, reason)
    assert refused.value.field == "reason"
    unchanged(application)


def test_opinion_too_long_is_refused(ww):
    application = make_application(ww, state=State.REVIEWING)
    with pytest.raises(Rejected) as refused:
        approve_application(ww.backoffice_a, application, opinion="意" * 2001)
    assert refused.value.field == "opinion"
    unchanged(application)


def test_only_the_deciding_unit_decides(ww):
    application = make_application(ww, state=State.REVIEWING)
    # The window clerk of the same township, and a back-office handler of another unit of the
    # township (no `decide` work addressed to them): Forbidden.
    other_back_office = make_user("backoffice_office_a", ww.world.office_a, [R.BACK_OFFICE_HANDLER], ww.world.a)
    for outsider in (ww.clerk_a, other_back_office):
        with pytest.raises(Forbidden):
            approve_application(outsider, application, opinion="")
    # Township B's back office does not see it at all.
    with pytest.raises(NotFound):
        refuse_application(ww.backoffice_b, application, "不符合条件")
    unchanged(application)


def test_deciding_out_of_turn_is_a_conflict(ww):
    decided = make_application(ww, state=State.DECIDED)
    with pytest.raises(Conflict):
        refuse_application(ww.backoffice_a, decided, "不符合条件")
    received = make_application(ww, state=State.RECEIVED)
    with pytest.raises(Conflict):
        approve_application(ww.backoffice_a, received)
    assert not Document.objects.filter(kind__in=[APPROVAL, REFUSAL]).exists()


def test_two_deciders_at_once_one_wins(ww):
    application = make_application(ww, state=State.REVIEWING)
    second = make_user("backoffice_a2", ww.centre_a, [R.BACK_OFFICE_HANDLER], ww.world.a)
    stale = Application.objects.select_related("case").get(pk=application.pk)
    approve_application(ww.backoffice_a, application)
    with pytest.raises(Conflict):
        refuse_application(second, stale, "不符合条件")
    assert Document.objects.filter(case=application.case).count() == 1


def test_a_decision_after_the_deadline_is_recorded_late(ww):
    application = make_application(ww, state=State.REVIEWING)
    Case.objects.filter(pk=application.case_id).update(due_at=timezone.now() - timedelta(days=1))
    application.case.refresh_from_db()
    approve_application(ww.backoffice_a, application)
    assert application.decided_late is True


def test_legal_basis_comes_from_the_power_item_in_force(ww):
    application = make_application(ww, state=State.REVIEWING)
    township_power_list(ww.world)
    power = PowerItem.objects.get(code="CF001")
    application.service_item.power_code = "CF001"  # the guide's link to the power list (another part adds the field)
    assert legal_basis_for(application, timezone.localdate()) == power.legal_basis
    application.service_item.power_code = "NO-SUCH"
    assert legal_basis_for(application, timezone.localdate()) == "《社会救助暂行办法》第十一条"


def test_a_licence_is_due_ten_working_days_after_the_decision_across_national_day(ww):
    application = make_application(ww, state=State.REVIEWING)
    ServiceItem.objects.filter(pk=application.service_item_id).update(service_type="licensing")
    application.service_item.refresh_from_db()
    decided = timezone.make_aware(datetime(2026, 9, 28, 10, 0))
    # 9-29, 9-30; 10-1…10-7 off; 10-8, 10-9, 10-10 (make-up Saturday), 10-12 … 10-16: the tenth.
    due, uncertain = handover_due(application, Decision.APPROVED, decided)
    assert timezone.localtime(due).date().isoformat() == "2026-10-16" and not uncertain
    # A refusal, or a result that is no licence, takes the county's delivery time (default 10).
    ServiceItem.objects.filter(pk=application.service_item_id).update(service_type="benefit")
    application.service_item.refresh_from_db()
    due, _ = handover_due(application, Decision.APPROVED, decided)
    assert timezone.localtime(due).date().isoformat() == "2026-10-16"


def test_the_approved_licence_deliver_work_is_due_in_ten_working_days(ww):
    application = make_application(ww, state=State.REVIEWING)
    ServiceItem.objects.filter(pk=application.service_item_id).update(service_type="licensing")
    application.service_item.refresh_from_db()
    approve_application(ww.backoffice_a, application)
    deliver = Assignment.objects.get(case=application.case, todo="deliver")
    expected, _ = handover_due(application, Decision.APPROVED, application.decided_at)
    assert deliver.due_at == expected
