"""Service and execution of a penalty decision (行政处罚法 Arts. 61, 66–72): the party's consent to
electronic service, serving the decision (the 送达回证; the `execute` work with the payment
deadline), payments, a deferral or instalments approved by a leader, the 催告书 and then the
application to the court, and closing the case (the 结案报告, then the archive package). Each is one transaction;
nothing is written when a rule refuses."""

import calendar as months
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import archive, deadlines, journal, pii, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.delivery import mask_email
from zhenjie.kernel.documents import issue_document
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.inputs import choice, money, past_date, text
from zhenjie.kernel.models import Assignment, Case, DeadlineUnit, JournalEntry
from zhenjie.kernel.scoping import can_see_case

from ..execution_status import ZERO, status_of
from ..models import (ClosingOutcome, Closure, CourtApplication, CourtResult, EnforcementCase, Payment, PaymentPlan, Procedure,
                      Publication, Reminder, Service, ServiceConsent, ServiceMethod)  # fmt: skip
from ..papers_execution import CLOSING_REPORT, REMINDER, SERVICE_RECEIPT
from ..policy import policy_for
from ..workflow import ENFORCEMENT_WORKFLOW

# 行政处罚法 Art. 61 (with Art. 85: 七日 are working days): served within 7 days of the decision.
SERVICE_WORKING_DAYS = 7
# 行政诉讼法 Art. 46: six months to sue (行政复议法 Art. 20's 60 days end sooner); 行政强制法 Art. 53:
# the court asked within three months after those periods end, if the party neither sought a
# remedy nor paid.
REMEDY_MONTHS, COURT_APPLICATION_MONTHS = 6, 3
# 行政强制法 Art. 54: the court is asked only when the party has not performed 十日 after the
# 催告书 was served; the reminder's own time to pay is never shorter.
REMINDER_DAYS = 10
REFERENCE_MAX, RECEIVER_MAX, TRACKING_MAX, ADDRESS_MAX = 64, 60, 64, 200
COURT_MAX, NOTE_MAX, REASON_MAX = 100, 2000, 2000
PLAN_ROWS_MAX = 24  # two years of monthly instalments
CODE = "enforcement"


def add_months(day: date, count: int) -> date:
    """The same day `count` months later, the month's last day when it has fewer days."""
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def _locked(enforcement: EnforcementCase) -> tuple[EnforcementCase, Case]:
    """The case row locked (two officers recording at once are taken one after the other) and the
    enforcement row read again inside the transaction."""
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=enforcement.case_id)
    return EnforcementCase.objects.select_related("party", "team").get(pk=enforcement.pk), case


def _require(actor, case: Case, name: str) -> None:
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    ENFORCEMENT_WORKFLOW.require(actor, case, name)


