"""The errand on the page and API kit and a document — all a new kind writes to
get pages, the step endpoint, the Excel export, a 好差评 and a numbered PDF from the kernel."""

from django.db import transaction
from django.http import HttpResponse
from ninja import Field, Schema

from zhenjie.kernel import archive, documents
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404
from zhenjie.kernel.workflow import perform
from zhenjie.workbench.excel import Column
from zhenjie.workbench.kit import Kind, Step, register

from .models import Errand
from .workflow import ERRAND_WORKFLOW, LEADS


def errands_for(user):
    return Errand.objects.filter(case_is_visible(user)).select_related("case", "case__area", "unit").order_by("-case__opened_at", "-pk")


def get_errand_for(user, case_id: int) -> Errand:
    return get_visible_or_404(errands_for(user), "errand.not_found", "事项不存在或不在您的辖区内", case_id=case_id)


@transaction.atomic
def answer(actor, errand: Errand, text: str) -> None:
    errand.answer = text
    errand.save(update_fields=["answer"])
    perform(actor, errand.case, "answer", data={"answer": text})


def render_detail(request, errand, forms=None, error=None, action=""):
    """A detail page in one line of text: enough for the act view to answer a refused step."""
    return HttpResponse(f"{errand.case.number} {ERRAND_WORKFLOW.state_label(errand.case.state)} {error or ''}", content_type="text/plain; charset=utf-8")


class ErrandOut(Schema):
    id: int = Field(alias="case_id")
    number: str = Field(alias="case.number")
    state: str = Field(alias="case.state")
    answer: str


ERRANDS = register(Kind(
    slug="errands", workflow=ERRAND_WORKFLOW, get=get_errand_for, title="测试事项",
    steps={
        "take": Step(lambda actor, errand, values: perform(actor, errand.case, "take", assign=[Assign(errand.unit, "answer")])),
        "answer": Step(lambda actor, errand, values: answer(actor, errand, values["answer"])),
        "accept": Step(lambda actor, errand, values: perform(actor, errand.case, "accept")),
    },
    render="zhenjie.kernel.tests.casekind.kit.render_detail", api_schema="zhenjie.kernel.tests.casekind.kit.ErrandOut",
    columns=(Column("编号", lambda e: e.case.number, 24), Column("承办单位", lambda e: e.unit.name), Column("办理结果", lambda e: e.answer, 40)),
    rows=errands_for,
))  # fmt: skip

RECEIPT = documents.register_kind(documents.DocumentKind(
    code="errand_receipt", label="办结回执", number_series="errand_receipt",
    number_prefix=lambda case, unit: f"{unit.area.name[:2]}回", roles=LEADS, forbidden_message="只有领导和调度员可以出具回执",
    fields=(documents.DocField("answer", "办理结果"),), values=lambda case: {"answer": case.errand.answer},
    default_title="办结回执", default_body="{case_title}（{case_number}）已办结。办理结果：{answer}",
))  # fmt: skip

# What of the errand goes into its archive package, and its "service item" for the retention rule.
archive.register_kind("errand", detail=lambda case: {"unit": case.errand.unit.name, "answer": case.errand.answer},
                      item_code=lambda case: "ERRAND-" + case.errand.unit.kind)
