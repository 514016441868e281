"""The service hall's actions: counters, the centre's calendar, queue tickets (取号, 叫号, 重呼,
过号, 办结) and appointments (预约, 取消, 签到). Each is one transaction; bad input is refused
with a Chinese message before anything is written.

Seed 002 §三(三): 推行首问负责、服务承诺、AB岗互补、错时服务、节假日轮班等制度; seed 001 §四(一)2
一站式服务、一门式办理. Who acts: the centre's window clerks and the township's leaders keep its
counters, hours and slots; a counter's calls are made by its clerk, or — while the clerk is away
(an accounts.StandIn period) — by the counter's named alternate or the period's stand-in (AB岗)."""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import journal, pii
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.inputs import text
from zhenjie.kernel.numbering import next_number
from zhenjie.kernel.scoping import reach_of, stand_ins_today
from zhenjie.units.models import Unit

from ..hall_hours import hours_on, require_open
from ..hall_queries import guide_items_of
from ..models import (
    Appointment, AppointmentSlot, AppointmentState, Counter, HolidayDuty, OpeningHours, Priority, Ticket, TicketState,
)  # fmt: skip

KEEPERS = frozenset({RoleCode.WINDOW_CLERK, RoleCode.TOWNSHIP_LEADER})  # keep counters, hours, slots
ISSUERS = frozenset({RoleCode.WINDOW_CLERK, RoleCode.VILLAGE_AGENT, RoleCode.TOWNSHIP_LEADER})  # issue a number for a visitor
NAME_MAX = 32
CALL_ATTEMPTS = 5  # candidates tried when another counter takes the first one at the same moment
CHECK_IN_EARLY = timedelta(minutes=30)  # an appointment may check in this long before its slot
BOOK_AHEAD_DAYS = 30
LETTERS = {"": "A", Priority.APPOINTMENT: "P"}  # every other priority: "Y" (优先)
PHONE_CONTEXT = "window.appointment.phone"  # kernel.pii: the cipher's associated data


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_role(actor, centre: Unit, roles: frozenset[str], message: str) -> None:
    if centre.kind != Unit.Kind.SERVICE_CENTRE:
        raise Rejected("hall.not_a_centre", "只有便民服务中心设有服务大厅")
    if not (reach_of(actor).roles_in(centre.area) & roles):
        raise Forbidden("hall.not_allowed", message)


def _guide_item(centre: Unit, code, on: date):
    if not isinstance(code, str) or not code.strip():
        raise Rejected("hall.item_required", "请选择办理事项", field="item_code")
    item = guide_items_of(centre, on).filter(code=code.strip()).first()
    if item is None:
        raise Rejected("hall.item_unknown", "本中心的政务服务事项清单中没有该事项", field="item_code")
    return item


# ---- counters and the calendar -------------------------------------------------------------------


