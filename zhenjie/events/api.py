"""Events and 乡呼县应 calls over the API, for the grid worker's phone and for integrations.

Thin like the pages: parse (schemas.py) → fetch through queries.py (scoped: another township's
record is 404) → the same action the pages call → the record as the user now sees it."""


from django.db import IntegrityError
from ninja import File, Form, Query, Router, Status, UploadedFile

from zhenjie.api.kit import resolve, step_alias, take_step
from zhenjie.api.schemas import ERRORS, RecordId, page_of
from zhenjie.kernel import api as kernel_api, attachments, opened, submits
from zhenjie.kernel.api import ExtensionDecisionIn, ExtensionIn, ExtensionOut
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.models import Attachment
from zhenjie.kernel.prepared import Prepared
from zhenjie.kernel.scoping import counting_parts, report_areas
from zhenjie.kernel.serving import attachment_response
from zhenjie.units.models import Unit
from zhenjie.units.queries import get_unit_for

from . import quality, queries, transfer
from .intake import PHOTOS_MAX, Photo, Report, report_event
from .kit import EVENTS
from .models import Category
from .workflow import EVENT as EVENT_KIND
from .schemas import (
    CategoryOut, DispatchIn, EventDetailOut, EventFilter,
    EventOut, EventPageOut, MergeIn, QualityFilter, QualityOut, RateIn, ReassignIn, ReportBackIn, ReportIn, TransferIn,
    VerifyIn,
)

router = Router(tags=["事件与乡呼县应"])

EVENT = {200: EventOut, **ERRORS}


# ---- helpers: turning ids and uploads into what the actions take ----------------------------


def _category(code: str) -> Category | None:
    # Any category: report_event refuses one out of use after it has looked the form's key up,
    # so a report sent again after its category was retired still finds the event it made.
    return _CATEGORY.first(code=code)


_CATEGORY = Prepared(lambda code: Category.objects.filter(code=code)[:1], code=str)  # every report (kernel.prepared)


def _unit(user, unit_id: int, field: str = "unit_id") -> Unit:
    try:
        return get_unit_for(user, unit_id)
    except NotFound:
        raise Rejected("event.unit_unknown", "所选单位不存在或不在您的辖区内", field=field) from None


def _photos(files) -> list[Photo]:
    """Uploaded files as photos, refusing too many or too large before reading them into memory."""
    files = list(files or [])
    if len(files) > PHOTOS_MAX:
        raise Rejected("event.too_many_photos", f"照片最多{PHOTOS_MAX}张", field="photos")
    limit = attachments.max_bytes("photo")
    photos = []
    for upload in files:
        if upload.size is not None and upload.size > limit:
            raise Rejected("file.too_large", f"照片过大：{upload.size / 1048576:.1f} MB，上限为 {limit // 1048576} MB", field="photos")
        photos.append(Photo(name=(upload.name or "photo")[:200], content=upload.read()))
    return photos


# ---- categories and events ------------------------------------------------------------------


@router.get("/event-categories", response={200: list[CategoryOut], **ERRORS}, summary="事件类别(启用的)")
def list_categories(request):
    return list(queries.active_categories().select_related("parent"))


@router.get("/events", response={200: EventPageOut, **ERRORS}, summary="事件列表(辖区内)")
def list_events(request, filters: Query[EventFilter]):
    rows = queries.events_for(request.auth)
    if filters.state:
        rows = queries.in_states(rows, [filters.state])
    if filters.category:
        rows = rows.filter(category__code=filters.category)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    # The dates, the unit and the quality behind a figure (办理质量), checked once as the page does.
    chosen = quality.choose(request.auth, start=filters.reported_from, end=filters.reported_to, unit=filters.unit, quality=filters.quality or "")
    rows = quality.narrowed(request.auth, rows, chosen)
    # Filtered by its state alone, the list's count comes from the indexes (events.views does so too).
    narrowed = filters.category or filters.channel or filters.reported_from or filters.reported_to or filters.unit or filters.quality
    parts = None if narrowed else counting_parts(request.auth, EVENT_KIND)
    return page_of(rows, filters, known=queries.counted_in(parts, [filters.state] if filters.state else None) if parts else None)


