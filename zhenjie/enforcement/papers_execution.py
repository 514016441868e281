"""The numbered papers of service and execution (kernel/DOCUMENTS.md): the 送达回证 of the
penalty decision (行政处罚法 Art. 61), the 催告书 before the court is asked (行政强制法 Arts. 35,
54) and the 结案报告 (Art. 47: the whole process recorded and
archived). Issued by the team's officers inside the transaction of `serve` and `close`
(and `remind`, actions/execution.py), so a refused step takes no number. Their values are read from the rows
the action has just written, so they print what the records hold."""

from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date

from .documents import declare
from .models import EnforcementCase

SERVICE_RECEIPT = "enforcement_service_receipt"
CLOSING_REPORT = "enforcement_closing_report"
REMINDER = "enforcement_reminder"


def _enforcement(case) -> EnforcementCase:
    return EnforcementCase.objects.select_related("party", "service", "closure").get(case_id=case.pk)


def _money(amount) -> str:
    return f"{amount:,.2f}元" if amount else "无"


def _service_values(case) -> dict[str, str]:
    enforcement = _enforcement(case)
    service = enforcement.service
    return {
        "party": enforcement.party.name if enforcement.party else "",
        "decided_on": chinese_date(enforcement.decided_at) if enforcement.decided_at else "",
        "method": service.get_method_display(), "served_on": chinese_date(service.served_on),
        "receiver": service.received_by or "无", "tracking": service.tracking_number or "无",
        "payment_due_on": chinese_date(service.payment_due_on), "fine": _money(enforcement.fine_amount),
    }  # fmt: skip


declare(
    SERVICE_RECEIPT, "送达回证", "送", who="本乡镇(街道)的执法人员",
    fields=(
        DocField("party", "受送达人", sample="李建国"),
        DocField("decided_on", "决定日期", sample="2026年3月2日"),
        DocField("method", "送达方式", sample="当场交付"),
        DocField("served_on", "送达日期", sample="2026年3月3日"),
        DocField("receiver", "签收人", sample="李建国"),
        DocField("tracking", "邮件单号", sample="无"),
        DocField("payment_due_on", "缴纳罚款期限", sample="2026年3月18日"),
        DocField("fine", "罚款金额", sample="2,000.00元"),
    ),
    values=_service_values,
    body=(
        "\u3000\u3000送达文书：行政处罚决定书(案件编号{case_number})\n"
        "\u3000\u3000案由：{case_title}\n"
        "\u3000\u3000受送达人：{party}\n"
        "\u3000\u3000决定日期：{decided_on}\n"
        "\u3000\u3000送达方式：{method}\n"
        "\u3000\u3000邮件单号：{tracking}\n"
        "\u3000\u3000送达日期：{served_on}\n"
        "\u3000\u3000罚款金额：{fine}，请于{payment_due_on}前缴纳；到期不缴纳的，每日按罚款数额的百分之三加处罚款"
        "(《中华人民共和国行政处罚法》第六十七条、第七十二条)。\n"
        "\u3000\u3000签收人：{receiver}\u3000\u3000(签名)\n"
        "\u3000\u3000送达人：{issuer}"
    ),
)  # fmt: skip


def _reminder_values(case) -> dict[str, str]:
    from .models import PenaltyDecision, Reminder

    enforcement = _enforcement(case)
    reminder = Reminder.objects.filter(enforcement=enforcement).latest("pk")  # the one `remind` has just written
    number = PenaltyDecision.objects.filter(enforcement=enforcement).values_list("document__number", flat=True).first()
    return {
        "party": enforcement.party.name if enforcement.party else "",
        "decision_number": number or f"案件编号{case.number}",
        "decided_on": chinese_date(enforcement.decided_at) if enforcement.decided_at else "",
        "payment_due_on": chinese_date(enforcement.service.payment_due_on),
        "fine_owed": _money(reminder.fine_owed), "surcharge_owed": _money(reminder.surcharge_owed),
        "amount_owed": _money(reminder.amount_owed), "pay_by": chinese_date(reminder.pay_by),
    }  # fmt: skip


