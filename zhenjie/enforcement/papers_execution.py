"""The numbered papers of service and execution (kernel/DOCUMENTS.md): the 送达回证 of the
penalty decision (行政处罚法 Art. 61) and the 结案报告 (Art. 47: the whole process recorded and
archived). Issued by the team's officers inside the transaction of `serve` and `close`
(actions/execution.py), so a refused step takes no number. Their values are read from the rows
the action has just written, so they print what the records hold."""

from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date

from .documents import declare
from .models import EnforcementCase

SERVICE_RECEIPT = "enforcement_service_receipt"
CLOSING_REPORT = "enforcement_closing_report"


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
