"""回执: the receipt a visitor takes home from the window (issue 14 item 3), a numbered document
(kernel/DOCUMENTS.md) with the event's number and a tracking code, so the visitor can follow and
rate the event on the citizen portal as a citizen reporting online can."""

from django.db import transaction

from zhenjie.accounts.roles import COMMAND
from zhenjie.kernel import documents, tracking
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import Document

from .models import Channel, Event

KIND = "walk_in_receipt"
TRACK_PATH = "/public/events/track/"

RECEIPT = documents.register_kind(documents.DocumentKind(
    code=KIND, label="来访登记回执", number_series=KIND,
    number_prefix=lambda case, unit: f"{unit.area.name[:2]}回",
    # Whoever took the visitor in (首问负责: their own assignment) or the township command centre —
    # not whoever else holds work on the event: a new receipt retires the visitor's code, and the
    # handling unit holding a code could confirm or rate its own result as the visitor.
    roles=frozenset(COMMAND), by_assignee=True, assignee_todos=frozenset({"own"}),
    read_by_issuers=True,  # the code inside is the visitor's: whoever handles the event does not read it
    forbidden_message="只有接待来访的工作人员或指挥中心可以出具回执",
    number_rule="按接待单位、年度连续编号，如 柳湾回〔2026〕第3号",
    fields=(
        documents.DocField("visitor", "来访人", sample="王先生"),
        documents.DocField("category", "问题类别", sample="环境卫生"),
        documents.DocField("code", "查询码", supplied=True, max_length=16, sample="ABCD2345"),
        documents.DocField("track_path", "查询网址", sample=TRACK_PATH),
    ),
    values=lambda case: {"visitor": case.event.reporter_name, "category": case.event.category.name, "track_path": TRACK_PATH},
    default_title="来访登记回执",
    default_body=(
        "{visitor}：\n"
        "\u3000\u3000您于{date}反映的「{category}」问题已登记，由{organ}受理。\n"
        "\u3000\u3000事件编号：{case_number}\n"
        "\u3000\u3000查询码：{code}\n"
        "\u3000\u3000请妥善保管本回执。凭事件编号和查询码，可在群众上报网页的「查询办理进度」（{track_path}）查看办理情况，"
        "办结后在同一页面评价办理结果；如需核实办理结果，工作人员将电话回访。"
    ),
))  # fmt: skip


@transaction.atomic
def issue_receipt(actor, event: Event) -> Document:
    """A new tracking code and the receipt that prints it, in one transaction. Issuing again
    (a lost receipt) retires the earlier code (kernel.tracking.issue_code). The PDF, kept like
    every document, holds the code: those who may issue it (not everyone who sees the event) can reprint it."""
    if event.channel != Channel.WALK_IN:
        raise Conflict("event.receipt_walk_in_only", "只有窗口来访登记的事件出具回执")
    code = tracking.issue_code(event.case)
    return documents.issue_document(actor, event.case, KIND, extra={"code": code})


def first_receipt(actor, event: Event) -> Document:
    """The receipt of a walk-in just filed: issued once. A form sent again under its key
    (kernel.submits) answers with the event it filed, whose receipt — and code — stand."""
    issued = Document.objects.filter(case=event.case, kind=KIND).order_by("pk").first()
    return issued or issue_receipt(actor, event)