# 行政强制法 Art. 35: 履行义务的期限、方式；涉及金钱给付的，应当有明确的金额和给付方式；当事人依法享有的
# 陈述权和申辩权 — each in the default wording; the county edits where and how to pay.
declare(
    REMINDER, "催告书", "催", who="本乡镇(街道)的执法人员",
    fields=(
        DocField("party", "当事人", sample="李建国"),
        DocField("decision_number", "处罚决定书文号", sample="甲镇综执决〔2026〕第3号"),
        DocField("decided_on", "决定日期", sample="2026年3月2日"),
        DocField("payment_due_on", "原缴纳期限", sample="2026年3月18日"),
        DocField("fine_owed", "未缴罚款", sample="2,000.00元"),
        DocField("surcharge_owed", "加处罚款", sample="600.00元"),
        DocField("amount_owed", "合计应缴", sample="2,600.00元"),
        DocField("pay_by", "履行期限", sample="2026年4月30日"),
    ),
    values=_reminder_values,
    body=(
        "{party}：\n"
        "\u3000\u3000本机关于{decided_on}作出{decision_number}行政处罚决定，你(单位)应于{payment_due_on}前缴纳罚款，"
        "至今未履行。依据《中华人民共和国行政强制法》第三十五条、第五十四条，现催告你(单位)履行以下义务：\n"
        "\u3000\u3000未缴罚款：{fine_owed}\n"
        "\u3000\u3000加处罚款(截至本催告书出具之日，每日按罚款数额的百分之三，《中华人民共和国行政处罚法》第七十二条)：{surcharge_owed}\n"
        "\u3000\u3000合计：{amount_owed}\n"
        "\u3000\u3000履行期限及方式：请于{pay_by}前，持本催告书到指定银行或通过电子缴款渠道缴纳，缴款后将凭证交本机关；"
        "加处罚款计至缴清之日。\n"
        "\u3000\u3000你(单位)有权在履行期限内向本机关进行陈述和申辩；本机关将记录、复核你(单位)提出的事实、理由和证据"
        "(《中华人民共和国行政强制法》第三十六条)。\n"
        "\u3000\u3000逾期仍不履行的，本机关将依法申请人民法院强制执行(《中华人民共和国行政强制法》第五十四条)。\n"
        "\u3000\u3000案件编号：{case_number}\n"
        "\u3000\u3000{organ}\u3000\u3000承办人：{issuer}"
    ),
)  # fmt: skip


def _closing_values(case) -> dict[str, str]:
    from .execution_status import status_of  # the figures the report prints are the page's

    enforcement = _enforcement(case)
    status = status_of(enforcement)
    closure = enforcement.closure
    return {
        "party": enforcement.party.name if enforcement.party else "无", "power": f"{enforcement.power_code} {enforcement.power_name}".strip() or "无",
        "decided_on": chinese_date(enforcement.decided_at) if enforcement.decided_at else "无",
        "served_on": chinese_date(enforcement.service.served_on) if status.service else "无",
        "fine": _money(enforcement.fine_amount), "surcharge": _money(status.surcharge), "paid": _money(status.paid),
        "outcome": closure.get_outcome_display(), "reason": closure.reason or "无",
    }  # fmt: skip


declare(
    CLOSING_REPORT, "结案报告", "结", who="本乡镇(街道)的执法人员",
    fields=(
        DocField("party", "当事人", sample="李建国"),
        DocField("power", "违法行为(权责事项)", sample="CF001 对未经批准擅自搭建建筑物的处罚"),
        DocField("decided_on", "决定日期", sample="2026年3月2日"),
        DocField("served_on", "送达日期", sample="2026年3月3日"),
        DocField("fine", "罚款金额", sample="2,000.00元"),
        DocField("surcharge", "加处罚款", sample="无"),
        DocField("paid", "已缴金额", sample="2,000.00元"),
        DocField("outcome", "结案情形", sample="罚款已全部缴清"),
        DocField("reason", "结案说明", sample="无"),
    ),
    values=_closing_values,
    body=(
        "\u3000\u3000案件编号：{case_number}\n"
        "\u3000\u3000案由：{case_title}\n"
        "\u3000\u3000当事人：{party}\n"
        "\u3000\u3000违法行为(权责事项)：{power}\n"
        "\u3000\u3000处罚决定日期：{decided_on}\u3000送达日期：{served_on}\n"
        "\u3000\u3000罚款金额：{fine}\u3000加处罚款：{surcharge}\u3000已缴金额：{paid}\n"
        "\u3000\u3000结案情形：{outcome}\n"
        "\u3000\u3000说明：{reason}\n"
        "\u3000\u3000承办人：{issuer}"
    ),
)  # fmt: skip
