"""Service and execution through the actions (行政处罚法 Arts. 61, 66–72): the 送达回证 and the
payment deadline, late service flagged, e-service only with consent, payments (partial, never
more than owed), a leader's deferral, the court after the remedy periods, and closing only when
execution has ended — with the 结案报告 and the archive package."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhenjie.enforcement.actions.execution import (
    apply_to_court,
    approve_payment_plan,
    close_enforcement,
    payment_due_on,
    record_court_result,
    record_payment,
    record_reminder_statement,
    record_service_consent,
    remind,
    serve_decision,
)  # fmt: skip
from zhenjie.enforcement.execution_status import status_of
from zhenjie.enforcement.models import Closure, CourtApplication, Payment, Reminder, Service
from zhenjie.enforcement.policy import update_enforcement_policy
from zhenjie.enforcement.publicity import figures_for
from zhenjie.enforcement.testing import make_enforcement_case, serve_reminder
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import ArchivePackage, Assignment, Document, JournalEntry

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def decided(ew, days_ago: int = 0, fine="2000.00", **options):
    return make_enforcement_case(ew, state=State.DECIDED, fine=Decimal(fine) if fine else None,
                                 decided_on=today() - timedelta(days=days_ago), **options)  # fmt: skip


def served(ew, days_ago: int = 0, fine="2000.00"):
    enforcement = decided(ew, days_ago, fine)
    serve_decision(
        ew.officer_a1, enforcement, method="in_person", served_on=today() - timedelta(days=days_ago), received_by="李建国"
    )
    enforcement.refresh_from_db()
    return enforcement


def written():
    return (Service.objects.count(), Payment.objects.count(), Reminder.objects.count(), CourtApplication.objects.count(),
            Document.objects.count(), JournalEntry.objects.count())  # fmt: skip


def test_serving_in_person_issues_the_receipt_and_opens_the_execute_work_due_in_15_days(ew):
    enforcement = decided(ew)
    service = serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=today(), received_by="李建国")

    enforcement.case.refresh_from_db()
    assert enforcement.case.state == State.EXECUTING
    assert not service.late
    assert service.payment_due_on == payment_due_on(today(), 15) >= today() + timedelta(days=15)
    assert service.receipt.number.startswith("甲镇综执送〔")
    work = Assignment.objects.get(case=enforcement.case, todo="execute", state=Assignment.State.OPEN)
    assert timezone.localdate(work.due_at) == service.payment_due_on


def test_the_payment_days_are_the_countys_setting(ew):
    update_enforcement_policy(ew.world.county_admin, payment_days=30)
    service = serve_decision(ew.officer_a1, decided(ew), method="in_person", served_on=today(), received_by="李建国")
    assert service.payment_due_on == payment_due_on(today(), 30)


def test_a_service_after_seven_working_days_is_recorded_and_flagged_late_and_counted(ew):
    enforcement = decided(ew, days_ago=20)
    service = serve_decision(ew.officer_a1, enforcement, method="post", served_on=today(), tracking_number="EMS1234567890")

    assert service.late
    assert "逾期送达" in JournalEntry.objects.filter(case=enforcement.case, verb="serve").get().summary
    assert figures_for(ew.officer_a1).served_late == 1


@pytest.mark.parametrize("served_on, code", [(lambda: today() - timedelta(days=3), "enforcement.served_on_too_early"),
                                             (lambda: today() + timedelta(days=1), "enforcement.served_on_future")])  # fmt: skip
def test_a_service_dated_before_the_decision_or_in_the_future_is_refused_and_writes_nothing(ew, served_on, code):
    enforcement = decided(ew, days_ago=1)
    before = written()
    with pytest.raises(Rejected) as refused:
        serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=served_on(), received_by="李建国")
    assert refused.value.code == code and refused.value.field == "served_on"
    assert written() == before


def test_electronic_service_without_the_partys_consent_is_refused(ew):
    enforcement = decided(ew)
    with pytest.raises(Rejected) as refused:
        serve_decision(ew.officer_a1, enforcement, method="electronic", served_on=today())
    assert refused.value.message == "当事人未签订电子送达确认书，不能电子送达"
    assert not Service.objects.exists()

    consent = record_service_consent(ew.officer_a1, enforcement, address="li@example.com", consented_on=today())
    assert consent.address_masked == "l***@example.com" and "li@example.com" not in consent.address_cipher
    assert serve_decision(ew.officer_a1, enforcement, method="electronic", served_on=today()).method == "electronic"


def test_service_by_post_needs_the_tracking_number(ew):
    with pytest.raises(Rejected) as refused:
        serve_decision(ew.officer_a1, decided(ew), method="post", served_on=today())
    assert refused.value.message == "邮寄送达须填写邮件单号"


def test_township_bs_officer_cannot_serve_or_record_payments_on_as_case(ew):
    enforcement = decided(ew)
    with pytest.raises(NotFound):
        serve_decision(ew.officer_b1, enforcement, method="in_person", served_on=today(), received_by="李建国")
    serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=today(), received_by="李建国")
    with pytest.raises(NotFound):
        record_payment(ew.officer_b1, enforcement, amount="100", paid_on=today(), reference="B-1")
    assert not Payment.objects.exists()


def test_partial_payments_add_up_and_an_overpayment_is_refused(ew):
    enforcement = served(ew)
    record_payment(ew.officer_a1, enforcement, amount="500", paid_on=today(), reference="PZ-001")
    with pytest.raises(Rejected) as refused:
        record_payment(ew.officer_a1, enforcement, amount="1500.01", paid_on=today(), reference="PZ-002")
    assert refused.value.code == "enforcement.overpayment"
    assert "尚欠1500.00元" in refused.value.message
    record_payment(ew.officer_a1, enforcement, amount="1500", paid_on=today(), reference="PZ-002")

    status = status_of(enforcement)
    assert status.paid == Decimal("2000.00") and status.paid_in_full and status.balance == 0


def test_the_same_receipt_twice_is_refused(ew):
    enforcement = served(ew)
    record_payment(ew.officer_a1, enforcement, amount="100", paid_on=today(), reference="PZ-001")
    with pytest.raises(Conflict) as refused:
        record_payment(ew.officer_a1, enforcement, amount="100", paid_on=today(), reference="PZ-001")
    assert refused.value.code == "enforcement.payment_duplicate"


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.001", "1e400", None, True, [1]])
def test_a_bad_amount_is_refused_in_chinese(ew, amount):
    enforcement = served(ew)
    with pytest.raises(Rejected) as refused:
        record_payment(ew.officer_a1, enforcement, amount=amount, paid_on=today(), reference="PZ-001")
    assert refused.value.field == "amount" and "缴款金额" in refused.value.message


def test_a_late_payer_owes_the_surcharge_before_the_case_can_close(ew):
    enforcement = served(ew, days_ago=25)  # due after 15 days (or the next working day): some days late
    status = status_of(enforcement)
    assert status.surcharge > 0
    record_payment(ew.officer_a1, enforcement, amount="2000", paid_on=today(), reference="PZ-001")
    with pytest.raises(Conflict) as refused:
        close_enforcement(ew.officer_a1, enforcement, outcome="paid")
    assert refused.value.code == "enforcement.close_unpaid"
    record_payment(ew.officer_a1, enforcement, amount=str(status.surcharge), paid_on=today(), reference="PZ-002")
    assert close_enforcement(ew.officer_a1, enforcement, outcome="paid").outcome == "paid"


def test_closing_before_the_fine_is_paid_is_refused_and_changes_nothing(ew):
    enforcement = served(ew)
    before = written()
    with pytest.raises(Conflict) as refused:
        close_enforcement(ew.officer_a1, enforcement, outcome="paid")
    assert refused.value.message.startswith("罚款尚未缴清：尚欠2000.00元")
    assert written() == before
    enforcement.case.refresh_from_db()
    assert enforcement.case.state == State.EXECUTING


def test_closing_when_paid_issues_the_closing_report_and_asks_for_the_archive(ew, django_capture_on_commit_callbacks):
    enforcement = served(ew)
    record_payment(ew.officer_a1, enforcement, amount="2000", paid_on=today(), reference="PZ-001")
    with django_capture_on_commit_callbacks(execute=True):
        closure = close_enforcement(ew.officer_a1, enforcement, outcome="paid")

    enforcement.case.refresh_from_db()
    assert enforcement.case.state == State.CLOSED and enforcement.case.closed_at
    assert closure.report.number.startswith("甲镇综执结〔")
    package = ArchivePackage.objects.get(case=enforcement.case)
    assert package.state == ArchivePackage.State.READY


def test_closing_for_another_reason_needs_the_reason(ew):
    enforcement = served(ew)
    with pytest.raises(Rejected) as refused:
        close_enforcement(ew.officer_a1, enforcement, outcome="other", reason=" ")
    assert refused.value.message == "其他情形结案须写明理由"
    assert close_enforcement(ew.officer_a1, enforcement, outcome="other", reason="当事人死亡，无遗产可供执行").reason


def test_a_deferral_is_the_leaders_and_moves_the_due_date(ew):
    enforcement = served(ew)
    schedule = [{"due_on": (today() + timedelta(days=60)).isoformat(), "amount": "2000.00"}]
    with pytest.raises(Forbidden):
        approve_payment_plan(ew.officer_a1, enforcement, schedule=schedule, reason="经济困难")
    approve_payment_plan(ew.leader_a, enforcement, schedule=schedule, reason="当事人因病经济困难，申请暂缓缴纳")

    assert status_of(enforcement).next_due_on == today() + timedelta(days=60)
    work = Assignment.objects.get(case=enforcement.case, todo="execute", state=Assignment.State.OPEN)
    assert timezone.localdate(work.due_at) == today() + timedelta(days=60)


def test_instalments_must_add_up_to_the_fine(ew):
    enforcement = served(ew)
    schedule = [{"due_on": (today() + timedelta(days=30)).isoformat(), "amount": "1000"},
                {"due_on": (today() + timedelta(days=60)).isoformat(), "amount": "900"}]  # fmt: skip
    with pytest.raises(Rejected) as refused:
        approve_payment_plan(ew.leader_a, enforcement, schedule=schedule, reason="分期")
    assert refused.value.message == "各期金额合计1900.00元，须等于罚款金额2000.00元"


def test_the_court_is_asked_only_after_the_deadline_and_the_remedy_periods(ew):
    enforcement = served(ew, days_ago=30)
    with pytest.raises(Conflict) as refused:
        apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    assert refused.value.code == "enforcement.court_remedy_running"

    old = served(ew, days_ago=200)
    serve_reminder(ew.officer_a1, old)
    application = apply_to_court(ew.officer_a1, old, applied_on=today(), court="测试县人民法院")
    assert not application.late
    with pytest.raises(Conflict):
        close_enforcement(ew.officer_a1, old, outcome="court")
    record_court_result(ew.officer_a1, application, result="enforced", result_on=today())
    assert close_enforcement(ew.officer_a1, old, outcome="court").outcome == "court"
    assert Closure.objects.count() == 1


def test_the_court_needs_a_reminder_served_more_than_ten_days_before(ew):
    enforcement = served(ew, days_ago=200)
    before = written()
    with pytest.raises(Conflict) as refused:
        apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    assert refused.value.code == "enforcement.court_not_reminded" and "《行政强制法》第五十四条" in refused.value.message
    assert written() == before

    reminder = serve_reminder(ew.officer_a1, enforcement, days_ago=10)
    before = written()
    with pytest.raises(Conflict) as refused:
        apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    assert refused.value.code == "enforcement.court_reminder_running"
    assert f"催告书于{reminder.served_on:%Y-%m-%d}送达" in refused.value.message and "第五十四条" in refused.value.message
    assert written() == before

    old = served(ew, days_ago=200)
    serve_reminder(ew.officer_a1, old, days_ago=11)
    assert apply_to_court(ew.officer_a1, old, applied_on=today(), court="测试县人民法院").court == "测试县人民法院"


def test_the_court_waits_for_a_longer_time_to_pay_the_reminder_gave(ew):
    enforcement = served(ew, days_ago=200)
    remind(ew.officer_a1, enforcement, served_on=today() - timedelta(days=15), method="in_person", pay_by=today())
    with pytest.raises(Conflict) as refused:
        apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    assert refused.value.code == "enforcement.court_reminder_running" and f"履行期限至{today():%Y-%m-%d}" in refused.value.message


def test_a_reminder_states_what_is_owed_the_fine_and_the_surcharge_apart_and_issues_the_reminder_paper(ew):
    enforcement = served(ew, days_ago=60)
    record_payment(ew.officer_a1, enforcement, amount="500", paid_on=today(), reference="PZ-1")
    status = status_of(enforcement)
    reminder = remind(ew.officer_a1, enforcement, served_on=today(), method="in_person")

    assert reminder.fine_owed == Decimal("1500.00") and reminder.surcharge_owed == status.surcharge > 0
    assert reminder.amount_owed == status.balance
    assert reminder.pay_by == today() + timedelta(days=10)
    assert reminder.document.number.startswith("甲镇综执催〔")
    assert JournalEntry.objects.filter(case=enforcement.case, verb="enforcement.remind").count() == 1
    # The archive package's record carries it beside the court applications (Art. 54 comes first).
    from zhenjie.enforcement.archiving import detail

    assert detail(enforcement.case)["reminders"] == [{
        "served_on": today().isoformat(), "method": "当场交付", "amount_owed": str(status.balance), "pay_by": reminder.pay_by.isoformat(),
        "statement": "", "answer": "",
    }]


def test_a_reminder_when_nothing_is_overdue_is_refused_and_writes_nothing(ew):
    enforcement = served(ew, days_ago=1)  # the 15 days to pay are still running
    before = written()
    with pytest.raises(Conflict) as refused:
        remind(ew.officer_a1, enforcement, served_on=today(), method="in_person")
    assert refused.value.code == "enforcement.remind_not_overdue" and "届满后方可催告" in refused.value.message
    assert written() == before
    paid = served(ew, days_ago=60)
    record_payment(ew.officer_a1, paid, amount=str(status_of(paid).owed), paid_on=today(), reference="PZ-1")
    before = written()
    with pytest.raises(Conflict) as refused:
        remind(ew.officer_a1, paid, served_on=today(), method="in_person")
    assert refused.value.message == "本案没有逾期未缴的罚款，不能催告"
    assert written() == before


@pytest.mark.parametrize("served_on, pay_by, code", [
    (lambda: today() + timedelta(days=1), None, "enforcement.served_on_future"),
    (lambda: "2026-13-01", None, "enforcement.served_on_invalid"),
    (lambda: today() - timedelta(days=50), None, "enforcement.remind_not_overdue"),  # before the deadline had passed
    (lambda: today(), lambda: today() + timedelta(days=9), "enforcement.pay_by_too_early"),
])  # fmt: skip
def test_bad_reminder_dates_are_refused_in_chinese_and_write_nothing(ew, served_on, pay_by, code):
    enforcement = served(ew, days_ago=40)
    before = written()
    with pytest.raises((Rejected, Conflict)) as refused:
        remind(ew.officer_a1, enforcement, served_on=served_on(), method="in_person", pay_by=pay_by() if pay_by else None)
    assert refused.value.code == code and refused.value.field in ("served_on", "pay_by")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert written() == before


def test_no_reminder_while_a_court_application_is_pending_nor_by_township_b(ew):
    enforcement = served(ew, days_ago=200)
    with pytest.raises(NotFound):
        remind(ew.officer_b1, enforcement, served_on=today(), method="in_person")
    serve_reminder(ew.officer_a1, enforcement)
    apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    with pytest.raises(Conflict) as refused:
        remind(ew.officer_a1, enforcement, served_on=today(), method="in_person")
    assert refused.value.code == "enforcement.remind_court_pending"


def test_the_partys_statement_after_the_reminder_is_recorded_once_with_its_answer(ew):
    reminder = serve_reminder(ew.officer_a1, served(ew, days_ago=60))
    with pytest.raises(Rejected) as refused:
        record_reminder_statement(ew.officer_a1, reminder, statement=" ", answer="维持")
    assert refused.value.field == "statement"
    with pytest.raises(NotFound):
        record_reminder_statement(ew.officer_b1, reminder, statement="经济困难", answer="维持")
    reminder = record_reminder_statement(ew.officer_a1, reminder, statement="经济困难，无力一次缴清", answer="可申请分期缴纳，催告金额不变")
    assert reminder.statement == "经济困难，无力一次缴清" and reminder.statement_recorded_at
    with pytest.raises(Conflict):
        record_reminder_statement(ew.officer_a1, reminder, statement="再说一次", answer="同上")


def test_nothing_owed_cannot_go_to_court(ew):
    enforcement = served(ew, days_ago=200)
    record_payment(ew.officer_a1, enforcement, amount=str(status_of(enforcement).owed), paid_on=today(), reference="PZ-1")
    with pytest.raises(Conflict) as refused:
        apply_to_court(ew.officer_a1, enforcement, applied_on=today(), court="测试县人民法院")
    assert refused.value.code == "enforcement.court_nothing_owed"


def test_the_service_receipt_prints_the_method_the_receiver_and_the_payment_deadline(ew, client):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    service = serve_decision(ew.officer_a1, decided(ew), method="in_person", served_on=today(), received_by="李建国")
    client.force_login(ew.officer_a1)
    content = b"".join(client.get(reverse("workbench:document_pdf", args=[service.receipt.pk])).streaming_content)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)
    assert "送达回证" in text and "当场交付" in text and "李建国" in text and "2,000.00" in text
    client.force_login(ew.officer_b1)
    assert client.get(reverse("workbench:document_pdf", args=[service.receipt.pk])).status_code == 404
