"""收件回执: the paper an applicant takes home from the window, the home visit or the agent point
at filing, with the application's number and tracking code, so they can follow it and rate the
service on the portal (as events/receipts.py does for a walk-in visitor).

Why here and not on the 受理通知书: the code exists in clear only when it is issued (kernel.tracking
keeps a keyed hash), which is at filing; the acceptance comes later — after a notice and a
supplement, days later — and may never come (不予受理, withdrawal). The receipt is the one paper
every walk-in applicant holds from the first visit. Online applicants see the code on the page."""

from zhenjie.kernel import documents
from zhenjie.lists.models import MaterialForm

from .models import MaterialStatus
from .workflow import FRONT_DESK

KIND = "intake_receipt"
TRACK_PATH = "/public/window/track/"
RATE_PATH = "/public/window/rate/"

documents.register_kind(documents.DocumentKind(
    code=KIND, label="收件回执", number_series=KIND, number_prefix=lambda case, unit: f"{unit.area.name[:2]}收",
    # The front desk that took the papers (its own `check` work, or its post over the place).
    roles=FRONT_DESK, by_assignee=True, assignee_todos=frozenset({"check"}),
    read_by_issuers=True,  # the code inside is the applicant's: the deciding unit does not read it
    forbidden_message="只有收件的窗口人员或代办员可以出具收件回执",
    number_rule="按收件单位、年度连续编号，如 甲镇收〔2026〕第3号",
    fields=(
        documents.DocField("applicant", "申请人", sample="王秀英"),
        documents.DocField("item", "申请事项", sample="最低生活保障申请"),
        documents.DocField("materials", "收取材料", sample="居民身份证(原件1份)"),
        documents.DocField("collect", "领取地点", sample="甲镇便民服务中心窗口"),
        documents.DocField("code", "查询码", supplied=True, max_length=16, sample="ABCD2345"),
        documents.DocField("track_path", "查询网址", sample=TRACK_PATH),
        documents.DocField("rate_path", "评价网址", sample=RATE_PATH),
    ),
    values=lambda case: _values(case.application),
    default_title="收件回执",
    default_body=(
        "{applicant}：\n"
        "\u3000\u3000您于{date}申请的「{item}」已由{organ}收件。\n"
        "\u3000\u3000收取材料：{materials}\n"
        "\u3000\u3000办件编号：{case_number}\n"
        "\u3000\u3000查询码：{code}\n"
        "\u3000\u3000办理结果领取地点：{collect}\n"
        "\u3000\u3000请妥善保管本回执。凭办件编号和查询码，可在便民服务网页的「查询办理进度」（{track_path}）查看办理情况，"
        "领取办理结果后在「评价办事服务」（{rate_path}）评价。"
    ),
))  # fmt: skip


def _values(application) -> dict:
    received = [f"{m.name}({MaterialForm(m.form).label if m.form in MaterialForm.values else ''}{m.copies}份)"
                for m in application.materials.all() if m.status == MaterialStatus.RECEIVED]  # fmt: skip
    return {
        "applicant": application.applicant.name, "item": application.item_name, "materials": "；".join(received) or "无",
        "collect": application.handover_unit.name, "track_path": TRACK_PATH, "rate_path": RATE_PATH,
    }  # fmt: skip


def issue_intake_receipt(actor, application, code: str):
    """The receipt of an application just filed, printing its tracking code (issued once, at filing)."""
    return documents.issue_document(actor, application.case, KIND, extra={"code": code})
