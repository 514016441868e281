"""The citizen's side of events (渠道: 群众上报): report a problem without an account, follow it
with its number and a code shown once, see a rejection's reason, rate it once it is closed.

A citizen is not a user: they report as a CitizenActor, which reaches nothing (kernel.scoping),
and what they may read of their own event is decided here, by the code they hold, never by the
staff scoping rules. The event itself enters through intake.report_event like every channel."""

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import salted_hmac

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of, township_path
from zhenjie.kernel import journal, pii
from zhenjie.kernel.actors import OutsideActor
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.scoping import place_of_report, unscoped

from . import actions
from .intake import Photo, Report, report_event
from .models import Category, Channel, Event
from .workflow import EVENT, EVENT_WORKFLOW, EventState

# Codes people read off a screen and type on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes; with the lookup throttle below, not guessable
DESCRIPTION_MAX = 1000  # a citizen's account of a problem; the hotline and staff may write more
PHOTOS_MAX = 3
NAME_MAX = 20

# Abuse limits per client address (the portal needs no account). Kept in Django's cache: per
# process with the default cache, shared when a shared cache is configured (docs/DEPLOYMENT.md).
REPORTS_PER_HOUR = 5
LOOKUPS_PER_10_MINUTES = 20


@dataclass(frozen=True, eq=False)
class CitizenActor(OutsideActor):
    """A member of the public: named on the timeline, reaching no case of anyone's."""

    name: str = ""
    holds_tracking_code_of: int | None = None  # the event whose code they showed (actions.rate_event)

    @property
    def display_name(self) -> str:
        return f"群众{('：' + self.name) if self.name else ''}"[:64]


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


def _digest(code: str) -> str:
    return salted_hmac("zhenjie.events.portal.tracking", code.upper()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


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


def allow(kind: str, client: str, limit: int, seconds: int) -> bool:
    """Count one more `kind` for `client`; False once `limit` is passed within `seconds`."""
    key = f"portal:{kind}:{client}"
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return True


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
    code = new_code()
    Event.objects.filter(pk=event.pk).update(tracking_digest=_digest(code))
    return event, code


def find_for_citizen(number: str, code: str) -> Event:
    """The event with this number whose code matches; the same answer for a wrong number and a
    wrong code, so neither can be probed."""
    number, code = (number or "").strip()[:40], (code or "").strip().upper()[:CODE_LENGTH * 2]
    # Matched on both: numbers are unique per township's series, not county-wide (two townships
    # whose names start alike number alike), and the digest is keyed, so comparing it in the
    # database reveals nothing.
    digest = _digest(code)
    event = (
        unscoped(Event, why="the citizen holds the number and its tracking code").filter(case__number=number, channel=Channel.CITIZEN, tracking_digest=digest)
        .select_related("case", "category", "case__area").first()
    ) if code and number else None
    if event is None:
        raise NotFound("portal.not_found", "编号或查询码不正确，请核对后重试")
    return event


def rate_as_citizen(event: Event, rating, comment: str = "") -> Event:
    """Rate `event` as the citizen who found it with its code (find_for_citizen)."""
    return actions.rate_event(CitizenActor(event.reporter_name, holds_tracking_code_of=event.pk), event, rating, comment)


@dataclass(frozen=True)
class Step:
    at: object
    label: str
    note: str = ""


# What a citizen is told at each state: no staff names, no internal notes.
PUBLIC_NOTES = {EventState.REJECTED: "rejection_reason", EventState.CLOSED: "result"}


def public_timeline(event: Event) -> list[Step]:
    """The event's states as the citizen sees them, oldest first, with the reason of a rejection
    and the result of the handling."""
    steps = []
    for entry in journal.entries_for_case(event.case):
        if entry.verb == "open":
            steps.append(Step(entry.created_at, "已受理上报，等待登记"))
        elif entry.verb == "rate":
            steps.append(Step(entry.created_at, "您已评价", entry.summary.removeprefix("评价：")))
        elif entry.to_state and entry.to_state != entry.from_state:
            note_field = PUBLIC_NOTES.get(entry.to_state)
            steps.append(Step(entry.created_at, EVENT_WORKFLOW.state_label(entry.to_state), getattr(event, note_field) if note_field else ""))
    return steps
