"""一次性告知书: the numbered notice listing exactly the materials of the guide the applicant has to
bring or correct, each with what is wrong (行政许可法 Art. 32(4); kernel/DOCUMENTS.md)."""

from zhenjie.kernel import documents
from zhenjie.kernel.documents.pdf import chinese_date

from .workflow import FRONT_DESK

KIND = "supplement_notice"
PROBLEMS_MAX = 5000  # one line per material; a guide lists at most a few dozen

NOTICE = documents.register_kind(documents.DocumentKind(
    code=KIND, label="一次性告知书", number_series=KIND,
    number_prefix=lambda case, unit: f"{unit.area.name[:2]}告",
    # The front desk that checks it: the centre's window clerks, or the agent who took it in.
    roles=frozenset(FRONT_DESK), by_assignee=True, assignee_todos=frozenset({"check"}),
    forbidden_message="只有受理窗口或代办员可以出具一次性告知书",
    number_rule="按受理单位、年度连续编号，如 柳湾告〔2026〕第3号",
    fields=(
        documents.DocField("applicant", "申请人", sample="王秀英"),
        documents.DocField("item", "申请事项", sample="最低生活保障申请"),
        documents.DocField("received", "收件日期", sample="2026年1月1日"),
        documents.DocField("problems", "需补正材料", supplied=True, max_length=PROBLEMS_MAX, sample="1. 户口簿：未提交"),
    ),
    values=lambda case: {
        "applicant": case.application.applicant.name, "item": case.application.item_name,
        "received": chinese_date(case.application.received_at),
    },
    default_title="一次性告知书",
    default_body=(
        "{applicant}：\n"
        "\u3000\u3000你于{received}提交的「{item}」申请(编号{case_number})，经审查，申请材料不齐全或者不符合法定形式。"
        "根据《中华人民共和国行政许可法》第三十二条第一款第(四)项，现一次性告知需要补正的全部内容如下：\n"
        "{problems}\n"
        "\u3000\u3000请按上述要求补正后，到原受理窗口(或代办点)提交。补正材料齐全后，我们将依法受理。"
    ),
))  # fmt: skip
