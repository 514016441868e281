"""The grid worker's phone over the API: my grids, the registers (masked), who is due for a
visit, recording a visit with a photo, and a patrol from start through positions to stop.
Every endpoint reads through queries.py and changes through actions/, like the pages."""

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from zhenjie.accounts.models import Coverage
from zhenjie.api.schemas import ERRORS, MAX_ID, PageOut, PageQuery, RecordId, UnitBrief, page_of
from zhenjie.kernel import submits
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.models import Attachment
from zhenjie.kernel.serving import attachment_response

from . import actions, queries
from .actions.ledger import FINDINGS_MAX
from .workflow import NEED_MAX
from .actions.patrols import DESCRIPTION_MAX, FINDINGS_PER_STOP, POINTS_PER_PATROL, POSITIONS_PER_CALL, SUMMARY_MAX
from .actions import visitwork
from .models import Patrol, Referral, Resident, Visit
from .populations import Kind
from .uploads import read_photo

router = Router(tags=["网格"])

Lng = Field(None, ge=-180, le=180, description="经度(WGS-84)")
Lat = Field(None, ge=-90, le=90, description="纬度(WGS-84)")


def _grid_in_reach(user, grid_id: int | None):
    if grid_id is None:
        return None
    return queries.get_grid_for(user, grid_id)


# ---- my grids -----------------------------------------------------------------------------------


class GridCountsOut(Schema):
    residents: int
    buildings: int
    organisations: int
    key_persons: int
    overdue: int
    due_soon: int


class GridOut(Schema):
    id: int
    code: str
    name: str
    village: str
    role: Literal["lead", "helper", ""] = Field(description="lead 责任网格员，helper 协助网格员，空为按岗位辖区")
    counts: GridCountsOut
    boundary: dict | None


@router.get("/grid/my-grids", response={200: list[GridOut], **ERRORS}, summary="我负责的网格(含台账统计)")
def my_grids(request):
    grids = list(queries.my_grids_for(request.auth))
    counts = queries.counts_by_grid(request.auth, grids)
    stints: dict[int, Coverage] = {c.grid_id: c for c in queries.current_coverages_for(request.auth, grids=[g.pk for g in grids]).filter(worker=request.auth)}
    return [
        {
            "id": g.pk, "code": g.code, "name": g.name, "village": g.parent.name if g.parent_id else "",
            "role": ("lead" if stints[g.pk].is_lead else "helper") if g.pk in stints else "",
            "counts": vars(counts.get(g.pk, queries.GridCounts())), "boundary": g.boundary,
        }
        for g in grids
    ]


# ---- registers ----------------------------------------------------------------------------------


class RegisterFilter(PageQuery):
    grid_id: int | None = Field(None, ge=1, le=MAX_ID, description="只看该网格")
    q: str | None = Field(None, max_length=50, description="姓名/名称、地址，或完整的身份证号、手机号、统一社会信用代码")


class ResidentOut(Schema):
    id: int
    grid_id: int
    name: str
    sex: str
    birth_date: date | None = Field(description="出生日期；无权查看完整证件号码者为 null(出生日期即脱敏号码隐去的部分)")
    id_number_masked: str = Field(description="脱敏身份证号，完整号码不经接口提供")
    phone_masked: str
    residence_kind: str
    address: str = Field(alias="address_text")
    status: str

    @staticmethod
    def resolve_birth_date(resident, context):
        return queries.birth_date_seen_by(context["request"].auth, resident)


class ResidentPageOut(PageOut):
    items: list[ResidentOut]


@router.get("/grid/residents", response={200: ResidentPageOut, **ERRORS}, summary="实有人口(脱敏)")
def list_residents(request, filters: Query[RegisterFilter]):
    rows = queries.search_residents(queries.residents_for(request.auth), queries.Search.parse(filters.q or ""))
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    return page_of(rows.filter(status=Resident.Status.PRESENT), filters)


class BuildingOut(Schema):
    id: int
    grid_id: int
    address: str
    kind: str
    use: str
    floors: int
    safety: str
    owner_name: str
    owner_phone_masked: str
    lng: float | None
    lat: float | None


class BuildingPageOut(PageOut):
    items: list[BuildingOut]


@router.get("/grid/buildings", response={200: BuildingPageOut, **ERRORS}, summary="房屋")
def list_buildings(request, filters: Query[RegisterFilter]):
    rows = queries.search_buildings(queries.buildings_for(request.auth), queries.Search.parse(filters.q or ""))
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    return page_of(rows, filters)


