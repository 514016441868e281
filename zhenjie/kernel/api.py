from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from zhenjie.api.schemas import ERRORS, PageOut, PageQuery, RecordId, page_of

from .deadlines import Limit, due_after
from .models import DeadlineUnit

router = Router(tags=["时限"])


class DeadlineQuery(Schema):
    start: datetime = Field(description="起算时间(当日不计入)")
    amount: int = Field(ge=0, le=3650)
    unit: Literal[tuple(DeadlineUnit.values)] = DeadlineUnit.WORKING_DAYS  # type: ignore[valid-type]

    @field_validator("start")
    @classmethod
    def start_in_working_range(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2099:
            raise ValueError("起算时间须在2000年至2099年之间")
        return value


class DeadlineOut(Schema):
    due_at: datetime
    uncertain: bool = Field(description="期限跨入节假日安排尚未公布的年份，按普通周末推算")


@router.get("/deadlines/preview", response={200: DeadlineOut, **ERRORS}, summary="推算截止时间")
def preview(request, query: Query[DeadlineQuery]):
    due, uncertain = due_after(query.start, Limit(query.amount, query.unit))
    return {"due_at": due, "uncertain": uncertain}


# ---- 文书 ----------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    case_id: int
    kind: str = Field(description="文书类型代码，如 supervision_notice")
    kind_label: str
    title: str
    number: str = Field(description="文号，如 柳湾督〔2026〕第3号")
    unit_name: str = Field(description="发文单位")
    issued_at: datetime
    issued_by: str = Field(description="出具人")
    sha256: str = Field(description="PDF 内容的 SHA-256")
    size: int = Field(description="PDF 字节数")
    pdf_url: str = Field(description="下载 PDF 的接口地址")

    @staticmethod
    def resolve_kind_label(document) -> str:
        from .documents import kind_for
        from .errors import NotFound

        try:
            return kind_for(document.kind).label
        except NotFound:  # a kind whose app was removed after it issued documents
            return document.kind

    @staticmethod
    def resolve_unit_name(document) -> str:
        return document.unit.name

    @staticmethod
    def resolve_issued_by(document) -> str:
        return document.issued_by.display_name if document.issued_by_id else ""

    @staticmethod
    def resolve_sha256(document) -> str:
        return document.attachment.blob_id

    @staticmethod
    def resolve_size(document) -> int:
        return document.attachment.blob.size

    @staticmethod
    def resolve_pdf_url(document) -> str:
        return reverse("api:document_pdf", args=[document.pk])


class DocumentPageOut(PageOut):
    items: list[DocumentOut]


@router.get("/cases/{case_id}/documents", response={200: DocumentPageOut, **ERRORS}, tags=["文书"], summary="事项的文书(新的在前)")
def case_documents(request, case_id: RecordId, query: Query[PageQuery]):
    from .documents import documents_of_case_for

    return page_of(documents_of_case_for(request.auth, case_id), query)


@router.get("/documents/{document_id}/pdf", response={200: None, **ERRORS}, url_name="document_pdf", tags=["文书"], summary="下载文书PDF")
def document_pdf(request, document_id: RecordId):
    """只有能查看该事项的用户可以下载。"""
    from .documents import get_document_for, pdf_response

    return pdf_response(get_document_for(request.auth, document_id))
