"""The statutory clock of an accepted application (行政许可法 Arts. 32, 42, 45, 82), in working
days on the national calendar (kernel.deadlines: holidays left out, make-up days counted, the
start day not counted).

Which deadline the case carries: the **promised** limit (ServiceItem.promised_days). The centre
publishes it in the guide (服务承诺, seed 001 §四(一)) and it is never longer than the statutory
one (the guide's import refuses that), so supervision and the todo list, which read Case.due_at,
warn while the law's limit is still ahead. The statutory limit is kept beside it (StatutoryClock)
and worked out from the same start, the same pauses and the same extensions, so both move
together and the panel shows both."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from zhenjie.kernel import deadlines
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.models import Case
from zhenjie.lists.models import PowerType

from .models import Application, StatutoryClock

LICENCE_DAYS = 20  # Art. 42 para. 1: decide within 20 working days of acceptance
JOINT_DAYS = 45  # Art. 42 para. 2: unified, joint or centralised handling
EXTENSION_DAYS = 10  # Art. 42 para. 1: +10 with the head's approval
JOINT_EXTENSION_DAYS = 15  # Art. 42 para. 2: +15 with the same-level government head's approval


@dataclass(frozen=True)
class Limits:
    statutory_days: int | None  # None: no law sets one (a public service)
    promised_days: int
    extension_max: int
    joint: bool


def limits_for(application: Application, joint: bool) -> Limits:
    """The guide's limits, with the statute's defaults where the guide names none: a licence
    20 working days, a joint item 45 (Art. 42). Extensions are capped at Art. 42's 10 / 15."""
    item = application.service_item
    statutory = item.statutory_days
    if statutory is None and (joint or item.service_type == PowerType.LICENSING):
        statutory = JOINT_DAYS if joint else LICENCE_DAYS
    promised = item.promised_days if statutory is None else min(item.promised_days, statutory)
    return Limits(statutory, promised, JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS, joint)


def start_of(application: Application, accepted_at: datetime) -> tuple[datetime, bool]:
    """When the clock starts: acceptance, or — Art. 32(4), no one-time notice within 5 working
    days — the day the materials were received."""
    if application.deemed_accepted:
        return application.received_at, True
    return accepted_at, False


def start(case: Case, limits: Limits, at: datetime) -> None:
    """Set the case deadline to the promised limit from `at` (the engine saves it)."""
    deadlines.start(case, Limit(limits.promised_days), at)


def record(application: Application, limits: Limits, at: datetime, from_receipt: bool) -> StatutoryClock:
    return StatutoryClock.objects.create(
        application=application, started_at=at, from_receipt=from_receipt, statutory_days=limits.statutory_days,
        promised_days=limits.promised_days, joint=limits.joint, extension_max=limits.extension_max,
    )


def statutory_due(clock: StatutoryClock, case: Case) -> tuple[datetime | None, bool]:
    """The statutory deadline with the case's pauses and extensions (as deadlines.recompute does),
    or (None, False) when no law sets one."""
    if clock.statutory_days is None:
        return None, False
    days = clock.statutory_days + case.extended_amount + case.paused_working_days
    return deadlines.due_after(clock.started_at, Limit(days))


def due_preview(at: datetime, days: int) -> datetime:
    return deadlines.due_after(at, Limit(days))[0]


def working_days_left(due: datetime | None, today: date | None = None) -> int | None:
    """Working days from today (not counted) to the due day (counted); negative when overdue."""
    if due is None:
        return None
    today = today or timezone.localdate()
    last = timezone.localtime(due).date()
    calendar = current_calendar()
    if last >= today:
        return calendar.working_days_after_until(today, last)
    return -calendar.working_days_after_until(last, today)


def extension_left(clock: StatutoryClock, case: Case) -> int:
    """What Art. 42 still allows: its 10 (joint 15) working days less what was granted."""
    return max(clock.extension_max - case.extended_amount, 0)


@dataclass(frozen=True)
class ClockView:
    """What the panel shows."""

    clock: StatutoryClock
    promised_due: datetime | None
    statutory_due: datetime | None
    uncertain: bool
    promised_left: int | None
    statutory_left: int | None
    paused: bool
    extension_left: int


def view_of(application: Application, today: date | None = None) -> ClockView | None:
    clock = getattr(application, "clock", None)
    if clock is None:
        return None
    case = application.case
    due, uncertain = statutory_due(clock, case)
    paused = case.paused_at is not None
    return ClockView(
        clock=clock, promised_due=case.due_at, statutory_due=due, uncertain=case.due_uncertain or uncertain,
        promised_left=None if paused else working_days_left(case.due_at, today),
        statutory_left=None if paused else working_days_left(due, today), paused=paused, extension_left=extension_left(clock, case),
    )
