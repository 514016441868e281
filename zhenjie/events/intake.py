"""Events coming in, from every channel: a grid worker's phone, a citizen, the 12345 hotline, a
video alarm, a department, someone at the window. One function, so every channel meets the same
rules: a known category, a description, a place inside the county (and inside the reporter's own
jurisdiction when staff report), photos that are photos."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import attachments, parties, pii, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.scoping import place_of_report, reach_of, unscoped
from zhenjie.units.models import Unit

from . import early_warning
from .models import Category, Channel, Event
from .workflow import EVENT

DESCRIPTION_MAX = 4000  # Open311 GeoReport v2 caps description at 4,000 characters
ADDRESS_MAX = 200
PHOTOS_MAX = 9
REGISTER_WITHIN = timedelta(hours=2)


@dataclass
class Photo:
    name: str
    content: bytes


@dataclass
class Report:
    channel: str
    category: Category | None
    description: str
    lng: float | None = None
    lat: float | None = None
    address: str = ""
    area: Area | None = None  # when there is no position (a hotline order naming a village)
    photos: list[Photo] = field(default_factory=list)
    reporter_name: str = ""
    reporter_phone: str = ""
    external_id: str = ""
    reported_at: datetime | None = None


def command_unit_for(area: Area) -> Unit:
    """The township's command centre: the unit whose staff dispatch there, else its government."""
    township = township_path(area.path)
    unit = (
        Unit.objects.filter(area__path=township, posts__is_active=True, posts__roles__code=RoleCode.DISPATCHER)
        .order_by("pk").first()
    )
    return unit or Unit.objects.filter(area__path=township, kind=Unit.Kind.TOWNSHIP_GOVERNMENT).order_by("pk").first()


@transaction.atomic
def report_event(actor, report: Report, *, county: Area | None = None) -> Event:
    """Take in one event. `county` is the county a citizen or outside system reports into."""
    if report.channel not in Channel.values:
        raise Rejected("event.channel_invalid", "渠道不正确", field="channel")
    if report.category is None or not report.category.is_active:
        raise Rejected("event.category_unknown", "事件类别不存在或已停用", field="category")
    description = (report.description or "").strip()
    if not description:
        raise Rejected("event.description_required", "请描述发现的问题", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise Rejected("event.description_too_long", f"描述不能超过{DESCRIPTION_MAX}字", field="description")
    if len(report.address or "") > ADDRESS_MAX:
        raise Rejected("event.address_too_long", f"地址不能超过{ADDRESS_MAX}字", field="address")
    if len(report.photos) > PHOTOS_MAX:
        raise Rejected("event.too_many_photos", f"照片最多{PHOTOS_MAX}张", field="photos")
    if report.channel == Channel.GRID and report.lng is None and report.area is None:
        # On the spot a grid worker's phone gives the place; without a fix they name the grid.
        raise Rejected("event.position_required", "网格员上报须附带定位，或选择所在网格", field="lng")
    if report.external_id and unscoped(Event, why="an outside order number makes one event, in whatever county").filter(
        channel=report.channel, external_id=report.external_id
    ).exists():
        raise Rejected("event.duplicate_external_id", f"编号 {report.external_id} 已经导入过", field="external_id")

    area = place_of_report(actor, lng=report.lng, lat=report.lat, area=report.area, county=county, kind=EVENT)
    command = command_unit_for(area)
    if command is None:
        raise Rejected("event.no_command_centre", f"{area.name}所在乡镇尚未设置指挥中心", field="area")
    reported_at = report.reported_at or timezone.now()
    # 首问负责 (seed 002): staff who take a walk-in report own it until they hand it on.
    taker_unit = _taker_unit(actor) if report.channel == Channel.WALK_IN else None
    first = (
        Assign(taker_unit, "own", due_at=reported_at + REGISTER_WITHIN, user=actor)
        if taker_unit is not None
        else Assign(command, "register", due_at=reported_at + REGISTER_WITHIN, role=RoleCode.DISPATCHER)
    )
    case = workflow.open_case(
        actor,
        kind=EVENT,
        title=f"{report.category.name}：{description[:40]}",
        area=area,
        owner_unit=taker_unit or command,
        channel=report.channel,
        number_unit=command,
        opened_at=reported_at,
        assign=[first],
        data={"category": report.category.code, "channel": report.channel, "lng": report.lng, "lat": report.lat},
    )
    phone = sealed_phone(report.reporter_phone)
    event = Event.objects.create(
        case=case,
        category=report.category,
        channel=report.channel,
        description=description,
        address=(report.address or "").strip(),
        lng=report.lng,
        lat=report.lat,
        reporter=actor if getattr(actor, "pk", None) else None,
        reporter_name=(report.reporter_name or getattr(actor, "display_name", ""))[:32],
        reporter_phone_masked=phone.masked,
        reporter_phone_cipher=phone.cipher,
        external_id=(report.external_id or "")[:64],
        reported_at=reported_at,
    )
    parties.record_reporter(actor, case, report.reporter_name, report.reporter_phone)
    # An outside system (video alarm, Open311 client) reports as a named non-user actor.
    uploader = actor if getattr(actor, "pk", None) else None
    for photo in report.photos:
        attachments.store(photo.content, photo.name, "photo", case=case, actor=uploader, field="photos")
    early_warning.check_after_report(event)
    return event


def _taker_unit(actor):
    reach = reach_of(actor)
    return Unit.objects.filter(pk__in=reach.unit_ids).order_by("pk").first() if reach.unit_ids else None


REPORTER_PHONE_CONTEXT = "events.event.reporter_phone"


def sealed_phone(phone: str) -> pii.Sealed:
    """A reporter's number as kept on the event: a mobile encrypted and masked, a landline (the
    hotline's callers) masked only, never refused (kernel.parties.seal_contact_phone)."""
    return parties.seal_contact_phone(phone, REPORTER_PHONE_CONTEXT, strict=False)
