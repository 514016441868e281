"""The numbered papers of the review and the decision (kernel/DOCUMENTS.md; templates the county
edits at 管理 → 文书模板): the 法制审核意见书 the reviewer issues with a pass or a return
(行政处罚法 Art. 58), the 行政处罚决定书 the township's leader issues with the decision (Art. 59)
and the 当场处罚决定书 of the summary procedure (Art. 52), issued by the officer on the spot.

Each is issued inside its action's transaction, after the records are written, so it prints
what the records hold; a refused action takes no number."""

from zhenjie.kernel.documents import DocField
from zhenjie.kernel.documents.pdf import chinese_date

from .documents import acting_as, declare
from .models import EnforcementCase, PenaltyDecision, PenaltyKind
from .rules_decision import latest_review
from .workflow import LEADERS, REVIEWERS

REVIEW_OPINION = "enforcement_review_opinion"
PENALTY_DECISION = "enforcement_penalty_decision"
SUMMARY_DECISION = "enforcement_summary_decision"

CHECKLIST = (("facts_clear", "事实是否清楚"), ("evidence_sufficient", "证据是否确凿充分"), ("procedure_lawful", "程序是否合法"),
             ("basis_correct", "适用依据是否正确"), ("penalty_appropriate", "处罚是否适当"))  # fmt: skip
# 行政复议法 (2023) Art. 20: 60 days to apply for reconsideration from knowing of the act;
# 行政诉讼法 Art. 46: 6 months to sue from knowing of it.
REMEDIES = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议(《中华人民共和国行政复议法》第二十条)，或者六个月内依法向人民法院提起行政诉讼(《中华人民共和国行政诉讼法》第四十六条)。"


def _enforcement(case) -> EnforcementCase:
    # Read again: the action updated the row in this transaction, after the case was loaded.
    return EnforcementCase.objects.select_related("party").get(case_id=case.pk)


def _case_values(enforcement: EnforcementCase) -> dict[str, str]:
    party = enforcement.party
    return {
        "party": party.name if party else "(未登记)", "party_id": (party.id_number_masked or "无") if party else "无",
        "facts": enforcement.facts or "无", "power": f"{enforcement.power_code} {enforcement.power_name}".strip() or "无",
        "legal_basis": enforcement.legal_basis or "无",
    }  # fmt: skip


_CASE_FIELDS = (
    DocField("party", "当事人", sample="李建国"),
    DocField("party_id", "证件号码(脱敏)", sample="3701**********1234"),
    DocField("facts", "违法事实", sample="未经批准擅自搭建彩钢棚约30平方米"),
    DocField("power", "权责事项", sample="CF001 对擅自搭建建筑物的处罚"),
    DocField("legal_basis", "法律依据", sample="《××条例》第×条"),
)


def _review_values(case) -> dict[str, str]:
    enforcement = _enforcement(case)
    review = latest_review(enforcement)
    checklist = "；".join(f"{label}：{'是' if getattr(review, name) else '否'}" for name, label in CHECKLIST)
    return _case_values(enforcement) | {
        "checklist": checklist, "opinion": review.opinion, "result": "同意(审核通过)" if review.passed else "退回补充调查",
        "return_reason": review.return_reason or "无", "reviewed_on": chinese_date(review.reviewed_at),
    }  # fmt: skip


declare(
    REVIEW_OPINION, "法制审核意见书", "审", issuer=acting_as(REVIEWERS), who="法制审核人员", numbered_by="审核人员所在单位",
    fields=(*_CASE_FIELDS,
            DocField("checklist", "审核事项", sample="事实是否清楚：是；证据是否确凿充分：是……"),
            DocField("opinion", "审核意见", sample="事实清楚，证据确凿，程序合法，适用依据正确，处罚适当"),
            DocField("result", "审核结论", sample="同意(审核通过)"),
            DocField("return_reason", "退回理由", sample="无"),
            DocField("reviewed_on", "审核日期", sample="2026年3月2日")),
    values=_review_values,
    body=(
        "\u3000\u3000案件：{case_title}(编号{case_number})\n"
        "\u3000\u3000当事人：{party}\n"
        "\u3000\u3000权责事项：{power}\n"
        "\u3000\u3000法律依据：{legal_basis}\n"
        "\u3000\u3000违法事实：{facts}\n"
        "\u3000\u3000依据《中华人民共和国行政处罚法》第五十八条，对本案拟作出的行政处罚决定进行法制审核：\n"
        "\u3000\u3000{checklist}\n"
        "\u3000\u3000审核意见：{opinion}\n"
        "\u3000\u3000审核结论：{result}\n"
        "\u3000\u3000退回理由：{return_reason}\n"
        "\u3000\u3000审核人员：{issuer}\u3000\u3000审核日期：{reviewed_on}"
    ),
)  # fmt: skip