class OrganisationOut(Schema):
    id: int
    grid_id: int
    name: str
    kind: str
    credit_code: str
    address: str = Field(alias="address_text")
    contact_name: str
    contact_phone_masked: str
    employees: int | None
    is_key_site: bool
    status: str


class OrganisationPageOut(PageOut):
    items: list[OrganisationOut]


@router.get("/grid/organisations", response={200: OrganisationPageOut, **ERRORS}, summary="单位组织(联系电话脱敏)")
def list_organisations(request, filters: Query[RegisterFilter]):
    rows = queries.search_organisations(queries.organisations_for(request.auth), queries.Search.parse(filters.q or ""))
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    return page_of(rows, filters)


# ---- ledgers and visits -------------------------------------------------------------------------


class PersonBrief(Schema):
    id: int
    name: str
    sex: str
    birth_date: date | None = Field(description="出生日期；无权查看完整证件号码者为 null")
    id_number_masked: str
    address: str = Field(alias="address_text")

    @staticmethod
    def resolve_birth_date(resident, context):
        return queries.birth_date_seen_by(context["request"].auth, resident)


class KeyPersonOut(Schema):
    id: int
    grid_id: int
    resident: PersonBrief
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    since: date
    last_visited_at: datetime | None
    next_visit_on: date
    overdue: bool
    days_overdue: int
    active: bool = Field(alias="is_active")
    contact_name: str
    contact_relation: str
    contact_phone_masked: str
    particulars: dict

    @staticmethod
    def resolve_overdue(person):
        return person.is_active and person.next_visit_on < timezone.localdate()

    @staticmethod
    def resolve_days_overdue(person):
        return person.days_overdue(timezone.localdate()) if person.is_active else 0


class KeyPersonPageOut(PageOut):
    items: list[KeyPersonOut]


class KeyPersonFilter(PageQuery):
    due: Literal["all", "overdue", "soon", "due", "ended"] = Field("due", description="due 待走访(超期及7日内到期)，overdue 已超期，soon 7日内到期，all 全部在册，ended 已退出")
    kind: Literal[tuple(Kind.values)] | None = None  # type: ignore[valid-type]
    grid_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/grid/key-persons", response={200: KeyPersonPageOut, **ERRORS}, summary="重点人群：谁该走访了(按应走访日期)")
def list_key_persons(request, filters: Query[KeyPersonFilter]):
    rows = queries.filter_due(queries.key_persons_for(request.auth), filters.due)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    return page_of(rows, filters)


@router.get("/grid/key-persons/{key_person_id}", response={200: KeyPersonOut, **ERRORS}, summary="一名重点人群对象")
def get_key_person(request, key_person_id: RecordId):
    return queries.get_key_person_for(request.auth, key_person_id)


class PhotoOut(Schema):
    id: int
    url: str

    @staticmethod
    def resolve_url(photo: Attachment):
        return f"/api/grid/photos/{photo.pk}"


class VisitOut(Schema):
    id: int
    key_person_id: int
    grid_id: int
    visited_at: datetime
    situation: str
    findings: str
    visitor: str
    lng: float | None
    lat: float | None
    photos: list[PhotoOut]
    referral_id: int | None = Field(None, description="需要帮扶时转介事项的ID(/api/referrals/{id})")

    @staticmethod
    def resolve_visitor(visit: Visit):
        return visit.visitor.display_name

    @staticmethod
    def resolve_referral_id(visit: Visit):
        try:
            return visit.referral.case_id
        except Referral.DoesNotExist:
            return None

    @staticmethod
    def resolve_photos(visit: Visit):
        return list(visit.photos.all())


class VisitPageOut(PageOut):
    items: list[VisitOut]


class VisitFilter(PageQuery):
    grid_id: int | None = Field(None, ge=1, le=MAX_ID)
    key_person_id: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="只看我走访的")


@router.get("/grid/visits", response={200: VisitPageOut, **ERRORS}, summary="走访记录")
def list_visits(request, filters: Query[VisitFilter]):
    rows = queries.visits_for(request.auth)
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    if filters.key_person_id:
        rows = rows.filter(key_person_id=filters.key_person_id)
    if filters.mine:
        rows = rows.filter(visitor=request.auth)
    return page_of(rows, filters)


