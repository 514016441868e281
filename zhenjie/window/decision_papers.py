"""The numbered papers of the decision and the hand-over (kernel/DOCUMENTS.md): 准予决定书 and
不予决定书, issued by the deciding unit with the decision, and the 送达回证 (领取签收单) the person
receiving the result signs at the window or agent point, or the postal record of a result sent.

Their values are read from the application as the action has just written it, so they print
what the records hold: the item and its code, the decision, the reasons and the legal basis."""

from django.utils import timezone

from zhenjie.kernel import documents
from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date

from . import joint
from .models import Application

APPROVAL = "approval_decision"
REFUSAL = "refusal_decision"
HANDOVER_SLIP = "handover_slip"


def _application(case) -> Application:
    # Read again: the action updated the row in this transaction, after the case was loaded.
    return Application.objects.select_related("applicant").get(case_id=case.pk)


def _decision_values(case) -> dict[str, str]:
    application = _application(case)
    return {
        "applicant": application.applicant.name, "item": application.item_name, "item_code": application.item_code,
        "received_on": chinese_date(application.received_at),
        "opinion": application.decision_reason or "无", "legal_basis": application.legal_basis,
        "units": joint.opinions_text(application),
    }  # fmt: skip


_DECISION_FIELDS = (
    DocField("applicant", "申请人", sample="王秀英"),
    DocField("item", "办理事项", sample="最低生活保障申请"),
    DocField("item_code", "事项编码", sample="ZW0001"),
    DocField("received_on", "申请日期", sample="2026年3月2日"),
    DocField("opinion", "审批意见", sample="材料齐全，符合条件"),
    DocField("legal_basis", "法律依据", sample="《××条例》第×条"),
    # One unit, or a joint item's every unit with its opinion and basis (window/joint.py).
    DocField("units", "审批单位及意见", sample="甲镇便民服务中心"),
)

def _decision_kind(code: str, label: str, prefix: str, body: str) -> documents.DocumentKind:
    """准予 and 不予 are one kind of paper with their own number series and wording: issued with
    the decision by the unit the decision is assigned to (window.rules_decision.may_decide)."""
    return documents.register_kind(documents.DocumentKind(
        code=code, label=label, number_series=code, number_prefix=lambda case, unit: f"{unit.area.name[:2]}{prefix}",
        roles=frozenset(), by_assignee=True, assignee_todos=frozenset({"decide"}),
        forbidden_message="只有承办审批的单位可以出具决定书", number_rule=f"按决定单位、年度连续编号，如 甲镇{prefix}〔2026〕第3号",
        fields=_DECISION_FIELDS, values=_decision_values, default_title=label, default_body=body,
    ))  # fmt: skip


_decision_kind(APPROVAL, "准予决定书", "准", (
    "{applicant}：\n"
    "\u3000\u3000你于{received_on}提出的「{item}」(事项编码{item_code})申请(编号{case_number})，经审查，决定准予。\n"
    "\u3000\u3000审批单位：{units}\n"
    "\u3000\u3000审批意见：{opinion}\n"
    "\u3000\u3000法律依据：{legal_basis}\n"
    "\u3000\u3000办理结果由受理窗口统一出件，请按约定方式领取。"
))
# 行政许可法 Art. 38(2): a refusal in writing gives its reasons and tells the applicant of the
# right to apply for administrative reconsideration or to sue.
_decision_kind(REFUSAL, "不予决定书", "不准", (
    "{applicant}：\n"
    "\u3000\u3000你于{received_on}提出的「{item}」(事项编码{item_code})申请(编号{case_number})，经审查，决定不予办理。\n"
    "\u3000\u3000审批单位：{units}\n"
    "\u3000\u3000理由：{opinion}\n"
    "\u3000\u3000法律依据：{legal_basis}\n"
    "\u3000\u3000如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。"
))


def _handover_values(case) -> dict[str, str]:
    application = _application(case)
    return {"applicant": application.applicant.name, "item": application.item_name, "result": application.get_decision_display(),
            "handed_over_at": chinese_date(timezone.now())}  # fmt: skip


documents.register_kind(documents.DocumentKind(
    code=HANDOVER_SLIP, label="送达回证", number_series=HANDOVER_SLIP,
    number_prefix=lambda case, unit: f"{unit.area.name[:2]}送",
    # The window or agent point handing the result over, on its `deliver` work (统一窗口出件).
    roles=frozenset(), by_assignee=True, assignee_todos=frozenset({"deliver"}),
    forbidden_message="只有受理该申请的窗口或代办点可以出具送达回证", number_rule="按出件单位、年度连续编号，如 甲镇送〔2026〕第3号",
    fields=(
        DocField("applicant", "申请人", sample="王秀英"),
        DocField("item", "办理事项", sample="最低生活保障申请"),
        DocField("result", "审批结果", sample="准予"),
        DocField("handed_over_at", "送达日期", sample="2026年3月20日"),
        DocField("method", "送达方式", supplied=True, max_length=20, sample="窗口领取"),
        DocField("receiver", "签收人", supplied=True, max_length=60, sample="王秀英"),
        DocField("tracking", "邮寄单号", supplied=True, required=False, max_length=64, sample="无"),
    ),
    values=_handover_values,
    default_title="送达回证",
    default_body=(
        "\u3000\u3000送达文书：{item}审批结果(编号{case_number})\n"
        "\u3000\u3000受送达人：{applicant}\n"
        "\u3000\u3000审批结果：{result}\n"
        "\u3000\u3000送达方式：{method}\n"
        "\u3000\u3000邮寄单号：{tracking}\n"
        "\u3000\u3000送达日期：{handed_over_at}\n"
        "\u3000\u3000签收人：{receiver}\u3000\u3000(签名)\n"
        "\u3000\u3000送达人：{issuer}"
    ),
))  # fmt: skip
