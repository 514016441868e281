"""The officers and the evidence they take, over the API: the officers of the user's jurisdiction
with their certificates, recording / renewing / revoking a certificate, and a case's evidence —
listed, and added (multipart, with the file). The same reads and actions as the pages
(certificates.py, queries_evidence.py, actions/)."""

import json
from datetime import date, datetime

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from zhenjie.api.schemas import ERRORS, MAX_ID, AreaBrief, PageOut, PageQuery, RecordId, page_of
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Rejected

from . import certificates as queries
from .actions import officers as actions
from .actions.evidence import read_upload, record_evidence
from .actions.officers import ISSUER_MAX, NUMBER_MAX, REASON_MAX, TRAINING_HOURS_MAX
from .models import EvidenceKind
from .queries import get_case_for
from .queries_evidence import evidence_of
from .rules_evidence import MAX_OFFICERS, PLACE_MAX, TITLE_MAX

router = Router(tags=["综合执法：执法人员与证据"])

RECORD_MAX = 300_000  # the JSON of a 100-question interview record at its limits, with room


class PersonBrief(Schema):
    id: int
    name: str = Field(alias="display_name")


class CertificateOut(Schema):
    id: int
    number: str
    issuer: str
    area: AreaBrief
    valid_from: date
    valid_until: date
    revoked_at: datetime | None
    training_hours: int
    status: str = Field(description="valid 有效，expiring 即将到期，expired 已过期，revoked 已注销，not_yet 未生效")

    @staticmethod
    def resolve_status(certificate, context):
        return queries.status_of(certificate, timezone.localdate(), queries.expiring_days_for(context["request"].auth))


class OfficerOut(Schema):
    id: int
    name: str
    status: str = Field(description="当前执法证状态：valid、expiring、expired、revoked、not_yet，none 无执法证")
    certificate: CertificateOut | None = Field(description="当前执法证(有效的，否则最近的)")
    certificates: list[CertificateOut]


class OfficerPageOut(PageOut):
    items: list[OfficerOut]


def _officer(line) -> dict:
    return {"id": line.officer.pk, "name": line.officer.display_name, "status": line.status, "certificate": line.certificate,
            "certificates": line.certificates}  # fmt: skip


@router.get("/enforcement/officers", response={200: OfficerPageOut, **ERRORS}, summary="辖区内执法人员及执法证状态")
def list_officers(request, query: Query[PageQuery]):
    page = page_of(queries.officers_for(request.auth), query)
    today = timezone.localdate()
    return page | {"items": [_officer(queries.line_of(officer, today, queries.expiring_days_for(request.auth))) for officer in page["items"]]}


class CertificateIn(Schema):
    officer_id: int = Field(ge=1, le=MAX_ID)
    number: str = Field(max_length=NUMBER_MAX, description="执法证号，全省唯一")
    issuer: str = Field(max_length=ISSUER_MAX)
    area_id: int = Field(ge=1, le=MAX_ID, description="执法区域：本县或所辖乡镇(街道)")
    valid_from: date
    valid_until: date
    training_hours: int = Field(0, ge=0, le=TRAINING_HOURS_MAX)


@router.post("/enforcement/certificates", response={201: CertificateOut, **ERRORS}, summary="登记执法证")
def create_certificate(request, payload: CertificateIn):
    officer = queries.managed_officers(request.auth).filter(pk=payload.officer_id).first()
    area = queries.managed_areas(request.auth).filter(pk=payload.area_id).first()
    if area is None:  # the action says whether the user keeps this area's certificates; an unknown id is named here
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise Rejected("certificate.area_invalid", "执法区域不存在", field="area_id")
    certificate = actions.record_certificate(request.auth, officer=officer, area=area,
                                             **payload.dict(exclude={"officer_id", "area_id"}))  # fmt: skip
    return Status(201, queries.get_certificate_for(request.auth, certificate.pk))


class RenewIn(Schema):
    valid_until: date


class TrainingIn(Schema):
    training_hours: int = Field(ge=0, le=TRAINING_HOURS_MAX)


class RevokeIn(Schema):
    reason: str = Field(max_length=REASON_MAX)