class VisitIn(Schema):
    situation: Literal[tuple(Visit.Situation.values)] = Field(description="normal 情况正常，attention 需持续关注，help 需要帮扶")  # type: ignore[valid-type]
    findings: str = Field(min_length=1, max_length=FINDINGS_MAX, description="走访情况")
    visited_at: datetime | None = Field(None, description="走访时间，不填为现在")
    lng: float | None = Lng
    lat: float | None = Lat
    need: str | None = Field(None, description="需要帮扶时必填：帮扶需求类别(" + "、".join(f"{v} {label}" for v, label in Referral.Need.choices) + ")")
    need_description: str | None = Field(None, description=f"需要帮扶时必填：需求说明(不超过{NEED_MAX}字)")
    need_unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="需要帮扶时必填：转介的承办单位(本乡镇(街道)的单位)")
    client_key: str = Field("", max_length=64, description="手机为这份填报生成的标识(UUID)：同一标识再次提交，答复已记录的走访；内容不同则拒绝(409)")


@router.post("/grid/key-persons/{key_person_id}/visits", response={201: VisitOut, **ERRORS}, summary="记录走访(可附照片，multipart/form-data)")
def record_visit(request, key_person_id: RecordId, payload: Form[VisitIn], photo: UploadedFile = File(None, description="现场照片(JPG、PNG、WebP、GIF，不超过10 MB)")):
    person = queries.get_key_person_for(request.auth, key_person_id)
    visit = actions.record_visit(
        request.auth, person, situation=payload.situation, findings=payload.findings, visited_at=payload.visited_at,
        lng=payload.lng, lat=payload.lat, photo=read_photo(photo),
        need=payload.need, need_description=payload.need_description, need_unit=_referral_unit(person, payload.need_unit_id),
        client_key=submits.parse_key(payload.client_key),
    )
    return Status(201, queries.get_visit_for(request.auth, visit.pk))


def _referral_unit(person, unit_id):
    """The unit named, if it is one a need in the person's grid may be referred to (the action
    refuses anything else with the field named)."""
    if unit_id is None:
        return None
    return visitwork.referral_units(person.grid).filter(pk=unit_id).first() or False


class ReferralOut(Schema):
    id: int = Field(alias="case_id", description="事项ID")
    number: str = Field(alias="case.number")
    title: str = Field(alias="case.title")
    state: str = Field(alias="case.state")
    state_label: str = Field(alias="case.state_label")
    need: str
    need_label: str
    description: str
    result: str
    unit: UnitBrief
    visit_id: int
    opened_at: datetime = Field(alias="case.opened_at")
    closed_at: datetime | None = Field(alias="case.closed_at")

    @staticmethod
    def resolve_need_label(referral):
        return referral.get_need_display()


@router.get("/referrals/{case_id}", response={200: ReferralOut, **ERRORS}, summary="一件走访转介")
def get_referral(request, case_id: RecordId):
    return queries.get_referral_for(request.auth, case_id)


