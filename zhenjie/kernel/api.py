from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, field_validator

from zhenjie.api.schemas import ERRORS, PageOut, PageQuery, RecordId, page_of

from . import extensions
from .deadlines import Limit, due_after
from .errors import NotFound
from .models import Case, DeadlineUnit, Extension
from .scoping import get_visible_or_404, visible_cases

router = Router(tags=["时限"])


class DeadlineQuery(Schema):
    # A time without a zone names no instant: refused (400), not guessed (issue 12 item 6).
    start: AwareDatetime = Field(description="起算时间(当日不计入)，须带时区，如 2026-11-23T09:30:00+08:00")
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


# ---- 延期 ----------------------------------------------------------------------------------


class ExtensionIn(Schema):
    amount: int = Field(ge=1, le=extensions.AMOUNT_MAX, description="延期时长，单位同原时限")
    reason: str = Field(min_length=1, max_length=extensions.REASON_MAX)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class ExtensionOut(Schema):
    id: int
    amount: int
    reason: str
    state: str
    state_label: str
    requested_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_state_label(extension):
        return extension.get_state_display()


def visible_case(request, case_id) -> Case:
    """The case by id if the user may see it, else NotFound (any kind)."""
    rows = visible_cases(request.auth).select_related("area", "owner_unit")
    return get_visible_or_404(rows, "case.not_found", "事项不存在或不在您的辖区内", pk=case_id)


@router.post("/cases/{case_id}/extensions", response={201: ExtensionOut, **ERRORS}, tags=["延期"], summary="申请延期(任何类型的事项)")
def request_extension(request, case_id: RecordId, payload: ExtensionIn):
    return Status(201, extensions.request_extension(request.auth, visible_case(request, case_id), payload.amount, payload.reason))


@router.post("/cases/{case_id}/extensions/{extension_id}/decide", response={200: ExtensionOut, **ERRORS}, tags=["延期"], summary="审批延期")
def decide_extension(request, case_id: RecordId, extension_id: RecordId, payload: ExtensionDecisionIn):
    extension = Extension.objects.filter(pk=extension_id, case=visible_case(request, case_id)).select_related("case__area").first()
    if extension is None:
        raise NotFound("extension.not_found", "延期申请不存在")
    return extensions.decide_extension(request.auth, extension, payload.approve, payload.note)


# ---- 归档 ----------------------------------------------------------------------------------


class ArchivePackageOut(Schema):
    id: int
    case_id: int
    version: int
    state: str = Field(description="pending 打包中 / ready 已归档 / failed 打包失败")
    state_label: str
    error: str = Field(description="打包失败的原因")
    created_at: datetime
    packaged_at: datetime | None
    manifest_sha256: str = Field(description="清单(manifest.json)的SHA-256，与归档包中verify.py打印的值核对")
    size: int = Field(description="归档包字节数")
    retention: str = Field(description="保管期限，如 10年、永久")
    retain_until: date | None = Field(description="保管至(此后可按规定鉴定销毁)；永久为空")

    @staticmethod
    def resolve_state_label(package) -> str:
        return package.get_state_display()

    @staticmethod
    def resolve_manifest_sha256(package) -> str:
        return package.sha256

    @staticmethod
    def resolve_retention(package) -> str:
        return package.retention_label if package.state == "ready" else ""


@router.post("/cases/{case_id}/archive", response={202: ArchivePackageOut, **ERRORS}, tags=["归档"], summary="归档(已办结的事项，后台打包)")
def archive_case(request, case_id: RecordId):
    """再次申请时：正在打包的或最近一版归档包原样返回；归档后事项又有新的记录(如评价)时生成新版本。"""
    from . import archive

    return Status(202, archive.archive_case(request.auth, visible_case(request, case_id)))


@router.get("/cases/{case_id}/archive/packages", response={200: list[ArchivePackageOut], **ERRORS}, tags=["归档"], summary="事项的归档包(新的在前)")
def archive_packages(request, case_id: RecordId):
    from . import archive

    return list(archive.packages_of_case_for(request.auth, visible_case(request, case_id).pk))


@router.get("/cases/{case_id}/archive", response={200: None, **ERRORS}, tags=["归档"], summary="下载最近一版归档包(ZIP)")
def archive_download(request, case_id: RecordId):
    """ZIP内含manifest.json与verify.py：解压后用 python verify.py 即可自行校验。"""
    from . import archive

    return archive.package_response(archive.latest_ready_for(request.auth, case_id))
