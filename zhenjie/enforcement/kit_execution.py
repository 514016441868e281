"""Service, execution and publicity as steps of the enforcement kind on the page and API kit
(kernel/PAGES.md): each is the action of the same purpose, so the case page's forms post to the
kit's act view (`<id>/<step>/`) and the API has `POST /api/enforcement/{id}/{step}` with the
inputs below (dates as "YYYY-MM-DD", amounts as text in yuan). Registered into the kind declared
in kit.py, so that file stays part 1's."""

from datetime import date

from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.workflow import BOOLEAN, CHOICE, INTEGER, LONGTEXT, TEXT, Input
from zhenjie.workbench.kit import Step

from . import forms_execution as f
from . import publicity
from .actions import execution
from .kit import CASES
from .models import ClosingOutcome, CourtApplication, CourtResult, Reminder, ServiceMethod

DAY = {"max_length": 10, "help": "日期，如 2026-03-01"}


def _date(value, field: str, label: str):
    """A date from the form (already one) or the API's text; the action checks what it means."""
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise Rejected(f"enforcement.{field}_invalid", f"{label}须为日期(如2026-03-01)", field=field) from None
    return value or None


def _schedule(value) -> list[dict]:
    """The plan's lines "2026-06-30 1000" as the action's rows; the action checks them."""
    rows = []
    for line in (value or "").splitlines():
        parts = line.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise Rejected(
                "enforcement.schedule_invalid", f"缴纳计划「{line.strip()[:40]}」应为：缴纳日期 金额", field="schedule"
            )
        rows.append({"due_on": parts[0], "amount": parts[1]})
    return rows


def _court_application(enforcement, value) -> CourtApplication:
    application = CourtApplication.objects.filter(pk=value, enforcement=enforcement).first() if isinstance(value, int) else None
    if application is None:
        raise NotFound("enforcement.court_application_not_found", "该申请不存在")
    return application


def _reminder(enforcement, value) -> Reminder:
    reminder = Reminder.objects.filter(pk=value, enforcement=enforcement).first() if isinstance(value, int) else None
    if reminder is None:
        raise NotFound("enforcement.reminder_not_found", "该催告不存在")
    return reminder


def _form(form_class):
    return lambda data, files, user, record: form_class(data)


