"""The enforcement case's documents over the API: the case's documents (the kernel's list, for
a case the user sees), the 立案审批表 and the 笔录 of an evidence row — issued once, asked again
the same document. The PDF itself through the kernel's GET /api/documents/{id}/pdf (pdf_url)."""

from ninja import Query, Router

from zhenjie.api.schemas import ERRORS, PageQuery, RecordId, page_of
from zhenjie.kernel.api import DocumentOut, DocumentPageOut
from zhenjie.kernel.documents import documents_for, documents_of_case_for
from zhenjie.kernel.errors import NotFound

from . import documents
from .queries import get_case_for
from .queries_evidence import evidence_of

router = Router(tags=["综合执法：文书"])


def _out(user, document):
    return documents_for(user).get(pk=document.pk)


@router.get("/enforcement/{case_id}/documents", response={200: DocumentPageOut, **ERRORS}, summary="案件的文书(新的在前)")
def list_documents(request, case_id: RecordId, query: Query[PageQuery]):
    enforcement = get_case_for(request.auth, case_id)
    return page_of(documents_of_case_for(request.auth, enforcement.case_id), query)


@router.post("/enforcement/{case_id}/registration-form", response={200: DocumentOut, **ERRORS},
             summary="出具立案审批表(已出具的返回原文书)")  # fmt: skip
def registration_form(request, case_id: RecordId):
    enforcement = get_case_for(request.auth, case_id)
    return _out(request.auth, documents.issue_registration_form(request.auth, enforcement))


@router.post("/enforcement/{case_id}/evidence/{evidence_id}/paper", response={200: DocumentOut, **ERRORS},
             summary="生成现场检查笔录或询问笔录(已生成的返回原文书)")  # fmt: skip
def record_paper(request, case_id: RecordId, evidence_id: RecordId):
    enforcement = get_case_for(request.auth, case_id)
    evidence = evidence_of(request.auth, enforcement).filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("evidence.not_found", "证据不存在或不在您的辖区内")
    return _out(request.auth, documents.issue_record_paper(request.auth, evidence))