def decided_on(enforcement: EnforcementCase) -> date | None:
    """The day of the decision: the case's record, else the journal's `decide` step."""
    if enforcement.decided_at:
        return timezone.localdate(enforcement.decided_at)
    at = (
        JournalEntry.objects.filter(case_id=enforcement.case_id, verb__in=("decide", "summary_decide"))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(at) if at else None


def service_due_on(decided: date) -> date:
    return current_calendar().add_working_days(decided, SERVICE_WORKING_DAYS)[0]


def payment_due_on(served: date, days: int) -> date:
    """Art. 67(3)'s 15 days (natural days: Art. 85 names only 3, 5 and 7) from service; a last day
    on a rest day moves to the next working day (民法典 Art. 203, kernel/deadlines.py)."""
    start = timezone.make_aware(datetime.combine(served, time(12)))
    return timezone.localdate(deadlines.due_after(start, deadlines.Limit(days, DeadlineUnit.NATURAL_DAYS))[0])


CONSENT_CONTEXT = "enforcement_serviceconsent.address"


def _masked_address(address: str) -> str:
    """A mailbox as the notification settings show one (z***@example.gov.cn); anything else, its
    last four characters."""
    return mask_email(address) if "@" in address else "*" * max(0, len(address) - 4) + address[-4:]


def _day(value, field: str, label: str, earliest: date | None, early_message: str) -> date:
    day = past_date(value, field=field, label=label, code=CODE)
    if earliest is not None and day < earliest:
        raise Rejected(f"{CODE}.{field}_too_early", early_message, field=field)
    return day


# ---- service (送达) --------------------------------------------------------------------------


@transaction.atomic
def record_service_consent(actor, enforcement: EnforcementCase, *, address, consented_on) -> ServiceConsent:
    """The party's signed consent to electronic service (Art. 61(2)), with the address to use."""
    enforcement, case = _locked(enforcement)
    _require(actor, case, "record_service_consent")
    address = text(address, field="address", label="电子送达地址", max_length=ADDRESS_MAX, required=True, code=CODE)
    consented_on = past_date(consented_on, field="consented_on", label="确认书签订日期", code=CODE)
    sealed = {"address_cipher": pii.encrypt(address, CONSENT_CONTEXT), "address_masked": _masked_address(address)}
    consent, _ = ServiceConsent.objects.update_or_create(
        enforcement=enforcement, defaults={**sealed, "consented_on": consented_on, "recorded_by": actor}
    )
    journal.record(actor=actor, verb="enforcement.service_consent", case=case, summary="登记电子送达确认书",
                   data={"consented_on": consented_on.isoformat()})  # fmt: skip  # the address is the party's: not in the journal
    return consent


@transaction.atomic
def serve_decision(actor, enforcement: EnforcementCase, *, method, served_on, received_by="", tracking_number="") -> Service:
    """Record how and when the decision reached the party; issue the 送达回证; open the team's
    `execute` work due on the payment deadline (Art. 67(3), the county's payment_days). A service
    after Art. 61's 7 working days is recorded and flagged late."""
    enforcement, case = _locked(enforcement)
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    method = choice(method, field="method", label="送达方式", choices=ServiceMethod.choices, code=CODE)
    decided = decided_on(enforcement)
    served_on = _day(served_on, "served_on", "送达日期", decided,
                     f"送达日期不能早于处罚决定日期({decided:%Y-%m-%d})" if decided else "")  # fmt: skip
    received_by = text(received_by, field="received_by", label="签收人", max_length=RECEIVER_MAX, code=CODE,
                       required=method in (ServiceMethod.IN_PERSON, ServiceMethod.LEFT_AT_RESIDENCE),
                       required_message="当场交付或留置送达须填写签收人(留置送达填写见证人)")  # fmt: skip
    tracking_number = text(tracking_number, field="tracking_number", label="邮件单号", max_length=TRACKING_MAX, code=CODE,
                           required=method == ServiceMethod.POST, required_message="邮寄送达须填写邮件单号")  # fmt: skip
    _require_consent(enforcement, method, served_on)
    late = decided is not None and served_on > service_due_on(decided)
    due_on = payment_due_on(served_on, policy_for(case.area).payment_days)
    due_at = timezone.make_aware(datetime.combine(due_on, deadlines.END_OF_DAY))
    workflow.perform(actor, case, "serve", assign=[Assign(enforcement.team, "execute", due_at=due_at, role=R.ENFORCEMENT_OFFICER)],
                     summary=f"送达处罚决定({ServiceMethod(method).label}){'，逾期送达' if late else ''}",
                     data={"method": method, "served_on": served_on.isoformat(), "late": late, "payment_due_on": due_on.isoformat()})  # fmt: skip
    service = Service.objects.create(enforcement=enforcement, method=method, served_on=served_on, received_by=received_by,
                                     tracking_number=tracking_number, late=late, payment_due_on=due_on, served_by=actor)  # fmt: skip
    EnforcementCase.objects.filter(pk=enforcement.pk).update(served_at=timezone.make_aware(datetime.combine(served_on, time(12))))
    _prepare_publication(enforcement, case, decided)
    service.receipt = issue_document(actor, case, SERVICE_RECEIPT)
    service.save(update_fields=["receipt"])
    return service


def _require_consent(enforcement: EnforcementCase, method: str, served_on: date) -> None:
    """Art. 61(2): 当事人同意并签订确认书的，行政机关可以采用传真、电子邮件等方式送达 — for any paper of
    the case served electronically (the decision, the 催告书)."""
    if method != ServiceMethod.ELECTRONIC:
        return
    consent = ServiceConsent.objects.filter(enforcement=enforcement).first()
    if consent is None:
        raise Rejected("enforcement.service_no_consent", "当事人未签订电子送达确认书，不能电子送达", field="method")
    if consent.consented_on > served_on:
        raise Rejected(
            "enforcement.service_no_consent",
            f"电子送达确认书签订于{consent.consented_on:%Y-%m-%d}，送达日期不能早于该日",
            field="served_on",
        )


def _prepare_publication(enforcement: EnforcementCase, case: Case, decided: date | None) -> None:
    """The decision's publicity row, due the county's working days after the decision (国办发〔2018〕
    118号, secondary); general-procedure decisions are marked of social impact until an officer
    says otherwise (行政处罚法 Art. 48)."""
    days = policy_for(case.area).publish_within_days
    due = current_calendar().add_working_days(decided, days)[0] if decided else None
    Publication.objects.get_or_create(enforcement=enforcement, defaults={
        "township": Area.objects.get(path=township_path(case.area.path)), "due_on": due,
        "social_impact": enforcement.procedure == Procedure.GENERAL})  # fmt: skip


# ---- payments and the plan (Arts. 66, 67, 72) -----------------------------------------------


@transaction.atomic
def record_payment(actor, enforcement: EnforcementCase, *, amount, paid_on, reference) -> Payment:
    """One payment (partial ones too) with its receipt or bank reference. Refused beyond what is
    owed that day (the fine and the surcharge accrued), and twice under one reference."""
    enforcement, case = _locked(enforcement)
    _require(actor, case, "execute")
    if not enforcement.fine_amount:
        raise Conflict("enforcement.no_fine", "本案处罚决定没有罚款，无需登记缴款")
    amount = money(amount, field="amount", label="缴款金额", code=CODE)
    decided = decided_on(enforcement)
    paid_on = _day(
        paid_on, "paid_on", "缴款日期", decided, f"缴款日期不能早于处罚决定日期({decided:%Y-%m-%d})" if decided else ""
    )
    reference = text(
        reference, field="reference", label="缴款凭证号/银行流水号", max_length=REFERENCE_MAX, required=True, code=CODE
    )
    if Payment.objects.filter(enforcement=enforcement, reference=reference).exists():
        raise Conflict("enforcement.payment_duplicate", f"凭证号「{reference}」已登记过，请勿重复登记", field="reference")
    before = status_of(enforcement)
    after = status_of(enforcement, extra_payment=(paid_on, amount))
    if after.paid > after.owed:
        raise Rejected("enforcement.overpayment", f"缴款金额超过应缴金额：尚欠{before.balance}元(罚款{before.fine}元，加处罚款{before.surcharge}元，已缴{before.paid}元)",
                       field="amount")  # fmt: skip
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                enforcement=enforcement, amount=amount, paid_on=paid_on, reference=reference, recorded_by=actor
            )
    except IntegrityError:  # the same reference entered at the same moment by someone else
        raise Conflict(
            "enforcement.payment_duplicate", f"凭证号「{reference}」已登记过，请勿重复登记", field="reference"
        ) from None
    journal.record(actor=actor, verb="enforcement.payment", case=case, summary=f"登记缴款{amount}元",
                   data={"payment": payment.pk, "amount": str(amount), "paid_on": paid_on.isoformat(), "reference": reference,
                         "balance": str(after.balance)})  # fmt: skip
    return payment