CASES.steps.update({
    "serve": Step(
        lambda actor, e, v: execution.serve_decision(actor, e, method=v["method"], served_on=_date(v["served_on"], "served_on", "送达日期"),
                                                      received_by=v.get("received_by") or "", tracking_number=v.get("tracking_number") or ""),
        inputs=(Input("method", "送达方式", CHOICE, required=True, choices=tuple(ServiceMethod.choices)),
                Input("served_on", "送达日期", TEXT, required=True, **DAY),
                Input("received_by", "签收人", TEXT, max_length=60), Input("tracking_number", "邮件单号", TEXT, max_length=64)),
        form=_form(f.ServeForm),
    ),
    "record_service_consent": Step(
        lambda actor, e, v: execution.record_service_consent(actor, e, address=v["address"],
                                                              consented_on=_date(v["consented_on"], "consented_on", "确认书签订日期")),
        inputs=(Input("address", "电子送达地址", TEXT, required=True, max_length=200),
                Input("consented_on", "确认书签订日期", TEXT, required=True, **DAY)),
        form=_form(f.ConsentForm),
    ),
    "record_payment": Step(
        lambda actor, e, v: execution.record_payment(actor, e, amount=v["amount"], paid_on=_date(v["paid_on"], "paid_on", "缴款日期"),
                                                      reference=v["reference"]),
        inputs=(Input("amount", "缴款金额(元)", TEXT, required=True, max_length=20, help="以元为单位的文本，如 \"1200.50\""),
                Input("paid_on", "缴款日期", TEXT, required=True, **DAY),
                Input("reference", "缴款凭证号/银行流水号", TEXT, required=True, max_length=64)),
        form=_form(f.PaymentForm),
    ),
    "approve_payment_plan": Step(
        lambda actor, e, v: execution.approve_payment_plan(actor, e, schedule=_schedule(v["schedule"]), reason=v["reason"]),
        inputs=(Input("schedule", "缴纳计划", LONGTEXT, required=True, max_length=2000, help="每行一期：缴纳日期 金额"),
                Input("reason", "理由", LONGTEXT, required=True, max_length=2000)),
        form=_form(f.PlanForm),
    ),
    "remind": Step(
        lambda actor, e, v: execution.remind(actor, e, served_on=_date(v["served_on"], "served_on", "催告书送达日期"), method=v["method"],
                                             pay_by=_date(v.get("pay_by"), "pay_by", "履行期限")),
        inputs=(Input("method", "送达方式", CHOICE, required=True, choices=tuple(ServiceMethod.choices)),
                Input("served_on", "催告书送达日期", TEXT, required=True, **DAY),
                Input("pay_by", "履行期限", TEXT, max_length=10, help="日期，如 2026-03-01；不填为送达后十日")),
        form=_form(f.ReminderForm),
    ),
    "record_reminder_statement": Step(
        lambda actor, e, v: execution.record_reminder_statement(actor, _reminder(e, v["reminder"]), statement=v["statement"], answer=v["answer"]),
        inputs=(Input("reminder", "催告", INTEGER, required=True, minimum=1, maximum=2**63 - 1),
                Input("statement", "当事人陈述、申辩", LONGTEXT, required=True, max_length=2000),
                Input("answer", "复核意见", LONGTEXT, required=True, max_length=2000)),
        form=_form(f.ReminderStatementForm),
    ),
    "apply_to_court": Step(
        lambda actor, e, v: execution.apply_to_court(actor, e, applied_on=_date(v["applied_on"], "applied_on", "申请日期"), court=v["court"],
                                                      note=v.get("note") or ""),
        inputs=(Input("applied_on", "申请日期", TEXT, required=True, **DAY), Input("court", "受理法院", TEXT, required=True, max_length=100),
                Input("note", "说明", LONGTEXT, max_length=2000)),
        form=_form(f.CourtForm),
    ),
    "record_court_result": Step(
        lambda actor, e, v: execution.record_court_result(actor, _court_application(e, v["application"]), result=v["result"],
                                                           result_on=_date(v["result_on"], "result_on", "裁定(执行)日期"), note=v.get("note") or ""),
        inputs=(Input("application", "申请", INTEGER, required=True, minimum=1, maximum=2**63 - 1),
                Input("result", "法院裁定结果", CHOICE, required=True, choices=tuple(c for c in CourtResult.choices if c[0] != CourtResult.PENDING)),
                Input("result_on", "裁定(执行)日期", TEXT, required=True, **DAY), Input("note", "说明", LONGTEXT, max_length=2000)),
        form=_form(f.CourtResultForm),
    ),
    "close": Step(
        lambda actor, e, v: execution.close_enforcement(actor, e, outcome=v["outcome"], reason=v.get("reason") or ""),
        inputs=(Input("outcome", "结案情形", CHOICE, required=True, choices=tuple(ClosingOutcome.choices)),
                Input("reason", "结案说明", LONGTEXT, max_length=2000)),
        form=_form(f.CloseForm),
    ),
    "mark_social_impact": Step(
        lambda actor, e, v: publicity.mark_social_impact(actor, e, social_impact=v["social_impact"], reason=v.get("reason") or ""),
        inputs=(Input("social_impact", "具有一定社会影响", BOOLEAN, required=True), Input("reason", "不予公示理由", TEXT, max_length=200)),
        form=_form(f.ImpactForm),
    ),
    "publish": Step(lambda actor, e, v: publicity.publish_decision(actor, e), inputs=(), form=_form(f.PublishForm)),
    "withdraw_publication": Step(
        lambda actor, e, v: publicity.withdraw_publication(actor, e, changed_on=_date(v["changed_on"], "changed_on", "决定变更(撤销)日期"),
                                                            reason=v["reason"]),
        inputs=(Input("changed_on", "决定变更(撤销)日期", TEXT, required=True, **DAY), Input("reason", "撤回理由", LONGTEXT, required=True, max_length=500)),
        form=_form(f.WithdrawForm),
    ),
})  # fmt: skip
