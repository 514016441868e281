"""案件移送函: the numbered letter that goes with a case transferred out to the county department
holding the power (seed 004 §二: 案件移送及协调协作机制; kernel/DOCUMENTS.md), listing the facts
and the evidence passed along. Issued by the transferring officer inside `transfer_case`."""

from zhenjie.kernel.documents import DocField

from .documents import declare

KIND = "enforcement_transfer_letter"


def _values(case) -> dict[str, str]:
    enforcement = case.enforcement
    transfer = enforcement.transfers.select_related("department").order_by("-pk").first()
    party = enforcement.party.name if enforcement.party_id else "尚不明确"
    evidence = (
        "\n".join(f"{i}. {e['title']}({e['kind']})" for i, e in enumerate(transfer.evidence_list if transfer else [], 1)) or "无"
    )
    return {
        "department": transfer.department.name if transfer else "", "party": party, "place": enforcement.place,
        "facts": enforcement.facts, "power": f"{enforcement.power_code} {enforcement.power_name}".strip() or "未立案",
        "reason": transfer.reason if transfer else "", "evidence": evidence,
    }  # fmt: skip


declare(
    KIND, "案件移送函", "移", who="本乡镇(街道)的执法人员",
    fields=(
        DocField("department", "接收部门", sample="××县市场监督管理局"),
        DocField("party", "当事人", sample="李建国"),
        DocField("place", "违法地点", sample="××村"),
        DocField("facts", "案情摘要", sample="未经批准擅自搭建彩钢棚。"),
        DocField("power", "立案事项", sample="CF001 未经批准擅自搭建建筑物的处罚"),
        DocField("reason", "移送理由", sample="该事项由××局行使"),
        DocField("evidence", "证据清单", sample="1. 现场照片(照片)"),
    ),
    values=_values,
    body=(
        "{department}：\n"
        "\u3000\u3000我单位在执法中发现下列案件，经审查，{reason}。现将案件移送你单位，请于收到后在规定时限内签收；"
        "不予接收的，请书面说明理由。\n"
        "\u3000\u3000案件编号：{case_number}\n\u3000\u3000案由：{case_title}\n\u3000\u3000当事人：{party}\n"
        "\u3000\u3000违法地点：{place}\n\u3000\u3000立案事项：{power}\n\u3000\u3000案情摘要：{facts}\n"
        "\u3000\u3000随案移送证据清单：\n{evidence}"
    ),
)  # fmt: skip
