"""出件 (统一窗口出件, seed 001 §四(一)2): the window or agent point that took the application in
hands the result over — at the window, by post (tracking number recorded) or at the village agent
point where it was filed — and the receiver signs a numbered 送达回证. One transaction: the
hand-over record, the slip, an optional scan of the signed paper, the `deliver` step that closes
the case. Of two clerks handing over at once, one does; the other gets a Conflict."""

import re

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import attachments, documents, workflow
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case

from ..decision_papers import HANDOVER_SLIP
from .agents import require_result_at_point
from ..models import Application, Channel, DeliveryMethod, Handover

# Express and EMS waybill numbers are letters and digits (EMS: two letters, nine digits, "CN"),
# some carriers add hyphens; at least 8 characters, at most the 64 the record holds.
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{6,62}[A-Za-z0-9]")
RECEIVER_MAX = 50


def default_method(application: Application) -> str:
    """Where the result is handed over unless the applicant chose otherwise: at the agent point an
    application was filed at or chosen to collect it at (简单事项不出村), else at the window."""
    return DeliveryMethod.AGENT_POINT if _at_point(application) else DeliveryMethod.WINDOW


def _at_point(application: Application) -> bool:
    """Filed at an agent point, or to be collected at one the applicant chose."""
    return application.case.channel == Channel.AGENT_POINT or application.delivery_point_id is not None


def _clean(application: Application, values: dict) -> tuple[str, str, str]:
    step = workflow.workflow_for(application.case.kind).transitions["deliver"]
    values = step.clean({"method": values.get("method") or default_method(application), **{k: values.get(k) for k in ("tracking_number", "received_by")}})
    method, tracking, receiver = values["method"], values["tracking_number"], values["received_by"]
    if method == DeliveryMethod.POST:
        if not tracking:
            raise Rejected("application.tracking_required", "邮寄送达须填写邮寄单号", field="tracking_number")
        if not TRACKING_NUMBER.fullmatch(tracking):
            raise Rejected("application.tracking_invalid", "邮寄单号应为8至64位字母、数字或连字符", field="tracking_number")
    else:
        tracking = ""  # a number typed for a hand-over in person means nothing
        if not receiver:
            raise Rejected("application.receiver_required", "当面领取须填写领取人姓名", field="received_by")
    if method == DeliveryMethod.AGENT_POINT and not _at_point(application):
        raise Rejected("application.not_from_agent_point", "只有在村级代办点申请或申请时选择代办点领取的事项可以在代办点领取", field="method")
    return method, tracking, receiver


@transaction.atomic
def deliver_application(actor, application: Application, *, method: str = "", tracking_number: str = "", received_by: str = "",
                        signed_scan: tuple[bytes, str] | None = None) -> Application:
    """Hand the result over and close the case. `signed_scan` is (content, file name) of the
    signed paper slip, kept as an attachment of the case."""
    method, tracking, receiver = _clean(application, {"method": method, "tracking_number": tracking_number, "received_by": received_by})
    now = timezone.now()

    def hand_over(case: Case) -> None:
        # Inside the engine's step, after its checks and compare-and-set, while the `deliver` work
        # is still open: the slip is numbered by the unit handing over.
        if method == DeliveryMethod.AGENT_POINT:
            require_result_at_point(application)  # the papers ledger shows the result reached the point
        slip = documents.issue_document(actor, case, HANDOVER_SLIP, extra={
            "method": DeliveryMethod(method).label, "receiver": receiver or "(见邮政签收记录)", "tracking": tracking or "无",
        })  # fmt: skip
        scan = attachments.store(signed_scan[0], signed_scan[1], "evidence", case=case, actor=actor, field="signed_scan") if signed_scan else None
        Handover.objects.create(
            application=application, method=method, received_by=receiver, tracking_number=tracking, handed_over_by=actor,
            handed_over_at=now, slip=slip, signed_scan=scan,
        )  # fmt: skip
        Application.objects.filter(pk=application.pk).update(delivery_method=method, tracking_number=tracking, delivered_at=now)

    workflow.perform(actor, application.case, "deliver", data={"method": method, "tracking_number": tracking}, before_save=hand_over)
    application.refresh_from_db()
    return application
