"""The case page's evidence and documents: the evidence panel (each item with its officers and
their certificate numbers, the file by its SHA-256, the record readable), the form that records
evidence, and the buttons issuing the 立案审批表 and the 笔录. Thin: reads through queries,
changes through actions/evidence.py and documents.py."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.areas.paths import county_path, township_path
from zhenjie.kernel.documents import documents_of_case_for
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.workflow import Permitted, permitted_actions
from zhenjie.workbench.views import staff_required

from . import documents, queries
from .actions.evidence import read_upload, record_evidence
from .certificates import officers_posted_in, why_not_valid
from .models import Certificate, Evidence, EvidenceKind
from .forms_evidence import EvidenceForm
from .queries_evidence import evidence_of


@dataclass
class EvidenceLine:
    """One item as the panel shows it; the officers with the certificate numbers recorded then."""

    evidence: Evidence
    officers: list[tuple[str, str]]

    @property
    def questions(self) -> list[dict]:
        return self.evidence.record.get("questions", []) if self.evidence.kind == EvidenceKind.INTERVIEW_RECORD else []


def evidence_context(user, enforcement, permitted: Permitted | None = None) -> dict:
    """What the case page adds for evidence and documents: a fixed number of queries whatever
    the rows (evidence with officers and papers prefetched, the documents in one read);
    `permitted` when the page has already weighed what the user may do."""
    case = enforcement.case
    if permitted is None:
        permitted = permitted_actions(user, case)
    rows = evidence_of(user, enforcement).select_related("paper")
    lines = [
        EvidenceLine(e, [(o.display_name, (e.certificates or {}).get(str(o.pk), "")) for o in e.officers.all()]) for e in rows
    ]
    papers = list(documents_of_case_for(user, case.pk))
    registered = enforcement.registered_at is not None
    has_form = any(d.kind == documents.REGISTRATION_FORM for d in papers)
    may_paper = documents.INSPECTION.may_issue(user, case)  # the team's rule, the same for each paper
    return {
        "evidence_lines": lines, "papers": papers, "may_paper": may_paper,
        "may_record_evidence": "record_evidence" in permitted,
        "may_registration_form": registered and not has_form and may_paper,
        "record_kinds": set(documents.RECORD_PAPERS),
    }  # fmt: skip


def _officer_choices(enforcement) -> list[tuple[str, str]]:
    """The officers posted in the case's township, each with today's certificate or why none:
    the action refuses an uncertified one by name, so they are listed to be told."""
    path = enforcement.case.area.path
    officers = list(officers_posted_in(township_path(path)))
    # A certificate for the county covers its townships (certificates.covers).
    held = Certificate.objects.filter(officer__in=officers, area__path__in=[township_path(path), county_path(path)]).order_by(
        "-valid_until"
    )
    today = timezone.localdate()
    numbers = {}
    for certificate in held:
        if not why_not_valid(certificate, today):
            numbers.setdefault(certificate.officer_id, certificate.number)
    return [
        (str(o.pk), f"{o.display_name}(执法证号 {numbers[o.pk]})" if o.pk in numbers else f"{o.display_name}(无有效执法证)")
        for o in officers
    ]


@staff_required
def record(request, case_id: int):
    """登记证据: the form; a refusal is shown on the field it names and nothing is recorded."""
    enforcement = queries.get_case_for(request.user, case_id)
    form = EvidenceForm(request.POST or None, request.FILES or None, officers=_officer_choices(enforcement),
                        initial={"taken_at": timezone.localtime().replace(second=0, microsecond=0), "officers": [str(request.user.pk)]})  # fmt: skip
    if request.method == "POST" and "more" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = record_evidence(
                request.user, enforcement, kind=data["kind"], title=data["title"], taken_at=data["taken_at"], place=data["place"],
                officers=data["officers"], file=read_upload(data["file"]), record=form.record(),
            )  # fmt: skip
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记证据：{evidence.title}")
            return redirect("enforcement:detail", case_id)
    return render(request, "enforcement/evidence_form.html", {"enforcement": enforcement, "case": enforcement.case, "form": form})


@staff_required
@require_POST
def registration_form(request, case_id: int):
    """出具(或再次打印)立案审批表."""
    enforcement = queries.get_case_for(request.user, case_id)
    try:
        document = documents.issue_registration_form(request.user, enforcement)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("enforcement:detail", case_id)
    return redirect("workbench:document_pdf", document.pk)


@staff_required
@require_POST
def record_paper(request, case_id: int, evidence_id: int):
    """生成(或再次打印)一份笔录: the PDF, numbered once."""
    enforcement = queries.get_case_for(request.user, case_id)
    evidence = evidence_of(request.user, enforcement).filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("evidence.not_found", "证据不存在或不在您的辖区内")
    try:
        document = documents.issue_record_paper(request.user, evidence)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("enforcement:detail", case_id)
    return redirect("workbench:document_pdf", document.pk)
