"""The back office's steps on the clock: periods not counted (行政许可法 Art. 45) and extensions
(Art. 42). Each tells the applicant in writing — a numbered 特别程序告知书 / 特别程序结束告知书 /
延期告知书 — in the same transaction as the step, so a refused step leaves neither a document nor
a number."""

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import documents, extensions, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.inputs import text
from zhenjie.kernel.models import Case, Extension

from .. import clock, receipts
from ..models import Application, ExcludedPeriod, ExclusionKind, StatutoryClock
from ..rules_backoffice import deciding_department
from .acceptance import _in_state

REASON_MAX = 500
EXPECTED_MAX = 250  # working days: about a year, longer than any hearing or review the law has in mind


def _days(value, field: str, limit: int) -> int:
    # An int only, not digits in a string (unlike inputs.integer): the page's form and the API's
    # schema have typed it already, so anything else reaching the action is a caller's mistake.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise Rejected("window.days_invalid", f"须为1至{limit}之间的整数(工作日)", field=field)
    return value


@transaction.atomic
def exclude(actor, application: Application, kind: str, reason: str, expected_days: int) -> ExcludedPeriod:
    """进入特别程序: the clock stops (transition `exclude`, deadline "pause") and the applicant is
    told the procedure, why, and the time it needs (Art. 45)."""
    if kind not in ExclusionKind.values:
        raise Rejected("window.exclusion_kind", "请选择听证、招标、拍卖、检验、检测、检疫、鉴定或专家评审", field="kind")
    reason = text(reason, field="reason", label="理由", max_length=REASON_MAX, required=True, code="window")
    expected_days = _days(expected_days, "expected_days", EXPECTED_MAX)
    _in_state(application, "exclude")
    label = ExclusionKind(kind).label
    notice = documents.issue_document(actor, application.case, receipts.SPECIAL, extra={
        "procedure": label, "reason": reason, "expected_days": f"{expected_days}个工作日",
    })  # fmt: skip
    case = workflow.perform(actor, application.case, "exclude", reason=f"{label}：{reason}(预计{expected_days}个工作日)", complete="none")
    return ExcludedPeriod.objects.create(
        application=application, kind=kind, reason=reason, expected_days=expected_days, started_at=case.paused_at or timezone.now(),
        started_by=actor, notice=notice,
    )  # fmt: skip


@transaction.atomic
def resume(actor, application: Application, note: str = "") -> ExcludedPeriod:
    """特别程序结束: the clock runs again; the deadline moves by the working days it stood still,
    and the applicant is told in writing from when and until when (the 特别程序结束告知书)."""
    note = text(note, field="note", label="说明", max_length=REASON_MAX, code="window")
    period = ExcludedPeriod.objects.filter(application=application, ended_at__isnull=True).first()
    case = workflow.perform(actor, application.case, "resume", reason=note, complete="none")
    # Now, not case.updated_at: the engine writes that column but leaves the object's stale.
    if period is None or not ExcludedPeriod.objects.filter(pk=period.pk, ended_at__isnull=True).update(ended_at=timezone.now(), ended_by=actor):
        raise Conflict("window.no_excluded_period", "该办件没有进行中的特别程序")
    period.refresh_from_db()
    statutory = StatutoryClock.objects.filter(application=application).first()
    statutory_due = clock.statutory_due(statutory, case)[0] if statutory is not None else None
    documents.issue_document(actor, case, receipts.RESUMED, extra={
        "procedure": ExclusionKind(period.kind).label, "ended": _day(period.ended_at), "promised_due": _day(case.due_at),
        "statutory_due": _day(statutory_due) if statutory_due else "法律未规定",
    })  # fmt: skip
    return period


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日}"


def _approver(application: Application) -> Assign | None:
    """Art. 42: the head of the deciding agency approves — a deciding county department's head
    (its 部门负责人); the township's leaders otherwise (the kernel's default)."""
    department = deciding_department(application.case)
    return Assign(department, extensions.APPROVE, role=RoleCode.DEPARTMENT_LEADER) if department is not None else None


def request_extension(actor, application: Application, amount: int, reason: str) -> Extension:
    """Ask for more time; beyond what Art. 42 still allows (10, joint 15, less what was granted)
    is refused here, and the approval rule refuses it again however the request came in."""
    case = application.case
    statutory = StatutoryClock.objects.filter(application=application).first()
    if statutory is not None and isinstance(amount, int) and not isinstance(amount, bool):
        left = clock.extension_left(statutory, case)
        if amount > left:
            raise Rejected("window.extension_beyond_statute",
                           f"延期超出法定上限：依《中华人民共和国行政许可法》第四十二条，本件最多还可延长{left}个工作日", field="amount")
    return extensions.request_extension(actor, case, amount, reason, approver=_approver(application))


@transaction.atomic
def decide_extension(actor, application: Application, approve: bool, note: str = "") -> Extension:
    """Approve (the deadline moves, the applicant gets the 延期告知书: `tell_extension`) or deny."""
    if not isinstance(approve, bool):
        raise Rejected("window.extension_decision", "请选择批准或不批准", field="approve")
    request = Extension.objects.filter(case_id=application.case_id, state=Extension.State.PENDING).first()
    if request is None:
        raise Conflict("window.no_extension", "没有待审批的延期申请")
    return extensions.decide_extension(actor, request, approve, note)


def tell_extension(approver, case: Case, request: Extension) -> None:
    """Art. 42: the applicant is told the extension and its reason in writing. The kernel calls it
    for every approval of an application's extension (extensions.on_approved), whether through
    this window's page, its API or the generic case endpoint, once the deadline has moved."""
    documents.issue_document(approver, case, receipts.EXTENSION, extra={
        "days": f"{request.amount}个工作日", "reason": request.reason, "new_due": _day(case.due_at),
    })  # fmt: skip
