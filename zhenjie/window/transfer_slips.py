"""The 代办件交接单 (kernel/DOCUMENTS.md): the numbered slip both sides sign when an agent point's
papers change hands — the originals carried from the point to the township's service centre, or
the result carried back to the point for 统一窗口出件 (seed 002 §三(六)). Issued by
`actions.agents.record_handover` inside its transaction, by whoever records the line (the point's
agent or the centre's window clerk or leader: `points.may_record_transfer`, the kind's only rule),
numbered in their unit's series; the ledger prints it (`window/agents/point_detail.html`, the
application's agent panel)."""

from zhenjie.kernel import documents
from zhenjie.kernel.documents import DocField

from .models import AgentPoint, Application
from .points import transfer_recorder_unit

TRANSFER_SLIP = "paper_transfer_slip"
PAPERS_MAX = 2000


def _recorder_unit(actor, case) -> int | None:
    """Whoever may record a line of the application's ledger — at the point it was filed at, or
    the point its result is collected at (a point chosen at the window: the case may lie outside
    that agent's village) — issues the slip, in the unit they record it for."""
    intake_unit_id, delivery_point_id = Application.objects.values_list("intake_unit_id", "delivery_point_id").get(case_id=case.pk)
    points = AgentPoint.objects.filter(unit_id__in={intake_unit_id, delivery_point_id or intake_unit_id})
    for point in points.select_related("township").order_by("pk"):
        if (unit_id := transfer_recorder_unit(actor, point)) is not None:
            return unit_id
    return None


def _values(case) -> dict[str, str]:
    application = Application.objects.select_related("applicant").get(case_id=case.pk)
    return {"applicant": application.applicant.name, "item": application.item_name, "item_code": application.item_code}


documents.register_kind(documents.DocumentKind(
    code=TRANSFER_SLIP, label="代办件交接单", number_series=TRANSFER_SLIP,
    number_prefix=lambda case, unit: f"{unit.area.name[:2]}代交",
    issuer=_recorder_unit,
    forbidden_message="只有本代办点代办员或便民服务中心窗口人员可以出具代办件交接单",
    number_rule="按登记单位、年度连续编号，如 甲镇代交〔2026〕第3号",
    fields=(
        DocField("applicant", "申请人", sample="王秀英"),
        DocField("item", "办理事项", sample="老年人优待证代办"),
        DocField("item_code", "事项编码", sample="BM001"),
        DocField("point", "代办点", supplied=True, max_length=64, sample="甲一村代办点"),
        DocField("direction", "交接内容", supplied=True, max_length=20, sample="原件送交中心"),
        DocField("papers", "交接材料", supplied=True, max_length=PAPERS_MAX, sample="居民身份证(原件1份)；申请表(原件1份)"),
        DocField("handed_at", "交接时间", supplied=True, max_length=30, sample="2026年9月21日 10:30"),
        DocField("received_by", "签收人", supplied=True, max_length=32, sample="李娜"),
        DocField("note", "说明", supplied=True, required=False, max_length=200, sample="无"),
    ),
    values=_values, default_title="代办件交接单",
    default_body=(
        "\u3000\u3000办件编号：{case_number}\n"
        "\u3000\u3000办理事项：{item}(事项编码{item_code})\n"
        "\u3000\u3000申请人：{applicant}\n"
        "\u3000\u3000代办点：{point}\n"
        "\u3000\u3000交接内容：{direction}\n"
        "\u3000\u3000交接材料：{papers}\n"
        "\u3000\u3000交接时间：{handed_at}\n"
        "\u3000\u3000说明：{note}\n"
        "\u3000\u3000登记人：{issuer}\n"
        "\u3000\u3000移交人：\u3000\u3000\u3000\u3000(签名)\n"
        "\u3000\u3000签收人：{received_by}\u3000\u3000(签名)"
    ),
))  # fmt: skip