@router.get("/analysis/quality", response={200: QualityOut, **ERRORS}, summary="办理质量：返工率、按期办结率、一次办结率")
def quality_figures(request, filters: Query[QualityFilter]):
    """按处置单位、按事件类别统计辖区内上报日期在期间内、已反馈的事件：返工率＝有返工的÷已反馈；
    按期办结率＝按期办结÷办结；一次办结率＝未经返工办结÷办结。每项的 cases 给出背后事件列表的地址。"""
    chosen = quality.choose(request.auth, start=filters.reported_from, end=filters.reported_to, unit=filters.unit,
                            category=filters.category, default_period=True)
    found = quality.figures(request.auth, chosen)
    return {"reported_from": chosen.start, "reported_to": chosen.end, "total": found.total, "units": found.units, "categories": found.categories}


@router.post("/events", response={201: EventDetailOut, **ERRORS}, summary="上报事件(可附照片与定位)")
def create_event(request, payload: Form[ReportIn], photos: File[list[UploadedFile]] = None):
    """multipart/form-data：字段同下，照片以 photos 多次上传(最多9张，每张不超过10 MB)。
    网格员上报须附带定位；窗口来访可只填所在村(社区)area_id。"""
    area = None
    if payload.area_id is not None:
        area = report_areas(request.auth).filter(pk=payload.area_id).first()
        if area is None:
            raise Rejected("event.area_unknown", "所选区划不存在或不在您的辖区内", field="area_id")
    report = Report(
        channel=payload.channel, category=_category(payload.category), description=payload.description,
        lng=payload.lng, lat=payload.lat, address=payload.address, area=area, photos=_photos(photos),
        reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone,
        agent_name=payload.agent_name, agent_phone=payload.agent_phone, client_key=submits.parse_key(payload.client_key),
    )
    event = report_event(request.auth, report)
    if opened.of(event.case) is not None:
        # The event as just written (issue 11: re-reading it through the visibility rule cost a
        # third of a create); the reporter reported inside their own reach, so may see it.
        return Status(201, event)
    # The same form sent again (its key): answered as any read of the event, through the rule.
    # A reporter who has since left the place is told its number, not how it is being handled.
    try:
        return Status(201, queries.get_event_for(request.auth, event.case_id))
    except NotFound:
        raise Conflict(
            "event.reported_out_of_reach", f"该表单已上报，事件编号 {event.case.number}；您已不在该事件的辖区，无法查看办理情况", field="client_key"
        ) from None


@router.post("/events/transfer", response={201: EventOut, **ERRORS}, summary="部门移交事件到乡镇(街道)")
def transfer_event(request, payload: TransferIn):
    """县直部门联络员将属于乡镇(街道)处置的事项移交其指挥中心；只能选本县的乡镇(街道)。"""
    department = transfer.transferring_department(request.auth)
    township = transfer.township_for_transfer(department, payload.township_id)
    report = Report(
        channel="department", category=_category(payload.category), description=payload.description, address=payload.address,
        lng=payload.lng, lat=payload.lat, external_id=payload.external_id.strip(),
    )
    try:
        event = transfer.transfer_to_township(request.auth, township, report)
    except IntegrityError:
        # The same document number sent twice at once: the database's unique index stopped one.
        raise Conflict("event.duplicate_external_id", f"编号 {report.external_id} 已经导入过", field="external_id") from None
    return Status(201, queries.get_event_for(request.auth, event.case_id))


@router.get("/events/{case_id}", response={200: EventDetailOut, **ERRORS}, summary="事件详情(含办理过程与照片)")
def get_event(request, case_id: RecordId):
    return queries.get_event_for(request.auth, case_id)


@router.get("/events/{case_id}/attachments/{attachment_id}", response={200: None, **ERRORS}, url_name="event_attachment",
            summary="下载事件照片或附件")
