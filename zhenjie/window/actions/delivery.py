"""出件 (统一窗口出件, seed 001 §四(一)2): the window or agent point that took the application in
hands the result over — at the window, by post (tracking number recorded) or at the village agent
point where it was filed — and the receiver signs a numbered 送达回证. One transaction: the
hand-over record, the slip, an optional scan of the signed paper, the `deliver` step that closes
the case. Of two clerks handing over at once, one does; the other gets a Conflict."""

import re

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import attachments, documents, journal, workflow
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import Assignment, Case, NotificationKind
from zhenjie.kernel.notify import notify_users, people_to_act
from zhenjie.units.models import Unit

from .. import routing
from ..decision_papers import HANDOVER_SLIP
from ..models import Application, Channel, DeliveryMethod, Direction, Handover, PaperTransfer
from ..workflow import State
from .agents import require_result_at_point
from .decision import handover_role
from .intake import delivery_points, service_centre_for

# Express and EMS waybill numbers are letters and digits (EMS: two letters, nine digits, "CN"),
# some carriers add hyphens; at least 8 characters, at most the 64 the record holds.
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{6,62}[A-Za-z0-9]")
RECEIVER_MAX = 50
POST_ADDRESS_MAX = 200  # Application.post_address
COLLECTION_NOTE_MAX = 200


def collection_of(application: Application) -> str:
    """How the applicant collects the result: as they asked after filing (`change_collection`);
    else at the agent point it was filed at or chosen to be collected at (简单事项不出村), else at
    the window. The hand-over form starts from it."""
    if application.collection:
        return application.collection
    at_point = application.case.channel == Channel.AGENT_POINT or application.delivery_point_id is not None
    return DeliveryMethod.AGENT_POINT if at_point else DeliveryMethod.WINDOW


default_method = collection_of


def _at_point(application: Application) -> bool:
    return collection_of(application) == DeliveryMethod.AGENT_POINT


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


# ---- how the applicant collects the result, changed after filing -------------------------


def _collection_label(method: str, unit: Unit) -> str:
    return f"{DeliveryMethod(method).label}（{unit.name}）"


def collection_text(application: Application) -> str:
    """What the sheet shows: how and where, e.g. 代办点领取（甲一村村民委员会）."""
    return _collection_label(collection_of(application), application.handover_unit)


def collection_form(application: Application, data=None, *, online: bool = False):
    """The form to change it, with the township's agent points and the current choice filled in."""
    from ..forms_decision import CollectionForm

    method = collection_of(application)
    initial = {"method": method, "address": application.post_address,
               "point": application.handover_unit_id if method == DeliveryMethod.AGENT_POINT else None}  # fmt: skip
    return CollectionForm(data, points=delivery_points(routing.township_of(application)), online=online, initial=initial)


def _new_collection(application: Application, method, point, address) -> tuple[str, Unit, str]:
    """(method, the unit that will hand the result over, the post address) from the request."""
    if method not in DeliveryMethod.values:
        raise Rejected("application.collection_method", "请选择领取方式：窗口领取、邮寄送达或代办点领取", field="method")
    township = routing.township_of(application)
    if method == DeliveryMethod.AGENT_POINT:
        chosen = delivery_points(township).filter(unit_id=point).first() if isinstance(point, int) and not isinstance(point, bool) else None
        if chosen is None:
            raise Rejected("application.delivery_point_invalid", f"领取代办点须为{township.name}在用的村级代办点", field="point")
        return method, chosen.unit, ""
    if point not in (None, ""):
        raise Rejected("application.collection_point_unused", "只有代办点领取需要选择代办点", field="point")
    address = " ".join(address.split()) if isinstance(address, str) else ""
    if method == DeliveryMethod.POST and not 1 <= len(address) <= POST_ADDRESS_MAX:
        raise Rejected("application.post_address", f"邮寄送达须填写邮寄地址(不超过{POST_ADDRESS_MAX}字)", field="address")
    # The window hands over at the township's centre, and mails from there: the result is there.
    centre = application.intake_unit if application.case.channel != Channel.AGENT_POINT else service_centre_for(township)
    if centre is None:
        raise Rejected("application.no_centre", f"{township.name}尚未设置便民服务中心窗口", field="method")
    return method, centre, address if method == DeliveryMethod.POST else ""


@transaction.atomic
def change_collection(actor, application: Application, *, method: str, point: int | None = None, address: str = "",
                      note: str = "") -> Application:
    """The applicant asks to collect the result another way — at the window, by post, or at one of
    the township's agent points — before it is handed over (统一窗口出件, seed 002 §三(六)): recorded
    by the front desk at the applicant's request, or by the applicant online for their own
    application (rules_decision.may_change_collection). Once decided, the hand-over work moves to
    the unit that will now hand it over; a result already carried to an agent point stays there.
    Journaled with what it was and what it is."""
    case = application.case
    workflow.workflow_for(case.kind).require(actor, case, "change_collection")
    note = " ".join(note.split()) if isinstance(note, str) else ""
    if len(note) > COLLECTION_NOTE_MAX:
        raise Rejected("application.collection_note", f"说明不超过{COLLECTION_NOTE_MAX}字", field="note")
    method, unit, address = _new_collection(application, method, point, address)
    # Lock the case: a hand-over or a second change at the same moment waits, then sees this one.
    state = Case.objects.select_for_update().filter(pk=case.pk).values_list("state", flat=True).get()
    application = Application.objects.select_related("case", "intake_unit", "delivery_point").get(pk=application.pk)
    if state in (State.DELIVERED, State.NOT_ACCEPTED, State.WITHDRAWN):
        raise Conflict("application.collection_closed", "办件已出件或已办结，不能再更改领取方式")
    if PaperTransfer.objects.filter(application=application, direction=Direction.TO_POINT).exists():
        raise Conflict("application.result_at_point", f"办理结果已送至{application.handover_unit.name}，请到该代办点领取，不能再更改领取方式")
    before = (collection_of(application), application.handover_unit)
    if before == (method, unit) and application.post_address == address:
        raise Rejected("application.collection_unchanged", "领取方式与原来相同，无需更改", field="method")
    Application.objects.filter(pk=application.pk).update(
        collection=method, post_address=address, delivery_point=None if unit.pk == application.intake_unit_id else unit,
    )  # fmt: skip
    if state == State.DECIDED and unit != before[1]:
        # The result waits for the unit that will now hand it over: its work, its people told.
        role = handover_role(unit)
        moved = Assignment.objects.filter(case=case, todo="deliver", state=Assignment.State.OPEN).update(unit=unit, role=role)
        if moved:
            notify_users(people_to_act(unit, role), f"领取方式已更改，请出件：{case.title}",
                         f"编号 {case.number}：申请人改为{_collection_label(method, unit)}。", case, kind=NotificationKind.NEW_WORK)  # fmt: skip
    online = getattr(actor, "kind", None) == "citizen"
    journal.record(
        actor=actor, verb="window.collection", case=case, from_state=state, to_state=state,
        summary=f"领取方式：{_collection_label(before[0], before[1])} → {_collection_label(method, unit)}",
        note=("申请人网上申请更改" if online else "申请人申请更改，窗口登记") + (f"：{note}" if note else ""),
        data={"before": {"method": before[0], "unit": before[1].pk}, "after": {"method": method, "unit": unit.pk}},
    )  # fmt: skip
    application.refresh_from_db()
    return application