def _schedule(rows, fine: Decimal, today: date) -> list[dict]:
    if not isinstance(rows, list) or not rows:
        raise Rejected("enforcement.schedule_required", "请填写缴纳计划(每期的缴纳日期和金额)", field="schedule")
    if len(rows) > PLAN_ROWS_MAX:
        raise Rejected("enforcement.schedule_invalid", f"分期不能超过{PLAN_ROWS_MAX}期", field="schedule")
    cleaned, previous, total = [], None, ZERO
    for row in rows:
        if not isinstance(row, dict):
            raise Rejected("enforcement.schedule_invalid", "缴纳计划每期须有缴纳日期和金额", field="schedule")
        due_on = row.get("due_on")
        if isinstance(due_on, str):
            try:
                due_on = date.fromisoformat(due_on[:10])
            except ValueError:
                due_on = None
        if not isinstance(due_on, date) or isinstance(due_on, datetime):
            raise Rejected("enforcement.schedule_invalid", "缴纳计划每期的缴纳日期须为日期", field="schedule")
        if due_on < today or (previous and due_on <= previous):
            raise Rejected("enforcement.schedule_invalid", "缴纳日期须不早于今天，且逐期推后", field="schedule")
        amount = money(row.get("amount"), field="schedule", label="每期金额", code=CODE)
        total += amount
        previous = due_on
        cleaned.append({"due_on": due_on.isoformat(), "amount": str(amount)})
    if total != fine:
        raise Rejected("enforcement.schedule_total", f"各期金额合计{total}元，须等于罚款金额{fine}元", field="schedule")
    return cleaned