def event_attachment(request, case_id: RecordId, attachment_id: RecordId):
    """只有能查看该事件的用户可以下载。"""
    event = queries.get_event_for(request.auth, case_id)
    attachment = Attachment.objects.filter(pk=attachment_id, case_id=event.case_id).select_related("blob").first()
    if attachment is None:
        raise NotFound("attachment.not_found", "附件不存在")
    return attachment_response(attachment)


for name, summary in (
    ("register", "受理立案"), ("reject", "不予受理(须说明理由，上报人可见)"), ("acknowledge", "签收"), ("return", "退回指挥中心(非本单位职责)"),
    ("start", "开始处置"), ("pause", "中止(等待第三方)"), ("resume", "恢复处置"), ("close", "结案"),
):
    step_alias(router, EVENTS, name, summary, EventOut)


@router.post("/events/{case_id}/merge", response=EVENT, summary="合并重复件")
def merge(request, case_id: RecordId, payload: MergeIn):
    def into():
        if payload.into is not None:  # the number as printed, found in the user's reach (workflow.case_input)
            return resolve(request.auth, EVENTS, "merge", {"into": payload.into})
        if payload.into_id is None:
            raise Rejected("event.into_required", "「合并重复件」须填写合并至的事件编号", field="into")
        try:
            queries.get_event_for(request.auth, payload.into_id)
        except NotFound:
            raise Rejected("event.merge_target_unknown", "要合并到的事件不存在或不在您的辖区内", field="into_id") from None
        return {"into": payload.into_id}

    return take_step(request, EVENTS, case_id, "merge", into)


@router.post("/events/{case_id}/dispatch", response=EVENT, summary="派遣")
def dispatch(request, case_id: RecordId, payload: DispatchIn):
    """不指定单位时按属地管理事项清单派遣；指定清单以外的单位须填写理由。"""
    unit = lambda: _unit(request.auth, payload.unit_id) if payload.unit_id is not None else None  # noqa: E731
    return take_step(request, EVENTS, case_id, "dispatch", lambda: {"unit": unit(), "reason": payload.reason})


@router.post("/events/{case_id}/reassign", response=EVENT, summary="改派")
def reassign(request, case_id: RecordId, payload: ReassignIn):
    return take_step(request, EVENTS, case_id, "reassign", lambda: {"unit": _unit(request.auth, payload.unit_id), "reason": payload.reason})


@router.post("/events/{case_id}/report_back", response=EVENT, summary="反馈处置结果(可附照片)")
def report_back(request, case_id: RecordId, payload: Form[ReportBackIn], photos: File[list[UploadedFile]] = None):
    """multipart/form-data：result 为处置结果，照片以 photos 多次上传。"""
    return take_step(request, EVENTS, case_id, "report_back", lambda: {"result": payload.result, "photos": _photos(photos)})


@router.post("/events/{case_id}/verify", response=EVENT, summary="现场核查(通过或不通过)")
def verify(request, case_id: RecordId, payload: VerifyIn):
    return take_step(request, EVENTS, case_id, "verify", payload.dict)


@router.post("/events/{case_id}/rate", response=EVENT, summary="上报人评价(办结后一次)")
def rate(request, case_id: RecordId, payload: RateIn):
    return take_step(request, EVENTS, case_id, "rate", payload.dict)


# The events' own paths, kept for the clients that use them: the kernel's (/api/cases/…) behind them.
@router.post("/events/{case_id}/extensions", response={201: ExtensionOut, **ERRORS}, summary="申请延期")
def request_extension(request, case_id: RecordId, payload: ExtensionIn):
    queries.get_event_for(request.auth, case_id)
    return kernel_api.request_extension(request, case_id, payload)


@router.post("/events/{case_id}/extensions/{extension_id}/decide", response={200: ExtensionOut, **ERRORS}, summary="审批延期(乡镇领导)")
def decide_extension(request, case_id: RecordId, extension_id: RecordId, payload: ExtensionDecisionIn):
    queries.get_event_for(request.auth, case_id)
    return kernel_api.decide_extension(request, case_id, extension_id, payload)
