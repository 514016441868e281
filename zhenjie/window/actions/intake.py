"""Filing an application (收件): at a township's window, at a village agent point, on a home
visit, or online. The item comes from the township's guide in force that day, the applicant is
found or registered once (kernel.parties), each material of the guide is marked as brought, and
the case opens with the front desk's `check`, the 5-working-day clock of the one-time notice
(行政许可法 Art. 32(4)) and a tracking code for the applicant."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of, township_of
from zhenjie.kernel import attachments, parties, submits, tracking, workflow
from zhenjie.kernel.actors import CitizenActor
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import CaseParty, Party
from zhenjie.kernel.scoping import reach_of
from zhenjie.lists.models import ListKind, MaterialForm, MaterialRequirement, ServiceItem, ServiceMaterial
from zhenjie.lists.queries import public_versions_of
from zhenjie.lists.search import clean_query, search_q
from zhenjie.units.models import Unit

from ..models import AgentPoint, Application, ApplicationMaterial, Channel, MaterialScan, MaterialStatus
from ..intake_receipt import issue_intake_receipt
from ..points import agent_unit_ids, items_for_point, points_of
from ..workflow import KIND

# 行政许可法 Art. 32(4): the one-time notice on the spot or within five working days of receipt.
NOTICE_LIMIT = Limit(5)
PROBLEM_MAX = 300  # ApplicationMaterial.problem
COPIES_MAX = 99
# A deferred paper (容缺) is brought later, not never: no document we hold fixes how long; the
# promise to bring it is one the clerk dates, within a quarter of a year.
DEFER_MAX_DAYS = 90
SCANS_MAX = 20
MISSING_PROBLEM = "未提交"

# Who files on each channel (seed 001 §四(一)2–3): the window clerk at the window and at the
# visitor's home (上门服务), the village agent at their point; online, the citizen themselves.
FILERS = {Channel.WINDOW: R.WINDOW_CLERK, Channel.HOME_VISIT: R.WINDOW_CLERK, Channel.AGENT_POINT: R.VILLAGE_AGENT}


@dataclass(kw_only=True)
class MaterialIn:
    """How one material of the guide was brought."""

    status: str = MaterialStatus.MISSING
    form: str = ""  # lists.MaterialForm, for a received paper
    copies: int = 0
    problem: str = ""  # what is wrong (defective), or why it is missing
    due_on: date | None = None  # a deferred paper's date


@dataclass(kw_only=True)
class Scan:
    material_id: int  # the guide's ServiceMaterial
    name: str
    content: bytes


@dataclass(kw_only=True)
class Filing:
    item_id: int  # a ServiceItem of the township's guide in force
    applicant_kind: str  # kernel Party.Kind: person (citizen ID) or organisation (credit code)
    applicant_name: str
    id_number: str
    phone: str
    materials: dict[int, MaterialIn] = field(default_factory=dict)  # guide ServiceMaterial id → as brought
    channel: str = Channel.WINDOW
    township: Area | None = None  # online only: the township applied to
    agent_name: str = ""  # someone who came for the applicant (代理人), named on the case acting for them
    agent_phone: str = ""
    scans: list[Scan] = field(default_factory=list)
    client_key: uuid.UUID | None = None
    # The unit of the township's agent point where the applicant will collect the result
    # (统一窗口出件 at the point); None: where it is filed.
    delivery_point: int | None = None
    # Agent point channel: the AgentPoint filed at, one of the agent's (points.points_of); may be
    # left out by an agent who serves one point.
    point: int | None = None


@dataclass(frozen=True)
class Desk:
    """Where an application is taken in: the unit that takes it (the window's centre, or the
    agent's village committee), the case's area, and the township's centre that numbers it."""

    unit: Unit
    area: Area
    township: Area
    centre: Unit
    point: AgentPoint | None = None  # an agent's: the point they file at (points.points_of)


@dataclass(frozen=True)
class Filed:
    application: Application
    code: str | None  # the tracking code, shown once; None when the same form came again


def service_centre_for(township: Area) -> Unit | None:
    """The township's service centre (便民服务中心): the unit where its window clerks sit."""
    return (
        Unit.objects.filter(area=township, posts__is_active=True, posts__roles__code=R.WINDOW_CLERK)
        .select_related("area").order_by("pk").first()
    )  # fmt: skip


def desk_of(actor, channel: str, township: Area | None = None, point=None) -> Desk:
    """Where `actor` takes an application in on `channel`; refused when they may not file there.
    `point`: an agent's choice among their points (an AgentPoint id)."""
    if channel not in Channel.values:
        raise Rejected("application.channel_invalid", "受理渠道不正确", field="channel")
    if channel == Channel.ONLINE:
        if township is None or township.level not in (Area.Level.TOWNSHIP,):
            raise Rejected("application.township_required", "请选择申请办理的乡镇(街道)", field="township")
        centre = service_centre_for(township)
        if centre is None:
            raise Rejected("application.no_centre", f"{township.name}尚未设置便民服务中心窗口", field="township")
        return Desk(unit=centre, area=township, township=township, centre=centre)
    if channel == Channel.AGENT_POINT:
        return _agent_desk(actor, point)
    role = FILERS[channel]
    post = next((p for p in reach_of(actor).posts if role in p.roles and p.path and p.for_user_id is None), None)
    if post is None:
        raise Forbidden("application.clerk_only", "只有窗口受理人员可以受理申请")
    unit = Unit.objects.select_related("area").get(pk=post.unit_id)
    township = township_of(unit.area)
    return Desk(unit=unit, area=township, township=township, centre=unit)


def _agent_desk(actor, point_id) -> Desk:
    """An agent files at one of their points (points_of): the one they chose, or their only one.
    An agent posted in two units (two village points) chooses; the first post no longer decides."""
    unit_ids = agent_unit_ids(actor)
    if not unit_ids:
        raise Forbidden("application.agent_only", "只有村代办员可以在代办点受理申请")
    points = list(points_of(actor))
    if point_id in (None, ""):
        if not points:
            unit = Unit.objects.get(pk=unit_ids[0])
            raise Forbidden("application.no_agent_point", f"{unit.name}尚未设立代办点或代办点已停用，不能在代办点受理申请")
        if len(points) > 1:
            names = "、".join(p.name for p in points)
            raise Rejected("application.point_required", f"您在{names}任代办员，请选择在哪个代办点受理", field="point")
        point = points[0]
    else:
        point = next((p for p in points if p.pk == point_id and not isinstance(point_id, bool)), None)
        if point is None:
            raise Rejected("application.point_invalid", "受理代办点须为您任代办员的在用代办点", field="point")
    unit = point.unit
    township = point.township
    centre = service_centre_for(township)
    if centre is None:
        raise Rejected("application.no_centre", f"{township.name}尚未设置便民服务中心窗口", field="channel")
    return Desk(unit=unit, area=unit.area, township=township, centre=centre, point=point)


def guide_items(township: Area, on: date, *, channel: str = Channel.WINDOW, search: str = "", point: AgentPoint | None = None) -> QuerySet[ServiceItem]:
    """The items of the township's guide in force on `on` that `channel` may take: at a village
    agent `point` what the point takes (`points.items_for_point`: the guide's agent-point items,
    简单事项不出村, as the township adjusted them for the point), online only those the guide
    marks online. Searched by name, code or pinyin initials (lists.search)."""
    if channel == Channel.AGENT_POINT:
        rows = ServiceItem.objects.filter(pk__in=items_for_point(point, on).values("pk"))
    else:
        versions = public_versions_of(township, on, kind=ListKind.SERVICE)
        rows = ServiceItem.objects.filter(version__in=[v.pk for v in versions])
    if channel == Channel.ONLINE:
        rows = rows.filter(online=True)
    if search := clean_query(search):
        rows = rows.filter(search_q(search))
    return rows.order_by("position", "code")


def _item(filing: Filing, desk: Desk, on: date) -> ServiceItem:
    item = guide_items(desk.township, on, channel=filing.channel, point=desk.point).filter(pk=filing.item_id).first()
    if item is not None:
        return item
    if filing.channel == Channel.AGENT_POINT and guide_items(desk.township, on).filter(pk=filing.item_id).exists():
        raise Rejected("application.not_agent_item", "该事项不在村级代办点可办范围内，请到乡镇便民服务中心办理", field="item")
    if filing.channel == Channel.ONLINE and guide_items(desk.township, on).filter(pk=filing.item_id).exists():
        raise Rejected("application.not_online_item", "该事项不能网上申请，请到便民服务中心办理", field="item")
    raise Rejected("application.item_not_in_guide", f"该事项不在{desk.township.name}现行办事指南中，请重新选择", field="item")


def _material_rows(item: ServiceItem, given: dict[int, MaterialIn], received_on: date) -> list[ApplicationMaterial]:
    """One row per material of the guide, as brought; every rule checked before anything is written."""
    guide = list(ServiceMaterial.objects.filter(item=item).order_by("position", "pk"))
    unknown = set(given) - {m.pk for m in guide}
    if unknown:
        raise Rejected("application.material_unknown", "所报材料不属于该事项的办事指南，请刷新页面后重新填写", field="materials")
    rows = []
    for material in guide:
        brought = given.get(material.pk) or MaterialIn()
        label = f"材料「{material.name}」"
        if brought.status not in MaterialStatus.values:
            raise Rejected("application.material_status_invalid", f"{label}的收取情况不正确", field="materials")
        problem = " ".join(str(brought.problem or "").split())
        if len(problem) > PROBLEM_MAX:
            raise Rejected("application.problem_too_long", f"{label}的问题说明不能超过{PROBLEM_MAX}字", field="materials")
        row = ApplicationMaterial(guide_material=material, position=material.position, name=material.name, status=brought.status)
        if brought.status == MaterialStatus.RECEIVED:
            if brought.form not in MaterialForm.values:
                raise Rejected("application.material_form_invalid", f"请选择{label}的收取形式(原件或复印件)", field="materials")
            if not isinstance(brought.copies, int) or not 1 <= brought.copies <= COPIES_MAX:
                raise Rejected("application.material_copies_invalid", f"{label}的份数应为1到{COPIES_MAX}", field="materials")
            row.form, row.copies = brought.form, brought.copies
        elif brought.status == MaterialStatus.DEFERRED:
            # 容缺受理: only a paper the guide itself marks deferrable may be brought later.
            if material.requirement != MaterialRequirement.DEFERRABLE:
                raise Rejected("application.not_deferrable", f"{label}按办事指南不可容缺后补，须当场提交", field="materials")
            if not isinstance(brought.due_on, date) or not received_on < brought.due_on <= received_on + timedelta(days=DEFER_MAX_DAYS):
                raise Rejected("application.due_on_invalid", f"请填写{label}的后补日期(收件次日起{DEFER_MAX_DAYS}日内)", field="materials")
            row.due_on = brought.due_on
        elif brought.status == MaterialStatus.DEFECTIVE:
            if not problem:
                raise Rejected("application.problem_required", f"请写明{label}存在的问题", field="materials")
            row.problem = problem
        else:
            row.problem = problem or MISSING_PROBLEM
        rows.append(row)
    return rows


def _applicant(actor, filing: Filing, county: Area) -> Party:
    kind = filing.applicant_kind
    if kind not in Party.Kind.values:
        raise Rejected("application.applicant_kind_invalid", "申请人类型须为个人或单位", field="applicant_kind")
    if not (filing.id_number or "").strip():
        label = "公民身份号码" if kind == Party.Kind.PERSON else "统一社会信用代码"
        raise Rejected("application.id_number_required", f"请填写申请人的{label}", field="id_number")
    if not (filing.phone or "").strip():
        raise Rejected("application.phone_required", "请填写申请人的联系电话", field="phone")
    return parties.register_party(actor, county, kind, filing.applicant_name, id_number=filing.id_number, phone=filing.phone)


def _content(filing: Filing, township: Area | None) -> dict:
    """What a form carries, for its key (kernel.submits): the same form again files once."""
    return {
        "item": filing.item_id, "kind": filing.applicant_kind, "name": filing.applicant_name, "id": filing.id_number,
        "phone": filing.phone, "channel": filing.channel, "township": township.pk if township else None,
        "agent": [filing.agent_name, filing.agent_phone],
        "materials": {str(k): [m.status, m.form, m.copies, m.problem, str(m.due_on or "")] for k, m in sorted(filing.materials.items())},
        "scans": sorted(hashlib.sha256(s.content).hexdigest() for s in filing.scans), "delivery_point": filing.delivery_point,
        "point": filing.point,
    }  # fmt: skip


@transaction.atomic
def file_application(actor, filing: Filing, *, at: datetime | None = None) -> Filed:
    """Take an application in. `actor` is the clerk or agent who files it, or the citizen's account
    online (the applicant is then the citizen themselves). Nothing is written when any rule refuses."""
    at = at or timezone.now()
    online = filing.channel == Channel.ONLINE
    if online and getattr(actor, "kind", None) != User.Kind.CITIZEN:
        raise Forbidden("application.online_citizen_only", "网上申请须以群众账号登录")
    earlier = submits.claim(actor, filing.client_key, _content(filing, filing.township))
    if earlier is not None:
        return Filed(earlier, None)
    desk = desk_of(actor, filing.channel, filing.township, filing.point)
    item = _item(filing, desk, timezone.localdate(at))
    materials = _material_rows(item, filing.materials, timezone.localdate(at))
    delivery_point = _delivery_point(filing, desk)
    if len(filing.scans) > SCANS_MAX:
        raise Rejected("application.too_many_scans", f"扫描件一次最多上传{SCANS_MAX}个", field="scans")
    # A citizen online acts as the public (no posts, no reach); the journal names them by party.
    party_actor = CitizenActor() if online else actor
    applicant = _applicant(party_actor, filing, county_of(desk.township))
    case_actor = CitizenActor(party_id=applicant.pk) if online else actor
    case = workflow.open_case(
        case_actor, kind=KIND, title=f"{item.name[:150]}({applicant.name[:40]})", area=desk.area, owner_unit=desk.unit,
        channel=filing.channel, limit=NOTICE_LIMIT, number_unit=desk.centre, opened_at=at,
        assign=[_check(desk.unit, filing.channel)], data={"item_code": item.code},
    )  # fmt: skip
    link = parties.link_party(case_actor, case, applicant, CaseParty.Role.APPLICANT)
    if filing.agent_name or filing.agent_phone:
        parties.record_reporter(case_actor, case, filing.agent_name, filing.agent_phone, role=CaseParty.Role.AGENT, acting_for=link)
    application = Application.objects.create(
        case=case, service_item=item, item_code=item.code, item_name=item.name, applicant=applicant, intake_unit=desk.unit,
        filed_by=None if online else actor, citizen_account=actor if online else None,
        received_at=case.opened_at, notice_due_at=case.due_at, delivery_point=delivery_point,
    )  # fmt: skip
    for row in materials:
        row.application = application
        if row.status == MaterialStatus.RECEIVED:
            row.supplied_at = at
    ApplicationMaterial.objects.bulk_create(materials)
    _store_scans(None if online else actor, application, filing.scans)
    code = tracking.issue_code(case)
    if not online:  # a walk-in (or visited, or agent-point) applicant takes the code home on paper
        issue_intake_receipt(actor, application, code)
    submits.settle(actor, filing.client_key, application)
    return Filed(application, code)


def delivery_points(township: Area) -> QuerySet[AgentPoint]:
    """The township's active agent points, where a result may be collected (chosen by unit id)."""
    return AgentPoint.objects.filter(township=township, is_active=True).select_related("unit").order_by("name", "pk")


def _delivery_point(filing: Filing, desk: Desk) -> Unit | None:
    """The agent point chosen for collecting the result: one of the township's active points; an
    application filed at a point is collected there (its intake unit), so none is chosen."""
    if filing.delivery_point in (None, ""):
        return None
    if filing.channel == Channel.AGENT_POINT:
        raise Rejected("application.delivery_point_at_point", "在代办点受理的申请在本代办点出件，无需另选领取代办点", field="delivery_point")
    point = delivery_points(desk.township).filter(unit_id=filing.delivery_point).first() if isinstance(filing.delivery_point, int) else None
    if point is None:
        raise Rejected("application.delivery_point_invalid", f"领取代办点须为{desk.township.name}在用的村级代办点", field="delivery_point")
    return point.unit


def _check(unit: Unit, channel: str) -> Assign:
    """The check of the materials, for the front desk that took them in: the agent point's agents
    for what they took, the centre's window clerks for the rest (online lands in the centre's queue)."""
    role = R.VILLAGE_AGENT if channel == Channel.AGENT_POINT else R.WINDOW_CLERK
    return Assign(unit, "check", role=role)


def check_assignment(application: Application) -> Assign:
    """The check again, after the applicant's supplement: to the same front desk."""
    return _check(application.intake_unit, application.case.channel)


def _store_scans(uploader, application: Application, scans: list[Scan]) -> None:
    if not scans:
        return
    by_guide = {m.guide_material_id: m for m in application.materials.all()}
    for scan in scans:
        material = by_guide.get(scan.material_id)
        if material is None:
            raise Rejected("application.material_unknown", "扫描件所属的材料不属于该事项", field="scans")
        stored = attachments.store(scan.content, scan.name, "material", case=application.case, actor=uploader, field="scans")
        MaterialScan.objects.create(material=material, attachment=stored)


def withdraw_application(actor, application: Application, reason: str) -> Application:
    """The applicant withdraws (撤回申请) before the decision; the reason is kept on the timeline."""
    workflow.perform(actor, application.case, "withdraw", reason=reason)
    return application