@transaction.atomic
def approve_payment_plan(actor, enforcement: EnforcementCase, *, schedule, reason) -> PaymentPlan:
    """A deferral (one date) or instalments (several) approved by a township leader (Art. 66: the
    party shows real hardship and applies). The latest plan replaces the earlier dates; the
    surcharge then runs from each instalment's own date."""
    enforcement, case = _locked(enforcement)
    _require(actor, case, "approve_payment_plan")
    if not enforcement.fine_amount:
        raise Conflict("enforcement.no_fine", "本案处罚决定没有罚款，无需暂缓或分期缴纳")
    reason = text(
        reason, field="reason", label="理由(当事人的申请和经济困难情况)", max_length=REASON_MAX, required=True, code=CODE
    )
    cleaned = _schedule(schedule, enforcement.fine_amount, timezone.localdate())
    plan = PaymentPlan.objects.create(enforcement=enforcement, schedule=cleaned, reason=reason, approved_by=actor)
    last = date.fromisoformat(cleaned[-1]["due_on"])
    # The team's execute work follows the new last date.
    Assignment.objects.filter(case=case, todo="execute", state=Assignment.State.OPEN).update(
        due_at=timezone.make_aware(datetime.combine(last, deadlines.END_OF_DAY)))  # fmt: skip
    label = "暂缓缴纳" if len(cleaned) == 1 else f"分{len(cleaned)}期缴纳"
    journal.record(actor=actor, verb="enforcement.payment_plan", case=case, summary=f"批准{label}", note=reason,
                   data={"plan": plan.pk, "schedule": cleaned})  # fmt: skip
    return plan


# ---- the 催告书 and the court (行政强制法 Arts. 35, 36, 53, 54; 行政处罚法 Art. 72(1)(四)) -----------


def remedy_periods_end(service: Service) -> date:
    return add_months(service.served_on, REMEDY_MONTHS)


def _owed_and_overdue(status, on: date, *, what: str, code: str, field: str) -> date:
    """The fine is still owed and its deadline had passed by `on`: what both the 催告 and the
    court application need (行政强制法 Arts. 53, 54: 当事人…又不履行). Its deadline, else Conflict."""
    if status.service is None or not status.fine or status.paid_in_full:
        raise Conflict(f"enforcement.{code}_nothing_owed", f"本案没有逾期未缴的罚款，不能{what}")
    due = status.next_due_on
    if due is None or on <= due:
        raise Conflict(f"enforcement.{code}_not_overdue", f"罚款缴纳期限{f'({due:%Y-%m-%d})' if due else ''}届满后方可{what}",
                       field=field)  # fmt: skip
    return due


def _court_pending(status) -> bool:
    return any(a.result == CourtResult.PENDING for a in status.court_applications)


def _pay_by(value, served_on: date) -> date:
    earliest = served_on + timedelta(days=REMINDER_DAYS)
    if value is None or value == "":
        return earliest
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Rejected("enforcement.pay_by_invalid", "履行期限须为日期", field="pay_by")
    if value < earliest:
        raise Rejected("enforcement.pay_by_too_early",
                       f"履行期限不能早于催告书送达后十日({earliest:%Y-%m-%d})(《行政强制法》第五十四条)", field="pay_by")  # fmt: skip
    return value