@router.post("/enforcement/certificates/{certificate_id}/renew", response={200: CertificateOut, **ERRORS}, summary="延续执法证有效期")
def renew_certificate(request, certificate_id: RecordId, payload: RenewIn):
    return actions.renew_certificate(request.auth, queries.get_certificate_for(request.auth, certificate_id), valid_until=payload.valid_until)


@router.post("/enforcement/certificates/{certificate_id}/training", response={200: CertificateOut, **ERRORS}, summary="登记年度培训学时")
def record_training(request, certificate_id: RecordId, payload: TrainingIn):
    certificate = queries.get_certificate_for(request.auth, certificate_id)
    return actions.record_training(request.auth, certificate, training_hours=payload.training_hours)


@router.post("/enforcement/certificates/{certificate_id}/revoke", response={200: CertificateOut, **ERRORS}, summary="注销执法证")
def revoke_certificate(request, certificate_id: RecordId, payload: RevokeIn):
    return actions.revoke_certificate(request.auth, queries.get_certificate_for(request.auth, certificate_id), reason=payload.reason)


# ---- evidence ----------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    sha256: str = Field(description="证据文件的SHA-256；笔录无附件时为空")
    file_url: str | None = Field(description="证据文件(须能查看本案)")
    taken_at: datetime
    place: str
    recorded_by: PersonBrief
    officers: list[PersonBrief]
    record: dict = Field(description="现场检查笔录：subject、present、findings；询问笔录：interviewee、capacity、questions[{q, a}]")
    recorded_at: datetime
    certificates: dict[str, str] = Field(description="在场执法人员取证当日所持执法证号：{执法人员ID: 证号}")
    paper_id: int | None = Field(description="已生成的笔录文书ID(GET /api/documents/{id}/pdf)；未生成或非笔录为空")

    @staticmethod
    def resolve_file_url(evidence):
        from django.urls import reverse

        return reverse("workbench:attachment", args=[evidence.attachment_id]) if evidence.attachment_id else None

    @staticmethod
    def resolve_officers(evidence):
        return list(evidence.officers.all())


class EvidencePageOut(PageOut):
    items: list[EvidenceOut]


class EvidenceIn(Schema):
    kind: EvidenceKind = Field(description="证据种类")
    title: str = Field(max_length=TITLE_MAX)
    taken_at: datetime = Field(description="取证时间：不晚于现在，不早于发现线索")
    place: str = Field(max_length=PLACE_MAX)
    officer_ids: list[int] = Field(max_length=MAX_OFFICERS, description="在场执法人员(至少2人，含记录人本人)，每人在取证当日持有本乡镇(街道)有效执法证")
    record: str = Field("", max_length=RECORD_MAX, description="现场检查笔录、询问笔录的内容(JSON，见 EvidenceOut.record)")


def _record(text: str):
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise Rejected("evidence.record_invalid", "笔录内容须为 JSON 对象", field="record") from None


@router.get("/enforcement/{case_id}/evidence", response={200: EvidencePageOut, **ERRORS}, summary="案件的证据")
def list_evidence(request, case_id: RecordId, query: Query[PageQuery]):
    return page_of(evidence_of(request.auth, get_case_for(request.auth, case_id)), query)


@router.post("/enforcement/{case_id}/evidence", response={201: EvidenceOut, **ERRORS},
             summary="登记证据(multipart/form-data，附证据文件；笔录可不附)")  # fmt: skip
def add_evidence(request, case_id: RecordId, payload: Form[EvidenceIn],
                 file: UploadedFile = File(None, description="图片、PDF、Word、Excel或MP4视频，不超过50 MB")):  # fmt: skip
    enforcement = get_case_for(request.auth, case_id)
    evidence = record_evidence(
        request.auth, enforcement, kind=payload.kind, title=payload.title, taken_at=payload.taken_at, place=payload.place,
        officers=payload.officer_ids, file=read_upload(file), record=_record(payload.record),
    )  # fmt: skip
    return Status(201, evidence_of(request.auth, enforcement).get(pk=evidence.pk))


# The documents of registration and investigation ride on this router (api_papers.py).
from .api_papers import router as papers_router  # noqa: E402

router.add_router("", papers_router)
