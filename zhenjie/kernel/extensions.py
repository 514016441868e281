"""Extension (延期) with approval, for any kind of case: whoever handles it asks for more time with
a reason; a leader approves or denies; approval moves the deadline (workflow.extend_deadline,
kernel.deadlines). Who may ask and who may decide, and when, are the kind's "may" rules
"request_extension" and "decide_extension" (kernel.workflow `.may(…)`); a kind that declares
neither offers no extension. Contract: kernel/CASE_SERVICES.md."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.paths import township_path
from zhenjie.units.models import Unit

from . import assignments, journal, workflow
from .assignments import Assign
from .errors import Conflict, Forbidden, Rejected
from .models import Assignment, Case, Extension
from .notify import NotificationKind, notify_users
from .prepared import Prepared
from .workflow import rule_of

AMOUNT_MAX = 30  # units of the case's own deadline (working days, days or hours)
REASON_MAX = 500
APPROVE = "approve_extension"  # the approver's to-do
# What a kind's "request_extension" and "decide_extension" rules take (declare them with these).
REQUEST_INPUTS = (
    workflow.Input("amount", "延期时长", workflow.INTEGER, required=True, minimum=1, maximum=AMOUNT_MAX),
    workflow.Input("reason", "延期理由", workflow.LONGTEXT, required=True, max_length=REASON_MAX),
)
DECISION_INPUTS = (
    workflow.Input("approve", "审批", workflow.BOOLEAN, required=True),
    workflow.Input("note", "意见", workflow.TEXT, max_length=REASON_MAX),
)
# The error codes keep their "event." prefix from when only events had extensions: clients match them.

# What a kind does when one of its extensions is approved, in the same transaction, after the
# deadline moved and while the approval is still the approver's open work: (approver, case,
# extension). The window tells the applicant in writing (行政许可法 Art. 42), whichever page or
# endpoint approved it.
_ON_APPROVED: dict[str, Callable[[object, Case, Extension], None]] = {}


def on_approved(kind: str, react: Callable[[object, Case, Extension], None]) -> None:
    _ON_APPROVED[kind] = react


def pending_extension(standing) -> Extension | None:
    """The case's request awaiting a decision, read once per standing (for the kinds' rules)."""
    return standing.memo(
        "pending_extension",
        lambda: _PENDING.first(case_id=standing.case.pk),
    )


_PENDING = Prepared(
    lambda case_id: Extension.objects.filter(case_id=case_id, state=Extension.State.PENDING).select_related("requested_by").order_by("pk")[:1], case_id=int
)  # every page of a case asks (kernel.prepared)


def may_decide_extension(standing):
    """A "decide_extension" rule a kind may declare as is: a leader of the case's township, while a
    request waits (issue 5 item 3)."""
    if RoleCode.TOWNSHIP_LEADER not in standing.roles:
        return Forbidden("event.extension_approver", "只有本乡镇(街道)领导可以审批延期")
    if pending_extension(standing) is None:
        return Conflict("event.no_extension", "没有待审批的延期申请")
    return None


def _require(actor, case: Case, name: str) -> None:
    if (refused := rule_of(name)(actor, case)) is not None:
        raise refused


def _approver(case: Case) -> Unit:
    """The township government of the case's place, whose leaders decide; else the unit owning the case."""
    government = Unit.objects.filter(area__path=township_path(case.area.path), kind=Unit.Kind.TOWNSHIP_GOVERNMENT).order_by("pk").first()
    return government or case.owner_unit


@transaction.atomic
def request_extension(actor, case: Case, amount: int, reason: str, approver: Assign | None = None) -> Extension:
    """`approver`: the approval assignment when the kind's approver is not the township's leaders
    (the window: a county department deciding an application approves its own extension)."""
    _require(actor, case, "request_extension")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= AMOUNT_MAX:
        raise Rejected("event.extension_amount", f"延期时长须为1至{AMOUNT_MAX}", field="amount")
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise Rejected("event.extension_reason", f"请填写延期理由(不超过{REASON_MAX}字)", field="reason")
    request = Extension.objects.create(case=case, amount=amount, reason=reason, requested_by=actor)
    assignments.create(case, approver or Assign(_approver(case), APPROVE, role=RoleCode.TOWNSHIP_LEADER), f"延期申请：{case.title}")
    journal.record(actor=actor, verb="extension_request", case=case, summary=f"申请延期{amount}{case.get_deadline_unit_display()}",
                   note=reason, from_state=case.state, to_state=case.state)
    return request


@transaction.atomic
def decide_extension(leader, request: Extension, approve: bool, note: str = "") -> Extension:
    """Approve or deny a pending request; of two decisions at once one lands, the other is a Conflict."""
    case = request.case
    _require(leader, case, "decide_extension")
    if not Extension.objects.filter(pk=request.pk, state=Extension.State.PENDING).update(
        state=Extension.State.APPROVED if approve else Extension.State.DENIED, decided_by=leader, decided_at=timezone.now()
    ):
        raise Conflict("event.extension_decided", "该申请已审批")
    case = Case.objects.get(pk=case.pk)
    if approve:
        workflow.extend_deadline(leader, case, request.amount, request.reason + (f"（{note}）" if note else ""), approved_by=leader)
        if react := _ON_APPROVED.get(case.kind):
            react(leader, case, request)
    else:
        journal.record(actor=leader, verb="extension_denied", case=case, summary="延期申请未获批准", note=note,
                       from_state=case.state, to_state=case.state)
    Assignment.objects.filter(case=case, todo=APPROVE, state=Assignment.State.OPEN).update(
        state=Assignment.State.DONE, done_at=timezone.now(), done_by=leader
    )
    notify_users([request.requested_by], f"延期申请{'已批准' if approve else '未获批准'}：{case.title}", note, case, kind=NotificationKind.RESULT)
    request.refresh_from_db()
    return request