def penalty_text(decision: PenaltyDecision) -> str:
    labels = dict(PenaltyKind.choices)
    parts = [labels.get(kind, kind) for kind in decision.kinds]
    if decision.fine_amount is not None:
        parts = [f"罚款人民币{decision.fine_amount}元" if kind == PenaltyKind.FINE else kind_label
                 for kind, kind_label in zip(decision.kinds, parts)]  # fmt: skip
    return "；".join(parts)


def _decision_values(case) -> dict[str, str]:
    enforcement = _enforcement(case)
    decision = PenaltyDecision.objects.select_related("meeting").get(enforcement=enforcement)
    meeting = decision.meeting
    return _case_values(enforcement) | {
        "penalty": penalty_text(decision), "confiscation": decision.confiscation or "无",
        "benchmark": decision.benchmark_text or "本县未制定该事项的裁量基准", "reasons": decision.reasons,
        "meeting": f"经{chinese_date(meeting.held_on)}负责人集体讨论决定：{meeting.conclusion}" if meeting else "无",
        "decided_on": chinese_date(decision.decided_at), "remedies": REMEDIES,
    }  # fmt: skip


_DECISION_FIELDS = (
    *_CASE_FIELDS,
    DocField("penalty", "处罚种类和数额", sample="罚款人民币3000.00元"),
    DocField("confiscation", "没收财物或违法所得", sample="无"),
    DocField("benchmark", "适用裁量基准", sample="CF001 一般：罚款1000.00元至5000.00元(《××县行政处罚裁量基准》)"),
    DocField("reasons", "处罚理由", sample="当事人系初次违法，积极配合调查"),
    DocField("meeting", "集体讨论", sample="无"),
    DocField("decided_on", "决定日期", sample="2026年3月20日"),
    DocField("remedies", "救济途径", sample=REMEDIES),
)

# 行政处罚法 Art. 59: the decision names the party, the facts and evidence, the penalty and its
# basis, the way and time to pay, the remedies and their time limits, the organ and the date.
declare(
    PENALTY_DECISION, "行政处罚决定书", "决", issuer=acting_as(LEADERS), who="本乡镇(街道)领导", numbered_by="决定机关",
    fields=_DECISION_FIELDS, values=_decision_values,
    body=(
        "当事人：{party}(证件号码{party_id})\n"
        "\u3000\u3000经查，{facts}\n"
        "\u3000\u3000上述行为违反了{legal_basis}的规定，属于权责事项「{power}」。\n"
        "\u3000\u3000适用裁量基准：{benchmark}\n"
        "\u3000\u3000处罚理由：{reasons}\n"
        "\u3000\u3000{meeting}\n"
        "\u3000\u3000依据上述规定，决定给予如下行政处罚：{penalty}。没收财物或违法所得：{confiscation}。\n"
        "\u3000\u3000罚款应自收到本决定书之日起十五日内缴纳；到期不缴纳的，每日按罚款数额的百分之三加处罚款(《中华人民共和国行政处罚法》第六十七条、第七十二条)。\n"
        "\u3000\u3000{remedies}"
    ),
)  # fmt: skip

# Art. 52: the on-the-spot decision states the act, the penalty and its basis, the fine, the
# time and place, the remedies, and the organ's name, signed by the officers.
declare(
    SUMMARY_DECISION, "当场行政处罚决定书", "当", who="执法人员",
    fields=_DECISION_FIELDS, values=_decision_values,
    body=(
        "当事人：{party}(证件号码{party_id})\n"
        "\u3000\u3000违法事实：{facts}\n"
        "\u3000\u3000依据：{legal_basis}(权责事项「{power}」)，适用简易程序(《中华人民共和国行政处罚法》第五十一条)。\n"
        "\u3000\u3000处罚理由：{reasons}\n"
        "\u3000\u3000决定给予如下行政处罚：{penalty}。\n"
        "\u3000\u3000{remedies}\n"
        "\u3000\u3000执法人员：{issuer}\u3000\u3000日期：{decided_on}"
    ),
)  # fmt: skip