@transaction.atomic
def remind(actor, enforcement: EnforcementCase, *, served_on, method, pay_by=None) -> Reminder:
    """催告 (行政强制法 Arts. 35, 54): in writing, served after the payment deadline has passed and
    the fine is still owed, stating what is owed (the fine and the surcharge apart), by when and how
    to pay, and the party's right to state and defend; the court may be asked 10 days after its
    service. Issues the 催告书 in the same transaction."""
    enforcement, case = _locked(enforcement)
    _require(actor, case, "remind")
    method = choice(method, field="method", label="送达方式", choices=ServiceMethod.choices, code=CODE)
    served_on = past_date(served_on, field="served_on", label="催告书送达日期", code=CODE)
    status = status_of(enforcement)
    _owed_and_overdue(status, served_on, what="催告", code="remind", field="served_on")
    if _court_pending(status):
        raise Conflict("enforcement.remind_court_pending", "已申请人民法院强制执行、尚待裁定，不能再催告")
    pay_by = _pay_by(pay_by, served_on)
    _require_consent(enforcement, method, served_on)
    # Payments go to the fine first (surcharge.py), so what is unpaid of the fine is the fine less
    # all payments; the rest of the balance is the surcharge accrued to the day of issue.
    fine_owed = max(ZERO, status.fine - status.paid)
    reminder = Reminder.objects.create(
        enforcement=enforcement, fine_owed=fine_owed, surcharge_owed=status.balance - fine_owed, amount_owed=status.balance,
        pay_by=pay_by, served_on=served_on, method=method, issued_by=actor,
    )  # fmt: skip
    journal.record(actor=actor, verb="enforcement.remind", case=case,
                   summary=f"催告当事人履行：尚欠{status.balance}元，限{pay_by:%Y-%m-%d}前缴纳",
                   data={"reminder": reminder.pk, "served_on": served_on.isoformat(), "method": method, "pay_by": pay_by.isoformat(),
                         "fine_owed": str(fine_owed), "surcharge_owed": str(reminder.surcharge_owed)})  # fmt: skip
    reminder.document = issue_document(actor, case, REMINDER)
    reminder.save(update_fields=["document"])
    return reminder


@transaction.atomic
def record_reminder_statement(actor, reminder: Reminder, *, statement, answer) -> Reminder:
    """What the party said after the 催告 and the officer's answer to it (行政强制法 Art. 36: 行政机关
    应当充分听取当事人的意见，对当事人提出的事实、理由和证据，应当进行记录、复核). Once per reminder."""
    enforcement, case = _locked(reminder.enforcement)
    _require(actor, case, "remind")
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk, enforcement=enforcement)
    if reminder.statement_recorded_at is not None:
        raise Conflict("enforcement.reminder_statement_recorded", "该催告的陈述、申辩已登记")
    statement = text(statement, field="statement", label="当事人陈述、申辩", max_length=REASON_MAX, required=True, code=CODE)
    answer = text(answer, field="answer", label="复核意见", max_length=REASON_MAX, required=True, code=CODE)
    Reminder.objects.filter(pk=reminder.pk).update(statement=statement, answer=answer, statement_recorded_at=timezone.now())
    reminder.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.reminder_statement", case=case, summary="登记当事人对催告的陈述、申辩及复核意见",
                   note=answer, data={"reminder": reminder.pk})  # fmt: skip
    return reminder


def _reminded(enforcement: EnforcementCase, applied_on: date) -> None:
    """Art. 54: 催告书送达十日后当事人仍未履行义务的，行政机关可以…申请强制执行 — the latest
    reminder served more than 10 days before, and the time it gave to pay passed."""
    reminder = Reminder.objects.filter(enforcement=enforcement).order_by("-served_on", "-pk").first()
    if reminder is None:
        raise Conflict("enforcement.court_not_reminded", "申请人民法院强制执行前应当催告当事人履行义务，请先送达催告书(《行政强制法》第五十四条)",
                       field="applied_on")  # fmt: skip
    ten_days = reminder.served_on + timedelta(days=REMINDER_DAYS)
    if applied_on <= ten_days or applied_on <= reminder.pay_by:
        after = max(ten_days, reminder.pay_by)
        raise Conflict("enforcement.court_reminder_running",
                       f"催告书于{reminder.served_on:%Y-%m-%d}送达，履行期限至{reminder.pay_by:%Y-%m-%d}；{after:%Y-%m-%d}以后当事人仍未履行的，"
                       "方可申请人民法院强制执行(《行政强制法》第五十四条)", field="applied_on")  # fmt: skip


