"""The window over the API: the list (scoped), one application with its materials and notices,
filing, the one-time notice and the supplement. Other steps go through the kit's step endpoint
(POST /api/applications/{id}/{step}); the export through GET /api/applications/export."""

import uuid
from dataclasses import replace
from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from zhenjie.api.kit import list_alias, take_step
from zhenjie.api.schemas import AreaBrief, ERRORS, MAX_ID, PageOut, RecordId, TimelineOut, UnitBrief
from zhenjie.kernel import journal

from . import queries
from .clock import statutory_due
from .actions.intake import COPIES_MAX, PROBLEM_MAX, Filing, MaterialIn, file_application
from .forms import ID_MAX, NAME_MAX, PHONE_MAX
from .kit import APPLICATIONS
from .models import Channel, MaterialStatus
from .workflow import APPLICATION_WORKFLOW

router = Router(tags=["便民服务一窗口"])


class ApplicantOut(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str  # never the full number (kernel/PARTIES.md)
    phone_masked: str


class MaterialOut(Schema):
    id: int
    guide_material_id: int
    name: str
    status: str
    form: str
    copies: int
    problem: str
    due_on: date | None


class NoticeItemOut(Schema):
    material_id: int
    problem: str


class NoticeOut(Schema):
    round: int
    document_id: int
    number: str = Field(alias="document.number")
    issued_at: datetime
    supplied_at: datetime | None
    items: list[NoticeItemOut]

    @staticmethod
    def resolve_items(notice):
        return list(notice.items.all())


class DeciderOut(Schema):
    unit: UnitBrief
    lead: bool = Field(description="牵头单位(联合办理)；单一审批单位时即该单位")
    opinion: str = Field(description="联合办理中该单位的意见：approved 同意 / refused 不同意；空为尚未提出")


class HandoverBrief(Schema):
    method: str
    handed_over_at: datetime


class ApplicationOut(Schema):
    """One shape for every part's reading of an application (issue 15): intake, the clocks, the
    deciding units, the decision, the hand-over and the applicant's rating."""

    id: int = Field(alias="case_id", description="办件ID")
    number: str = Field(alias="case.number")
    state: str = Field(alias="case.state")
    state_label: str
    channel: str = Field(alias="case.channel")
    area: AreaBrief = Field(alias="case.area")
    item_code: str
    item_name: str
    applicant: ApplicantOut
    intake_unit: UnitBrief
    received_at: datetime
    notice_due_at: datetime
    deemed_accepted: bool
    accepted_at: datetime | None
    due_at: datetime | None = Field(alias="case.due_at", description="办理期限：承诺时限(含暂停、延期)")
    statutory_due_at: datetime | None = Field(description="法定时限届满时间(行政许可法第四十二条；无法定时限为空)")
    closed_at: datetime | None = Field(alias="case.closed_at")
    deciding_units: list[DeciderOut] = Field(description="审批单位(受理时确定，牵头单位在前)")
    decision: str = Field(description="approved 准予 / refused 不予；空为尚未决定")
    decided_at: datetime | None
    decided_late: bool
    handover: HandoverBrief | None
    rating: int | None = Field(alias="case.rating", description="申请人评价(1至5)")

    @staticmethod
    def resolve_state_label(application):
        return APPLICATION_WORKFLOW.state_label(application.case.state)

    @staticmethod
    def resolve_statutory_due_at(application):
        clock = queries.clock_of(application)
        return statutory_due(clock, application.case)[0] if clock is not None else None

    @staticmethod
    def resolve_deciding_units(application):
        opinions = {o.unit_id: o.decision for o in application.opinions.all()}
        return [{"unit": r.unit, "lead": r.lead, "opinion": opinions.get(r.unit_id, "")} for r in application.routes.all()]

    @staticmethod
    def resolve_handover(application):
        return queries.handover_of(application)


class ApplicationDetailOut(ApplicationOut):
    materials: list[MaterialOut]
    notices: list[NoticeOut]

    @staticmethod
    def resolve_materials(application):
        return list(application.materials.all())

    @staticmethod
    def resolve_notices(application):
        return list(application.notices.all())


class ApplicationPageOut(PageOut):
    items: list[ApplicationOut]


class MaterialStatusIn(Schema):
    material_id: int = Field(ge=1, le=MAX_ID, description="办事指南中的材料ID")
    status: MaterialStatus
    form: str = Field("", max_length=16, description="收取形式：original 原件、copy 复印件、both 原件和复印件")
    copies: int = Field(0, ge=0, le=COPIES_MAX)
    problem: str = Field("", max_length=PROBLEM_MAX)
    due_on: date | None = None


class FilingIn(Schema):
    item_id: int = Field(ge=1, le=MAX_ID, description="现行办事指南中的事项ID")
    channel: Channel = Channel.WINDOW
    applicant_kind: str = Field(max_length=16, description="person 个人、organisation 单位")
    applicant_name: str = Field(min_length=1, max_length=NAME_MAX)
    id_number: str = Field(min_length=1, max_length=ID_MAX, description="公民身份号码或统一社会信用代码")
    phone: str = Field(min_length=1, max_length=PHONE_MAX)
    agent_name: str = Field("", max_length=NAME_MAX)
    agent_phone: str = Field("", max_length=PHONE_MAX)
    materials: list[MaterialStatusIn] = Field(default_factory=list, max_length=200)
    client_key: uuid.UUID | None = None
    delivery_point: int | None = Field(None, ge=1, le=MAX_ID, description="在村级代办点领取结果的，代办点所在单位ID；不填在受理窗口领取")
    point: int | None = Field(None, ge=1, le=MAX_ID, description="代办点受理(channel=agent_point)：受理代办点ID(GET /api/agent-points/mine)；只在一个代办点任代办员的可不填")


class FiledOut(Schema):
    application: ApplicationDetailOut
    tracking_code: str | None = Field(description="申请人查询码，仅此一次返回；同一表单重复提交时为空")


class ProblemIn(Schema):
    material_id: int = Field(ge=1, le=MAX_ID, description="办件材料ID(materials[].id)")
    problem: str = Field(min_length=1, max_length=PROBLEM_MAX, description="存在的问题")


class NoticeIn(Schema):
    problems: list[ProblemIn] = Field(min_length=1, max_length=200)


class SuppliedIn(Schema):
    material_id: int = Field(ge=1, le=MAX_ID, description="办件材料ID(materials[].id)")
    form: str = Field(max_length=16)
    copies: int = Field(ge=1, le=COPIES_MAX)


class SupplementIn(Schema):
    materials: list[SuppliedIn] = Field(min_length=1, max_length=200)


# The API's list reads what its shape shows in a fixed number of queries (queries.with_outcome).
list_alias(router, replace(APPLICATIONS, rows=lambda user: queries.with_outcome(queries.applications_for(user))), "办件列表(辖区内)",
           ApplicationPageOut)


@router.post("/applications", response={201: FiledOut, **ERRORS}, summary="收件登记")
def create_application(request, payload: FilingIn):
    materials = {m.material_id: MaterialIn(status=m.status, form=m.form, copies=m.copies, problem=m.problem, due_on=m.due_on)
                 for m in payload.materials}  # fmt: skip
    filing = Filing(
        item_id=payload.item_id, channel=payload.channel, applicant_kind=payload.applicant_kind, applicant_name=payload.applicant_name,
        id_number=payload.id_number, phone=payload.phone, agent_name=payload.agent_name, agent_phone=payload.agent_phone,
        materials=materials, client_key=payload.client_key, delivery_point=payload.delivery_point, point=payload.point,
    )  # fmt: skip
    filed = file_application(request.auth, filing)
    return Status(201, {"application": queries.get_application_for(request.auth, filed.application.case_id), "tracking_code": filed.code})


@router.get("/applications/{case_id}", response={200: ApplicationDetailOut, **ERRORS}, summary="一件办件(含材料、一次性告知)")
def get_application(request, case_id: RecordId):
    return queries.get_application_for(request.auth, case_id)


@router.get("/applications/{case_id}/journal", response={200: list[TimelineOut], **ERRORS}, summary="办理过程")
def application_journal(request, case_id: RecordId):
    return list(journal.entries_for_case(queries.get_application_for(request.auth, case_id).case))


@router.post("/applications/{case_id}/notify", response={200: ApplicationDetailOut, **ERRORS}, summary="一次性告知(出具告知书)")
def notify(request, case_id: RecordId, payload: NoticeIn):
    return take_step(request, APPLICATIONS, case_id, "notify", lambda: {f"p{p.material_id}": p.problem for p in payload.problems})


@router.post("/applications/{case_id}/supplement", response={200: ApplicationDetailOut, **ERRORS}, summary="登记补正材料")
def supplement(request, case_id: RecordId, payload: SupplementIn):
    return take_step(request, APPLICATIONS, case_id, "supplement", lambda: {
        key: value for m in payload.materials for key, value in ((f"s{m.material_id}", True), (f"s{m.material_id}_form", m.form),
                                                                 (f"s{m.material_id}_copies", m.copies))
    })  # fmt: skip

