"""The citizen's side of events (渠道: 群众上报): report a problem without an account, follow it
with its number and a code shown once, see a rejection's reason, rate it once it is closed.

A citizen is not a user: they report as a CitizenActor, which reaches nothing (kernel.scoping),
and what they may read of their own event is decided by the code they hold (kernel.tracking) and
what events tell at each state (PUBLIC_NOTES), never by the staff scoping rules. The event itself
enters through intake.report_event like every channel."""

from dataclasses import dataclass

from django.db import transaction

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of, township_path
from zhenjie.kernel import followups, pii, tracking
from zhenjie.kernel.actors import CitizenActor
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import CaseParty
from zhenjie.kernel.scoping import place_of_report

from . import actions
from .intake import Photo, Report, report_event
from .models import Category, Channel, Event
from .workflow import EVENT, EventState

DESCRIPTION_MAX = 1000  # a citizen's account of a problem; the hotline and staff may write more
PHOTOS_MAX = 3
NAME_MAX = 20

# Abuse limits per client address (the portal needs no account), counted by kernel.throttle.
REPORTS_PER_HOUR = 5
LOOKUPS_PER_10_MINUTES = 20


@dataclass(frozen=True)
class CitizenReport:
    category: Category | None
    description: str
    village: Area | None
    phone: str
    name: str = ""
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    photos: list[Photo] | None = None


def _mobile(phone: str) -> str:
    """A mobile pii can seal (staff must be able to call back), or a Chinese message."""
    try:
        return pii.normalise_mobile(phone, field="phone")
    except Rejected:
        raise Rejected("portal.phone_invalid", "请填写11位手机号码，便于工作人员联系您", field="phone") from None


def _check_position(report: "CitizenReport", county: Area) -> None:
    """Before anything is written (photos go to disk first): the phone's position must lie in
    the county, and in the chosen village's township. The position wins over the village choice
    (it is where the problem is), but never files a report into another township."""
    if report.lng is None or report.lat is None:
        return
    found = place_of_report(CitizenActor(), lng=report.lng, lat=report.lat, area=report.village, county=county, kind=EVENT)
    if not found.path.startswith(township_path(report.village.path)):
        raise Rejected("portal.position_elsewhere", "定位与所选村(社区)不在同一乡镇(街道)，请核对后重试", field="village")


@transaction.atomic
def report_as_citizen(report: CitizenReport) -> tuple[Event, str]:
    """File the citizen's report into the dispatcher's queue of the village's township; returns
    the event and its tracking code (shown once; only its digest is kept)."""
    if report.village is None or report.village.level != Area.Level.VILLAGE:
        raise Rejected("portal.village_required", "请选择事发的村(社区)", field="village")
    description = (report.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Rejected("event.description_too_long", f"描述不能超过{DESCRIPTION_MAX}字", field="description")
    if len(report.photos or []) > PHOTOS_MAX:
        raise Rejected("event.too_many_photos", f"照片最多{PHOTOS_MAX}张", field="photos")
    name = (report.name or "").strip()
    if len(name) > NAME_MAX:
        raise Rejected("portal.name_too_long", f"称呼不能超过{NAME_MAX}字", field="name")
    phone = _mobile(report.phone)
    county = county_of(report.village)
    _check_position(report, county)
    event = report_event(
        CitizenActor(name),
        Report(channel=Channel.CITIZEN, category=report.category, description=description, lng=report.lng, lat=report.lat,
               address=report.address, area=report.village, photos=list(report.photos or []), reporter_name=name or "群众",
               reporter_phone=phone),  # fmt: skip
        county=county,
    )
    return event, tracking.issue_code(event.case)


def find_for_citizen(number: str, code: str) -> Event:
    """The event with this number whose code matches; the same answer for a wrong number and a
    wrong code, so neither can be probed (kernel.tracking.find_by_code)."""
    case = tracking.find_by_code(number, code, kinds=[EVENT])
    return Event.objects.select_related("case", "category", "case__area").get(case=case)


def citizen_holding_code_of(event: Event) -> CitizenActor:
    """The citizen who found `event` with its code (find_for_citizen), named in the journal by
    their reporter party's number (kernel.actors)."""
    reporter = CaseParty.objects.filter(case_id=event.case_id, role=CaseParty.Role.REPORTER).order_by("pk").values_list("party_id", flat=True).first()
    return CitizenActor(event.reporter_name, holds_tracking_code_of=event.case_id, party_id=reporter)


def confirm_as_citizen(event: Event, resolved: bool) -> Event:
    """Say whether the problem is solved, as the citizen who found `event` with its code, where
    the category skips on-site verification (kernel.followups.confirm)."""
    followups.confirm(citizen_holding_code_of(event), event.case, resolved)
    return event


def rate_as_citizen(event: Event, grade, comment: str = "") -> Event:
    """Rate `event` as the citizen who found it with its code."""
    return actions.rate_event(citizen_holding_code_of(event), event, grade, comment)


# What a citizen is told at each state besides its name: no staff names, no internal notes.
PUBLIC_NOTES = {EventState.REJECTED: lambda case: case.event.rejection_reason, EventState.CLOSED: lambda case: case.event.result}
# Steps told by what was done: a reopened event (kernel.followups), and the reporter's own answer.
PUBLIC_VERBS = {"reopen": ("已重新办理", "根据回访情况，事件已重新交处置单位办理；办结后您可以再次评价。")}


def public_timeline(event: Event) -> list[tracking.Step]:
    """The event's states as the citizen sees them, oldest first, with the reason of a rejection
    and the result of the handling."""
    return tracking.public_timeline(event.case, notes=PUBLIC_NOTES, opened="已受理上报，等待登记", verbs=PUBLIC_VERBS)