@transaction.atomic
def apply_to_court(actor, enforcement: EnforcementCase, *, applied_on, court, note="") -> CourtApplication:
    """申请人民法院强制执行: only for a fine unpaid after its deadline and after the periods for
    reconsideration and suit have run (行政强制法 Art. 53), more than 10 days after a 催告书 was
    served and once the time it gave has passed (Art. 54); later than three months after them it is
    recorded and flagged late."""
    enforcement, case = _locked(enforcement)
    _require(actor, case, "execute")
    court = text(court, field="court", label="受理法院", max_length=COURT_MAX, required=True, code=CODE)
    note = text(note, field="note", label="说明", max_length=NOTE_MAX, code=CODE)
    applied_on = past_date(applied_on, field="applied_on", label="申请日期", code=CODE)
    status = status_of(enforcement)
    _owed_and_overdue(status, applied_on, what="申请人民法院强制执行", code="court", field="applied_on")
    remedy_end = remedy_periods_end(status.service)
    if applied_on <= remedy_end:
        raise Conflict("enforcement.court_remedy_running",
                       f"当事人申请行政复议、提起行政诉讼的期限于{remedy_end:%Y-%m-%d}届满，届满后方可申请人民法院强制执行(《行政强制法》第五十三条)",
                       field="applied_on")  # fmt: skip
    if _court_pending(status):
        raise Conflict("enforcement.court_pending", "已有待法院裁定的申请，请先登记其结果")
    _reminded(enforcement, applied_on)
    late = applied_on > add_months(remedy_end, COURT_APPLICATION_MONTHS)
    application = CourtApplication.objects.create(enforcement=enforcement, applied_on=applied_on, court=court, note=note, late=late,
                                                  recorded_by=actor)  # fmt: skip
    journal.record(actor=actor, verb="enforcement.court_application", case=case, summary=f"申请{court}强制执行{'(超过申请期限)' if late else ''}",
                   data={"application": application.pk, "applied_on": applied_on.isoformat(), "court": court, "late": late,
                         "balance": str(status.balance)})  # fmt: skip
    return application


@transaction.atomic
def record_court_result(actor, application: CourtApplication, *, result, result_on, note="") -> CourtApplication:
    enforcement, case = _locked(application.enforcement)
    _require(actor, case, "execute")
    application = CourtApplication.objects.select_for_update().get(pk=application.pk, enforcement=enforcement)
    if application.result != CourtResult.PENDING:
        raise Conflict("enforcement.court_result_recorded", "该申请的结果已登记")
    result = choice(
        result,
        field="result",
        label="法院裁定结果",
        choices=[c for c in CourtResult.choices if c[0] != CourtResult.PENDING],
        code=CODE,
    )
    result_on = _day(result_on, "result_on", "裁定(执行)日期", application.applied_on, "裁定(执行)日期不能早于申请日期")
    note = text(note, field="note", label="说明", max_length=NOTE_MAX, code=CODE)
    CourtApplication.objects.filter(pk=application.pk).update(result=result, result_on=result_on, note=note or application.note)
    application.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.court_result", case=case, summary=f"法院：{application.get_result_display()}",
                   data={"application": application.pk, "result": result, "result_on": result_on.isoformat()})  # fmt: skip
    return application


# ---- closing (结案) ---------------------------------------------------------------------------


@transaction.atomic
def close_enforcement(actor, enforcement: EnforcementCase, *, outcome, reason="") -> Closure:
    """结案 only when the fine and its surcharge are paid, the court has enforced the decision, or
    execution otherwise ended for a reason written down; issues the 结案报告 and asks the kernel
    for the case's archive package (built after commit)."""
    enforcement, case = _locked(enforcement)
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    outcome = choice(outcome, field="outcome", label="结案情形", choices=ClosingOutcome.choices, code=CODE)
    reason = text(reason, field="reason", label="结案说明", max_length=REASON_MAX, code=CODE, required=outcome == ClosingOutcome.OTHER,
                  required_message="其他情形结案须写明理由")  # fmt: skip
    status = status_of(enforcement)
    if outcome == ClosingOutcome.PAID and not status.paid_in_full:
        raise Conflict("enforcement.close_unpaid", f"罚款尚未缴清：尚欠{status.balance}元(罚款{status.fine}元，加处罚款{status.surcharge}元，已缴{status.paid}元)",
                       field="outcome")  # fmt: skip
    if outcome == ClosingOutcome.COURT and not status.court_enforced:
        raise Conflict("enforcement.close_no_court", "没有人民法院已强制执行的记录，不能按此情形结案", field="outcome")
    workflow.perform(actor, case, "close", reason=reason, summary=f"结案：{ClosingOutcome(outcome).label}",
                     data={"outcome": outcome, "paid": str(status.paid), "surcharge": str(status.surcharge)})  # fmt: skip
    closure = Closure.objects.create(enforcement=enforcement, outcome=outcome, reason=reason, closed_by=actor)
    closure.report = issue_document(actor, case, CLOSING_REPORT)
    closure.save(update_fields=["report"])
    archive.archive_case(actor, case)
    return closure
