"""The back office's written documents (kernel/DOCUMENTS.md), each numbered in the issuing unit's
series: the acceptance and refusal receipts (受理通知书 / 不予受理通知书, 行政许可法 Art. 32 last
para.: a written receipt, sealed and dated, for both), the notice of a period not counted
(特别程序告知书, Art. 45: the applicant is told in writing the time it needs), the notice that it
ended and the limits run again (特别程序结束告知书: the applicant learns the new dates in writing,
as they learnt of the pause) and the notice of an extension (延期告知书, Art. 42: the applicant is
told the reason)."""

from django.utils import timezone

from zhenjie.kernel import documents
from zhenjie.kernel.documents import DocField

from .workflow import BACK_OFFICE, FRONT_DESK, LEADERS

ACCEPTANCE = "acceptance_notice"
REFUSAL = "non_acceptance_notice"
SPECIAL = "special_procedure_notice"
RESUMED = "special_procedure_ended_notice"
EXTENSION = "extension_notice"


def _application_values(case) -> dict:
    application = case.application
    return {"applicant": application.applicant.name, "item": application.item_name, "received": f"{timezone.localtime(application.received_at):%Y年%m月%d日}"}


APPLICANT_FIELDS = (
    DocField("applicant", "申请人", sample="王秀英"),
    DocField("item", "申请事项", sample="最低生活保障申请"),
    DocField("received", "收件日期", sample="2026年09月21日"),
)


def _declare(code: str, label: str, mark: str, roles, todos: set[str], who: str, fields: tuple, body: str) -> None:
    """One of the window's kinds: numbered per issuing unit as 甲镇受〔2026〕第1号 (mark 受), the
    applicant's fields plus the kind's own, and the issuer's roles or open work of `todos`."""
    documents.register_kind(documents.DocumentKind(
        code=code, label=label, number_series=code, number_prefix=lambda case, unit: f"{unit.area.name[:2]}{mark}",
        roles=roles, by_assignee=True, assignee_todos=frozenset(todos), forbidden_message=f"只有{who}可以出具{label}",
        fields=APPLICANT_FIELDS + fields, values=_application_values, default_title=label, default_body=body,
    ))  # fmt: skip


# The front desk that took it in (its own `check` work, or its post over the place).
_declare(
    ACCEPTANCE, "受理通知书", "受", FRONT_DESK, {"check"}, "受理该申请的窗口人员或代办员",
    (
        DocField("accepted", "受理日期", supplied=True, max_length=20, sample="2026年09月21日"),
        DocField("deciders", "审批单位", supplied=True, max_length=300, sample="甲镇便民服务中心"),
        DocField("promised_due", "承诺办结日期", supplied=True, max_length=20, sample="2026年09月28日"),
        DocField("statutory_due", "法定办结日期", supplied=True, max_length=40, sample="2026年10月26日"),
    ),
    (
        "{applicant}：\n"
        "\u3000\u3000你于{received}提交的「{item}」申请，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，"
        "本机关决定予以受理，受理日期为{accepted}。\n"
        "\u3000\u3000办件编号：{case_number}\n"
        "\u3000\u3000审批单位：{deciders}\n"
        "\u3000\u3000承诺办结日期：{promised_due}；法定办结期限：{statutory_due}(以工作日计算，不含法定节假日；听证、检验、检测、鉴定、专家评审等所需时间不计算在内)。\n"
        "\u3000\u3000可凭办件编号和收件回执上的查询码在便民服务网页查询办理进度，或到受理窗口查询。"
    ),
)  # fmt: skip

_declare(
    REFUSAL, "不予受理通知书", "不受", FRONT_DESK, {"check"}, "受理该申请的窗口人员或代办员",
    (DocField("reason", "不予受理理由", supplied=True, max_length=2000, sample="申请事项不属于本机关职权范围"),),
    (
        "{applicant}：\n"
        "\u3000\u3000你于{received}提交的「{item}」申请，经审查，根据《中华人民共和国行政许可法》第三十二条的规定，决定不予受理。\n"
        "\u3000\u3000理由：{reason}\n"
        "\u3000\u3000办件编号：{case_number}\n"
        "\u3000\u3000如不服本决定，可以依法申请行政复议或者提起行政诉讼。"
    ),
)  # fmt: skip

_declare(
    SPECIAL, "特别程序告知书", "特", BACK_OFFICE, {"decide"}, "该办件的审批单位",
    (
        DocField("procedure", "特别程序", supplied=True, max_length=10, sample="专家评审"),
        DocField("reason", "理由", supplied=True, max_length=500, sample="需组织专家对设计方案进行评审"),
        DocField("expected_days", "预计所需时间", supplied=True, max_length=20, sample="10个工作日"),
    ),
    (
        "{applicant}：\n"
        "\u3000\u3000你申请的「{item}」(办件编号：{case_number})，因{reason}，需要进行{procedure}，预计所需时间为{expected_days}。\n"
        "\u3000\u3000根据《中华人民共和国行政许可法》第四十五条的规定，{procedure}所需时间不计算在审批期限内。{procedure}结束后继续计算审批期限。"
    ),
)  # fmt: skip

_declare(
    RESUMED, "特别程序结束告知书", "续", BACK_OFFICE, {"decide"}, "该办件的审批单位",
    (
        DocField("procedure", "特别程序", supplied=True, max_length=10, sample="专家评审"),
        DocField("ended", "结束日期", supplied=True, max_length=20, sample="2026年09月25日"),
        DocField("promised_due", "承诺办结日期", supplied=True, max_length=20, sample="2026年09月30日"),
        DocField("statutory_due", "法定办结日期", supplied=True, max_length=20, sample="2026年10月27日"),
    ),
    (
        "{applicant}：\n"
        "\u3000\u3000你申请的「{item}」(办件编号：{case_number})，{procedure}已于{ended}结束。"
        "根据《中华人民共和国行政许可法》第四十五条的规定，{procedure}所需时间不计算在审批期限内，审批期限自结束之日起继续计算，"
        "承诺办结日期顺延至{promised_due}，法定办结期限顺延至{statutory_due}。"
    ),
)  # fmt: skip

# Whoever approves the extension: a township leader, or the approver the request named (a
# deciding department's head). Issued for every approval (actions.backoffice.tell_extension).
_declare(
    EXTENSION, "延期告知书", "延", LEADERS, {"approve_extension"}, "审批延期的负责人",
    (
        DocField("days", "延长期限", supplied=True, max_length=20, sample="10个工作日"),
        DocField("reason", "延期理由", supplied=True, max_length=600, sample="需进一步核实申请人家庭经济状况"),
        DocField("new_due", "延长后办结日期", supplied=True, max_length=20, sample="2026年11月09日"),
    ),
    (
        "{applicant}：\n"
        "\u3000\u3000你申请的「{item}」(办件编号：{case_number})，因{reason}，不能在规定期限内作出决定。"
        "根据《中华人民共和国行政许可法》第四十二条的规定，经本机关负责人批准，审批期限延长{days}，延长后的办结日期为{new_due}。"
    ),
)  # fmt: skip