@transaction.atomic
def save_counter(actor, centre: Unit, *, number, name, item_codes=(), clerk=None, alternate=None, is_active=True,
                 counter: Counter | None = None) -> Counter:
    """Create or change a counter: its number and name, the guide items it serves (none = all),
    its clerk and its named alternate (AB岗), and whether it is open (a closed one is not called
    at and takes no numbers)."""
    _require_role(actor, centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以设置窗口")
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 99:
        raise Rejected("hall.counter_number", "窗口号须为1至99的整数", field="number")
    name = text(name, field="name", label="窗口名称", max_length=NAME_MAX, required=True, code="hall")
    item_codes = _item_codes(centre, item_codes)
    for person, field in ((clerk, "clerk"), (alternate, "alternate")):
        if person is not None and not (reach_of(person).roles_in(centre.area) & {RoleCode.WINDOW_CLERK}):
            raise Rejected("hall.not_a_clerk", f"{person.display_name} 不是本中心的窗口人员", field=field)
    if clerk is not None and alternate is not None and clerk.pk == alternate.pk:
        raise Rejected("hall.alternate_self", "AB岗人员不能是窗口人员本人", field="alternate")
    others = Counter.objects.filter(centre=centre, number=number)
    if counter is not None:
        if counter.centre_id != centre.pk:
            raise Rejected("hall.counter_elsewhere", "该窗口不属于本中心")
        others = others.exclude(pk=counter.pk)
    if others.exists():
        raise Conflict("hall.counter_taken", f"{number}号窗口已存在", field="number")
    counter = counter or Counter(centre=centre)
    counter.number, counter.name, counter.item_codes = number, name, sorted(set(item_codes))
    counter.clerk, counter.alternate, counter.is_active = clerk, alternate, bool(is_active)
    try:
        with transaction.atomic():  # a savepoint: the check above and another keeper's insert can cross
            counter.save()
    except IntegrityError:
        raise Conflict("hall.counter_taken", f"{number}号窗口已存在", field="number") from None
    journal.record(actor=actor, verb="hall.counter", subject=f"unit:{centre.pk}", summary=f"设置{counter}",
                   data={"counter": counter.pk, "clerk": getattr(clerk, "pk", None), "alternate": getattr(alternate, "pk", None)})
    return counter


def _item_codes(centre: Unit, item_codes) -> list[str]:
    if not isinstance(item_codes, (list, tuple)) or not all(isinstance(c, str) for c in item_codes):
        raise Rejected("hall.item_codes", "办理事项须为事项编码列表", field="item_codes")
    known = set(guide_items_of(centre, timezone.localdate()).values_list("code", flat=True))
    if unknown := sorted(set(item_codes) - known):
        raise Rejected("hall.item_unknown", f"清单中没有这些事项：{'、'.join(unknown[:5])}", field="item_codes")
    return sorted(set(item_codes))


def _stretches(rows) -> list[tuple[time, time, bool]]:
    out = []
    for row in rows:
        try:
            opens, closes, staggered = row
        except (TypeError, ValueError):
            raise Rejected("hall.hours_invalid", "办公时间格式不正确", field="hours") from None
        if not isinstance(opens, time) or not isinstance(closes, time) or closes <= opens:
            raise Rejected("hall.hours_invalid", "结束时间须晚于开始时间", field="hours")
        out.append((opens, closes, bool(staggered)))
    out.sort()
    if any(a[1] > b[0] for a, b in zip(out, out[1:])):
        raise Rejected("hall.hours_overlap", "同一天的办公时段不能重叠", field="hours")
    return out


@transaction.atomic
def set_weekday_hours(actor, centre: Unit, weekday, stretches) -> list[OpeningHours]:
    """Replace a weekday's hours: [(opens, closes, staggered)]; none = closed that weekday."""
    _require_role(actor, centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以设置办公时间")
    if isinstance(weekday, bool) or weekday not in range(7):
        raise Rejected("hall.weekday_invalid", "请选择星期", field="weekday")
    rows = _stretches(stretches)
    OpeningHours.objects.filter(centre=centre, weekday=weekday).delete()
    made = OpeningHours.objects.bulk_create(
        [OpeningHours(centre=centre, weekday=weekday, opens=o, closes=c, staggered=s) for o, c, s in rows]
    )
    journal.record(actor=actor, verb="hall.hours", subject=f"unit:{centre.pk}", summary=f"设置星期{'一二三四五六日'[weekday]}办公时间",
                   data={"weekday": weekday, "hours": [[f"{o:%H:%M}", f"{c:%H:%M}", s] for o, c, s in rows]})
    return made


@transaction.atomic
def set_holiday_duty(actor, centre: Unit, *, day, staff, opens, closes) -> HolidayDuty:
    """节假日轮班: name a clerk on duty on a national holiday, for the hours given."""
    _require_role(actor, centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以安排节假日值班")
    if not isinstance(day, date):
        raise Rejected("hall.date_invalid", "请填写日期", field="day")
    _stretches([(opens, closes, False)])
    if not _is_holiday(day):
        raise Rejected("hall.not_a_holiday", f"{day:%Y-%m-%d}不是法定节假日，请在办公时间中设置", field="day")
    if not (reach_of(staff).roles_in(centre.area) & {RoleCode.WINDOW_CLERK, RoleCode.TOWNSHIP_LEADER}):
        raise Rejected("hall.not_a_clerk", f"{staff.display_name} 不是本中心的工作人员", field="staff")
    duty, _ = HolidayDuty.objects.update_or_create(centre=centre, day=day, staff=staff, defaults={"opens": opens, "closes": closes})
    journal.record(actor=actor, verb="hall.duty", subject=f"unit:{centre.pk}", summary=f"{day:%Y-%m-%d} 节假日值班：{staff.display_name}",
                   data={"day": day.isoformat(), "staff": staff.pk})
    return duty


@transaction.atomic
def remove_holiday_duty(actor, duty: HolidayDuty) -> None:
    _require_role(actor, duty.centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以安排节假日值班")
    if not HolidayDuty.objects.filter(pk=duty.pk).delete()[0]:
        raise Conflict("hall.duty_gone", "该值班安排已被删除")
    journal.record(actor=actor, verb="hall.duty_removed", subject=f"unit:{duty.centre_id}",
                   summary=f"取消{duty.day:%Y-%m-%d}节假日值班：{duty.staff.display_name}", data={"day": duty.day.isoformat(), "staff": duty.staff_id})


def _is_holiday(day: date) -> bool:
    calendar = current_calendar()
    return not calendar.is_workday(day) and bool(calendar.day_name(day))


@transaction.atomic
def save_slot(actor, centre: Unit, *, starts, ends, capacity, item_codes=(), is_active=True,
              slot: AppointmentSlot | None = None) -> AppointmentSlot:
    """A slot's hours, its capacity on each day, the items booked in it (none = every item) and
    whether it takes bookings (bookings already made stay)."""
    _require_role(actor, centre, KEEPERS, "只有本中心窗口人员或乡镇(街道)领导可以设置预约时段")
    _stretches([(starts, ends, False)])
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 999:
        raise Rejected("hall.capacity_invalid", "可预约人数须为1至999的整数", field="capacity")
    item_codes = _item_codes(centre, item_codes)
    slot = slot or AppointmentSlot(centre=centre)
    if slot.centre_id != centre.pk:
        raise Rejected("hall.slot_elsewhere", "该时段不属于本中心")
    slot.starts, slot.ends, slot.capacity, slot.item_codes, slot.is_active = starts, ends, capacity, item_codes, bool(is_active)
    slot.save()
    journal.record(actor=actor, verb="hall.slot", subject=f"unit:{centre.pk}", summary=f"设置预约时段{slot}（{capacity}人）", data={"slot": slot.pk})
    return slot


# ---- tickets ---------------------------------------------------------------------------------------


def _issue(centre: Unit, item, priority: str, issued_by, at: datetime) -> Ticket:
    day = timezone.localtime(at).date()
    letter = LETTERS.get(priority, "Y")
    # Gapless per centre, letter and day: kernel.numbering's counter row, locked by its UPDATE
    # until this transaction ends, so two kiosks at once queue on it (NUMBERING.md).
    number = next_number(centre, f"hall-{letter}-{day:%m%d}", day.year)
    return Ticket.objects.create(
        centre=centre, day=day, letter=letter, number=number, code=f"{letter}{number:03d}", item_code=item.code,
        item_name=item.name, priority=priority, issued_at=at, issued_by=issued_by,
    )


@transaction.atomic
def issue_ticket(actor, centre: Unit, item_code, priority="", now: datetime | None = None) -> Ticket:
    """取号: a number for a guide item, at the kiosk (`actor` None: the public page, which writes
    no name, no ID) or by a clerk. Priority (old, disabled, pregnant) goes before ordinary
    numbers. Refused outside the hall's hours, with the hours in the message."""
    at = _now(now)
    if actor is not None:
        _require_role(actor, centre, ISSUERS, "只有本中心工作人员可以代为取号")
    elif centre.kind != Unit.Kind.SERVICE_CENTRE or not centre.is_active:
        raise Rejected("hall.not_a_centre", "只有便民服务中心设有服务大厅")
    if priority not in (Priority.NONE, Priority.ELDERLY, Priority.DISABLED, Priority.PREGNANT):
        raise Rejected("hall.priority_invalid", "请选择普通号或优先号(老年人、残疾人、孕妇)", field="priority")
    require_open(centre.pk, at)
    item = _guide_item(centre, item_code, timezone.localtime(at).date())
    if not any(c.serves(item.code) for c in Counter.objects.filter(centre=centre, is_active=True)):
        raise Rejected("hall.no_counter", f"暂无窗口办理「{item.name}」，请咨询导服台", field="item_code")
    return _issue(centre, item, priority, actor, at)


def counter_staff_today(counter: Counter, today: date) -> set[int]:
    """Who calls at the counter today (AB岗, seed 002 §三(三)): its clerk; while the clerk is
    away — an accounts.StandIn period covering today — the counter's named alternate and the
    period's stand-in instead. One query."""
    if counter.clerk_id is None:
        return {counter.alternate_id} - {None}
    covering = set(stand_ins_today([counter.clerk_id], today).values_list("stand_in_id", flat=True))
    if not covering:
        return {counter.clerk_id}
    return covering | ({counter.alternate_id} - {None})


def _require_at_counter(actor, counter: Counter, at: datetime) -> None:
    if not counter.is_active:
        raise Conflict("hall.counter_closed", "该窗口已停用")
    if actor.pk not in counter_staff_today(counter, timezone.localtime(at).date()):
        raise Forbidden("hall.not_your_counter", f"您不是{counter}今日的受理人员(窗口人员不在岗时由AB岗人员叫号)")


@transaction.atomic
def call_next(actor, counter: Counter, now: datetime | None = None) -> Ticket:
    """叫号: the next waiting ticket of an item the counter serves — priority first, then in the
    order taken. Two counters calling at once never get the same ticket: each takes it by a
    compare-and-set on its state, and the loser tries the next one."""
    at = _now(now)
    _require_at_counter(actor, counter, at)
    if Ticket.objects.filter(counter=counter, state=TicketState.CALLED).exists():
        raise Conflict("hall.counter_busy", "本窗口还有已叫号的办事群众，请先办结或过号")
    waiting = Ticket.objects.filter(centre_id=counter.centre_id, day=timezone.localtime(at).date(), state=TicketState.WAITING)
    if counter.item_codes:
        waiting = waiting.filter(item_code__in=counter.item_codes)
    first = Case(When(priority="", then=Value(1)), default=Value(0), output_field=IntegerField())
    queued = Coalesce("requeued_at", "issued_at")  # a number put back (回号) queues from then
    candidates = list(waiting.annotate(rank=first, queued=queued).order_by("rank", "queued", "pk").values_list("pk", flat=True)[:CALL_ATTEMPTS])
    for pk in candidates:
        # called_at keeps the first call: the waiting figures end there, not at the call after 回号.
        if Ticket.objects.filter(pk=pk, state=TicketState.WAITING).update(
            state=TicketState.CALLED, counter=counter, called_by=actor, called_at=Coalesce(F("called_at"), Value(at)), last_called_at=at
        ):
            return Ticket.objects.get(pk=pk)
    if candidates:
        raise Conflict("hall.queue_moved", "排队号已被其他窗口叫走，请再叫一次")
    raise Conflict("hall.queue_empty", "本窗口办理的事项暂无等候的群众")


def _move(actor, ticket: Ticket, counter_check: bool, at: datetime, **changes) -> Ticket:
    counter = ticket.counter
    if counter is None or ticket.state != TicketState.CALLED:
        raise Conflict("hall.not_called", f"{ticket.code}号当前状态为{ticket.get_state_display()}，不能进行此操作")
    if counter_check:
        _require_at_counter(actor, counter, at)
    if not Ticket.objects.filter(pk=ticket.pk, state=TicketState.CALLED, counter=counter).update(**changes):
        raise Conflict("hall.ticket_changed", f"{ticket.code}号已被处理，请刷新后重试")
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def recall(actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """重呼: call the same number again at its counter (it moves to the top of the screen)."""
    at = _now(now)
    return _move(actor, ticket, True, at, last_called_at=at, recalls=ticket.recalls + 1)


@transaction.atomic
def skip(actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """过号: the person called did not come; the counter may call the next."""
    at = _now(now)
    return _move(actor, ticket, True, at, state=TicketState.SKIPPED, finished_at=at)


@transaction.atomic
def requeue(actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """回号: a skipped number whose holder comes back is put back in the queue — once, on its
    day, while the hall is open — behind those waiting now. The centre's staff do it (the guide
    desk or any counter: the holder may turn up anywhere)."""
    at = _now(now)
    _require_role(actor, ticket.centre, ISSUERS, "只有本中心工作人员可以回号")
    if ticket.state != TicketState.SKIPPED:
        raise Conflict("hall.not_skipped", f"{ticket.code}号当前状态为{ticket.get_state_display()}，只有已过号的号码可以回号")
    if ticket.requeued_at is not None:
        raise Conflict("hall.requeued_once", f"{ticket.code}号已回号过一次，请重新取号")
    if ticket.day != timezone.localtime(at).date():
        raise Conflict("hall.ticket_expired", f"{ticket.code}号不是今日的号码，请重新取号")
    require_open(ticket.centre_id, at)
    if not Ticket.objects.filter(pk=ticket.pk, state=TicketState.SKIPPED, requeued_at__isnull=True).update(
        state=TicketState.WAITING, counter=None, finished_at=None, requeued_at=at, requeued_by=actor
    ):
        raise Conflict("hall.ticket_changed", f"{ticket.code}号已被处理，请刷新后重试")
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def finish(actor, ticket: Ticket, application=None, now: datetime | None = None) -> Ticket:
    """办结: the visitor has been served; the application it led to may be linked."""
    at = _now(now)
    if application is not None and application.intake_unit_id != ticket.centre_id:
        raise Rejected("hall.application_elsewhere", "该办件不是本中心受理的", field="application")
    return _move(actor, ticket, True, at, state=TicketState.DONE, finished_at=at, application=application)


# ---- appointments ------------------------------------------------------------------------------------


@transaction.atomic
def book_appointment(actor, slot: AppointmentSlot, *, day, item_code, person_name, phone, now: datetime | None = None) -> Appointment:
    """预约: a citizen for themself (their account), or a clerk for a caller on the phone. Refused
    on a day the hall is closed at that slot, and when the slot is full."""
    at = _now(now)
    centre = slot.centre
    is_citizen = actor.kind == actor.Kind.CITIZEN
    if not is_citizen:
        _require_role(actor, centre, ISSUERS, "只有本中心工作人员可以代为预约")
    if not slot.is_active:
        raise Rejected("hall.slot_closed", "该预约时段已停用", field="slot")
    today = timezone.localtime(at).date()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise Rejected("hall.date_invalid", "请选择预约日期", field="day")
    if day < today or day > today + timedelta(days=BOOK_AHEAD_DAYS):
        raise Rejected("hall.date_out_of_range", f"只能预约今天起{BOOK_AHEAD_DAYS}天内的时段", field="day")
    if day == today and slot.ends <= timezone.localtime(at).time():
        raise Rejected("hall.slot_past", "该时段已过", field="slot")
    hours = hours_on(centre.pk, day)
    if not hours.covers(slot.starts, slot.ends):
        raise Rejected("hall.closed_day", f"该时段不在办公时间内。{hours.describe()}", field="day")
    item = _guide_item(centre, item_code, day)
    if not slot.takes(item.code):
        raise Rejected("hall.slot_item", f"该时段不预约「{item.name}」，请选择其他时段", field="slot")
    person_name = text(person_name, field="person_name", label="预约人姓名", max_length=NAME_MAX, required=True, code="hall")
    if not isinstance(phone, str):
        raise Rejected("hall.phone_invalid", "请填写11位手机号码", field="phone")
    sealed = pii.seal_phone(phone, PHONE_CONTEXT, required=True)
    # Lock the slot: two bookings of its last place at once must not both pass the count.
    AppointmentSlot.objects.select_for_update().filter(pk=slot.pk).values_list("pk").first()
    taken = Appointment.objects.filter(slot=slot, day=day).exclude(state=AppointmentState.CANCELLED).count()
    if taken >= slot.capacity:
        raise Rejected("hall.slot_full", f"{day:%m月%d日} {slot} 已约满，请选择其他时段", field="slot")
    return Appointment.objects.create(
        centre=centre, slot=slot, day=day, item_code=item.code, item_name=item.name, person_name=person_name,
        phone_cipher=sealed.cipher, phone_digest=sealed.digest, phone_masked=sealed.masked, citizen=actor if is_citizen else None, booked_by=None if is_citizen else actor, booked_at=at,
    )


@transaction.atomic
def cancel_appointment(actor, appointment: Appointment) -> Appointment:
    """The citizen who booked it, or the centre's staff, cancel a booking not yet checked in."""
    if actor.kind != actor.Kind.CITIZEN:
        _require_role(actor, appointment.centre, ISSUERS, "只有本中心工作人员可以取消预约")
    elif appointment.citizen_id != actor.pk:
        raise Forbidden("hall.not_yours", "只能取消本人的预约")
    if not Appointment.objects.filter(pk=appointment.pk, state=AppointmentState.BOOKED).update(state=AppointmentState.CANCELLED):
        raise Conflict("hall.appointment_done", "该预约已签到或已取消")
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def check_in(actor, appointment: Appointment, now: datetime | None = None) -> Ticket:
    """签到: at the desk (`actor` staff) or the kiosk (`actor` None, after kiosk_booking found it
    by the caller's phone), on the day, from half an hour before the slot to its end; the
    appointment becomes a priority ticket (letter P)."""
    at = _now(now)
    centre = appointment.centre
    if actor is not None:
        _require_role(actor, centre, ISSUERS, "只有本中心工作人员可以办理预约签到")
    local = timezone.localtime(at)
    slot = appointment.slot
    opens = timezone.make_aware(datetime.combine(appointment.day, slot.starts)) - CHECK_IN_EARLY
    closes = timezone.make_aware(datetime.combine(appointment.day, slot.ends))
    if not opens <= local <= closes:
        raise Rejected("hall.check_in_time", f"请在{appointment.day:%m月%d日} {slot}（可提前30分钟）签到")
    require_open(centre.pk, at)
    item = _guide_item(centre, appointment.item_code, local.date())
    if appointment.state != AppointmentState.BOOKED:
        raise Conflict("hall.appointment_done", "该预约已签到或已取消")
    ticket = _issue(centre, item, Priority.APPOINTMENT, actor, at)
    if not Appointment.objects.filter(pk=appointment.pk, state=AppointmentState.BOOKED).update(state=AppointmentState.CHECKED_IN, ticket=ticket):
        raise Conflict("hall.appointment_done", "该预约已签到或已取消")
    appointment.refresh_from_db()
    return ticket


def kiosk_booking(centre: Unit, phone, now: datetime | None = None) -> Appointment:
    """The kiosk's check-in finds today's booking at this centre by the caller's mobile (its
    keyed digest; the number itself is never compared or shown): the one whose slot is open for
    check-in now, else the next one today."""
    local = timezone.localtime(_now(now))
    sealed = pii.seal_phone(phone if isinstance(phone, str) else "", PHONE_CONTEXT, required=True)
    rows = list(
        Appointment.objects.filter(centre=centre, day=local.date(), phone_digest=sealed.digest, state=AppointmentState.BOOKED)
        .select_related("slot", "centre").order_by("slot__starts")
    )
    for row in rows:
        if row.slot.ends > local.time():
            return row
    raise Rejected("hall.booking_not_found", "未找到该手机号今日待签到的预约，请到导服台咨询", field="phone")
