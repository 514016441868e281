"""Events coming in, from every channel: a grid worker's phone, a citizen, the 12345 hotline, a
video alarm, a department, someone at the window. One function, so every channel meets the same
rules: a known category, a description, a place inside the county (and inside the reporter's own
jurisdiction when staff report), photos that are photos."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import attachments, intake, submits
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.prepared import Prepared
from zhenjie.units.models import Unit

from . import daily, jobs
from .models import Category, Channel, Event
from .workflow import EVENT

DESCRIPTION_MAX = 4000  # Open311 GeoReport v2 caps description at 4,000 characters
ADDRESS_MAX = 200
PHOTOS_MAX = 9
CONTACT_NAME_MAX = 32  # a reporter's or agent's name as the event keeps it (Event.reporter_name)
CONTACT_PHONE_MAX = 20
REGISTER_WITHIN = timedelta(hours=2)
REPORTER_PHONE_CONTEXT = "events.event.reporter_phone"


@dataclass
class Photo:
    name: str
    content: bytes


@dataclass(kw_only=True)
class Report(intake.Intake):
    """An event as a channel brings it: what kernel.intake takes for any case, and the event's own."""

    category: Category | None
    description: str
    address: str = ""
    photos: list[Photo] = field(default_factory=list)
    # The phone's key for this filled-in form (kernel.submits): a report sent twice makes one event.
    client_key: uuid.UUID | None = None

    def content(self) -> dict:
        """What the key stands for: the same key with other content is refused."""
        return {
            "category": self.category.code if self.category else None, "description": (self.description or "").strip(),
            "address": (self.address or "").strip(), "channel": self.channel, "lng": self.lng, "lat": self.lat,
            "area": getattr(self.area, "pk", None), "reporter": [self.reporter_name, self.reporter_phone, self.agent_name, self.agent_phone],
            "photos": [hashlib.sha256(photo.content).hexdigest() for photo in self.photos],
        }


def command_unit_for(area: Area) -> Unit:
    """The township's command centre: the unit whose staff dispatch there, else its government."""
    township = township_path(area.path)
    # With its area (the same join): kernel.assignments.add then sees it holds the case, unasked.
    return _DISPATCHING_UNIT.first(township=township) or _TOWNSHIP_GOVERNMENT.first(township=township)


def _dispatching_unit(township: str):
    return Unit.objects.filter(area__path=township, posts__is_active=True, posts__roles__code=RoleCode.DISPATCHER).select_related("area").order_by("pk")[:1]


def _township_government(township: str):
    return Unit.objects.filter(area__path=township, kind=Unit.Kind.TOWNSHIP_GOVERNMENT).select_related("area").order_by("pk")[:1]


# Every report is routed: compiled once (kernel.prepared).
_DISPATCHING_UNIT = Prepared(_dispatching_unit, township=str)
_TOWNSHIP_GOVERNMENT = Prepared(_township_government, township=str)


# Events go to the township's command centre to register, but a walk-in report is owned by the
# staff member's unit who took it (首问负责, seed 002).
RECEPTION = intake.Reception(route=command_unit_for, step="register", role=RoleCode.DISPATCHER, within=REGISTER_WITHIN,
                             first_contact=frozenset({Channel.WALK_IN}))


def report_event(actor, report: Report, *, county: Area | None = None) -> Event:
    """Take in one event. `county` is the county a citizen or outside system reports into. A
    report under a key already used (the phone sending again) answers with the event it made.
    What is only read — the key, the checks, the place and who takes it in — comes before the
    write transaction: on SQLite that holds the database's one writer lock (issue 11)."""
    if (earlier := submits.made(actor, report.client_key, report.content())) is not None:
        return earlier
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
    received = intake.receive(actor, report, kind=EVENT, channels=Channel.values, reception=RECEPTION, county=county)
    return _write(actor, report, description, received, county)


@transaction.atomic
def _write(actor, report: Report, description: str, received: intake.Received, county: Area | None) -> Event:
    if (earlier := submits.claim(actor, report.client_key, report.content())) is not None:
        return earlier  # the same form sent twice at once: the other request made it
    case = intake.take_in(
        actor, report, kind=EVENT, channels=Channel.values, reception=RECEPTION, county=county, received=received,
        title=f"{report.category.name}：{description[:40]}",
        data={"category": report.category.code, "channel": report.channel, "lng": report.lng, "lat": report.lat},
    )
    phone = intake.sealed_phone(report.reporter_phone, REPORTER_PHONE_CONTEXT)
    event = Event.objects.create(
        case=case,
        category=report.category,
        channel=report.channel,
        description=description,
        address=(report.address or "").strip(),
        lng=report.lng,
        lat=report.lat,
        # A walk-in's reporter is the visitor (a party), never the clerk's account.
        reporter=actor if getattr(actor, "pk", None) and report.channel != Channel.WALK_IN else None,
        reporter_name=(report.reporter_name or ("来访群众" if report.channel == Channel.WALK_IN else getattr(actor, "display_name", "")))[:CONTACT_NAME_MAX],
        reporter_phone_masked=phone.masked,
        reporter_phone_cipher=phone.cipher,
        reported_at=case.opened_at,
    )
    # An outside system (video alarm, Open311 client) reports as a named non-user actor.
    uploader = actor if getattr(actor, "pk", None) else None
    for photo in report.photos:
        attachments.store(photo.content, photo.name, "photo", case=case, actor=uploader, field="photos")
    submits.settle(actor, report.client_key, event)
    daily.forget_day(case.area, timezone.localdate(case.opened_at))  # a report dated into a day already counted
    daily.keep_window(case.area)
    daily.tally_report(case, report.category.pk, case.channel)  # last: its row lock orders the township's reports
    transaction.on_commit(lambda: jobs.check_pile_up(event.pk))  # the early warning, off the reporter's clock
    return event