@router.get(
    "/grid/photos/{photo_id}", response={**ERRORS}, summary="走访或巡查照片",
    openapi_extra={"responses": {200: {"description": "图片文件", "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "image/gif": {}}}}},
)
def photo(request, photo_id: RecordId):
    attachment = queries.get_photo_for(request.auth, photo_id)
    return attachment_response(attachment)


# ---- patrols ------------------------------------------------------------------------------------


class FindingOut(Schema):
    id: int
    description: str
    needs_handling: bool
    lng: float | None
    lat: float | None
    case_id: int | None = Field(description="已上报为事件时的事项ID")
    created_at: datetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(finding):
        return list(finding.photos.all())


class PatrolBrief(Schema):
    id: int
    grid_id: int
    worker: str
    started_at: datetime
    ended_at: datetime | None
    point_count: int
    distance_m: int
    summary: str

    @staticmethod
    def resolve_worker(patrol: Patrol):
        return patrol.worker.display_name


class PatrolOut(PatrolBrief):
    track: dict | None = Field(description="GeoJSON LineString，结束后生成")


class PatrolDetailOut(PatrolOut):
    findings: list[FindingOut]

    @staticmethod
    def resolve_findings(patrol: Patrol):
        return list(queries.findings_of(patrol))


class PatrolListItem(PatrolBrief):
    """A list row leaves the track out: fetch one patrol for its line."""

    finding_count: int


class PatrolPageOut(PageOut):
    items: list[PatrolListItem]


class PatrolFilter(PageQuery):
    grid_id: int | None = Field(None, ge=1, le=MAX_ID)
    mine: bool = Field(False, description="只看我的巡查")


@router.get("/grid/patrols", response={200: PatrolPageOut, **ERRORS}, summary="巡查记录")
def list_patrols(request, filters: Query[PatrolFilter]):
    rows = queries.patrols_for(request.auth)
    if grid := _grid_in_reach(request.auth, filters.grid_id):
        rows = rows.filter(grid=grid)
    if filters.mine:
        rows = rows.filter(worker=request.auth)
    return page_of(rows.defer("track"), filters)


class PositionIn(Schema):
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: datetime | None = Field(None, description="定位时间，不填为收到时间")
    accuracy: float | None = Field(None, ge=0, le=100_000, description="定位精度(米)")


class PositionsIn(Schema):
    positions: list[PositionIn] = Field(min_length=1, max_length=POSITIONS_PER_CALL)


class FindingIn(Schema):
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    needs_handling: bool = Field(False, description="需要处置：指挥中心将据此上报事件")
    lng: float | None = Lng
    lat: float | None = Lat


class UploadIn(Schema):
    grid_id: int = Field(ge=1, le=MAX_ID)
    started_at: datetime
    ended_at: datetime
    summary: str = Field("", max_length=SUMMARY_MAX)
    positions: list[PositionIn] = Field(min_length=1, max_length=POINTS_PER_PATROL)
    findings: list[FindingIn] = Field(default_factory=list, max_length=FINDINGS_PER_STOP)


@router.post("/grid/patrols/upload", response={201: PatrolDetailOut, **ERRORS}, summary="上传离线巡查(无信号时在手机上记录的整次巡查)")
def upload_patrol(request, payload: UploadIn):
    try:
        grid = queries.get_grid_for(request.auth, payload.grid_id)
    except NotFound as error:
        raise NotFound(error.code, error.message, field="grid_id") from None
    patrol = actions.upload_patrol(
        request.auth, grid, started_at=payload.started_at, ended_at=payload.ended_at, summary=payload.summary,
        positions=[p.dict() for p in payload.positions], findings=[f.dict() for f in payload.findings],
    )
    return Status(201, queries.get_patrol_for(request.auth, patrol.pk))


@router.get("/grid/patrols/{patrol_id}", response={200: PatrolDetailOut, **ERRORS}, summary="一次巡查(含轨迹和发现)")
def get_patrol(request, patrol_id: RecordId):
    return queries.get_patrol_for(request.auth, patrol_id)


class PatrolStartIn(Schema):
    grid_id: int = Field(ge=1, le=MAX_ID)
    lng: float | None = Lng
    lat: float | None = Lat


@router.post("/grid/patrols", response={201: PatrolDetailOut, **ERRORS}, summary="开始巡查")
def start_patrol(request, payload: PatrolStartIn):
    try:
        grid = queries.get_grid_for(request.auth, payload.grid_id)
    except NotFound as error:
        raise NotFound(error.code, error.message, field="grid_id") from None
    patrol = actions.start_patrol(request.auth, grid, lng=payload.lng, lat=payload.lat)
    return Status(201, queries.get_patrol_for(request.auth, patrol.pk))


@router.post("/grid/patrols/{patrol_id}/positions", response={200: PatrolOut, **ERRORS}, summary="上传轨迹点(一次最多500个)")
def add_positions(request, patrol_id: RecordId, payload: PositionsIn):
    patrol = queries.get_patrol_for(request.auth, patrol_id)
    actions.add_positions(request.auth, patrol, [p.dict() for p in payload.positions])
    return queries.get_patrol_for(request.auth, patrol_id)


@router.post("/grid/patrols/{patrol_id}/findings", response={201: FindingOut, **ERRORS}, summary="记录巡查发现(可附照片，multipart/form-data)")
def add_finding(request, patrol_id: RecordId, payload: Form[FindingIn], photo: UploadedFile = File(None, description="现场照片(JPG、PNG、WebP、GIF，不超过10 MB)")):
    patrol = queries.get_patrol_for(request.auth, patrol_id)
    finding = actions.add_finding(
        request.auth, patrol, description=payload.description, needs_handling=payload.needs_handling,
        lng=payload.lng, lat=payload.lat, photo=read_photo(photo),
    )
    return Status(201, queries.findings_of(patrol).get(pk=finding.pk))


class StopIn(Schema):
    summary: str = Field("", max_length=SUMMARY_MAX)
    findings: list[FindingIn] = Field(default_factory=list, max_length=FINDINGS_PER_STOP)


@router.post("/grid/patrols/{patrol_id}/stop", response={200: PatrolDetailOut, **ERRORS}, summary="结束巡查(可同时提交发现)")
def stop_patrol(request, patrol_id: RecordId, payload: StopIn):
    patrol = queries.get_patrol_for(request.auth, patrol_id)
    actions.stop_patrol(request.auth, patrol, summary=payload.summary, findings=[f.dict() for f in payload.findings])
    return queries.get_patrol_for(request.auth, patrol_id)
