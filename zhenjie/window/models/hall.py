"""The service hall of a township's service centre (便民服务大厅, issue 15 item 6): counters and
who sits at them, queue tickets, appointments by time slot, and the centre's own calendar.

Seed 002 §三(三): 推行首问负责、服务承诺、AB岗互补、错时服务、节假日轮班等制度 — the counter's
alternate (AB岗, with accounts.StandIn for the absence), the staggered hours and the holiday rota
are rows the centre edits, not constants."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Counter(models.Model):
    """A counter (窗口) of the centre's hall: which guide items it serves (empty = every item),
    the clerk sitting at it, and its named alternate (B岗) who takes its calls while the clerk is
    absent (an accounts.StandIn period of the clerk)."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField("窗口号")
    name = models.CharField("窗口名称", max_length=32)
    item_codes = models.JSONField("办理事项编码", default=list, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="窗口人员", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    alternate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="AB岗人员", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="hall_counter_number_once"),
            models.CheckConstraint(condition=Q(alternate__isnull=True) | ~Q(alternate=models.F("clerk")), name="hall_counter_alternate_not_clerk"),
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"

    def serves(self, item_code: str) -> bool:
        return not self.item_codes or item_code in self.item_codes


class OpeningHours(models.Model):
    """One stretch of the centre's opening hours on a weekday; several per day (morning,
    afternoon), and staggered ones (错时服务: lunch-time, Saturday morning) marked so."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField("星期", choices=[(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")])
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")
    staggered = models.BooleanField("错时服务", default=False)

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        ordering = ["centre", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hall_hours_close_after_open")]


class HolidayDuty(models.Model):
    """节假日轮班: on a national holiday the centre is open only where the rota names someone on
    duty, for the hours given."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="值班人员", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "节假日值班"
        verbose_name_plural = "节假日值班"
        ordering = ["centre", "day", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "staff"], name="hall_duty_once"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hall_duty_close_after_open"),
        ]


class Priority(models.TextChoices):
    # Seed 002 §三(三): 针对老年人,残疾人和行动不便的居民 … ; pregnant women by the hall's custom.
    NONE = "", "普通"
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    PREGNANT = "pregnant", "孕妇"
    APPOINTMENT = "appointment", "预约"


class TicketState(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    DONE = "done", "已办结"
    SKIPPED = "skipped", "已过号"


class Ticket(models.Model):
    """A queue number (取号) of one centre on one day: `code` is its letter and the gapless
    number of that letter that day (A001 ordinary, Y001 priority, P001 appointment)."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    letter = models.CharField("号段", max_length=1)
    number = models.PositiveIntegerField("序号")
    code = models.CharField("号码", max_length=8)
    item_code = models.CharField("事项编码", max_length=64)
    item_name = models.CharField("事项名称", max_length=200)
    priority = models.CharField("优先", max_length=16, choices=Priority.choices, blank=True)
    state = models.CharField("状态", max_length=16, choices=TicketState.choices, default=TicketState.WAITING)
    issued_at = models.DateTimeField("取号时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发号人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")  # empty: the public kiosk
    counter = models.ForeignKey(Counter, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="叫号人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)  # waiting time ends here
    last_called_at = models.DateTimeField("最近叫号时间", null=True, blank=True)  # the screen shows the latest calls
    recalls = models.PositiveSmallIntegerField("重呼次数", default=0)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    application = models.ForeignKey("window.Application", verbose_name="办件", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "letter", "number"], name="hall_ticket_number_once"),
            models.CheckConstraint(condition=Q(state="waiting") | Q(counter__isnull=False), name="hall_ticket_called_at_counter"),
        ]
        indexes = [models.Index(fields=["centre", "day", "state"], name="hall_ticket_queue")]

    def __str__(self) -> str:
        return self.code


class AppointmentSlot(models.Model):
    """A time slot the centre takes appointments for, on every day it is open at that time."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.CASCADE, related_name="+")
    starts = models.TimeField("开始")
    ends = models.TimeField("结束")
    capacity = models.PositiveSmallIntegerField("可预约人数")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["centre", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="hall_slot_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="hall_slot_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    CANCELLED = "cancelled", "已取消"


class Appointment(models.Model):
    """A booking for a slot on a day, by a citizen (their account) or by a clerk for a caller on
    the phone. Check-in turns it into a priority ticket."""

    centre = models.ForeignKey("units.Unit", verbose_name="便民服务中心", on_delete=models.PROTECT, related_name="+")
    slot = models.ForeignKey(AppointmentSlot, verbose_name="时段", on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField("日期")
    item_code = models.CharField("事项编码", max_length=64)
    item_name = models.CharField("事项名称", max_length=200)
    person_name = models.CharField("预约人", max_length=32)
    # A mobile is never kept in clear (kernel/PII.md): sealed, and masked for the pages (138****5678).
    phone = models.CharField("联系电话(隐去中间四位)", max_length=11)
    phone_cipher = models.TextField("联系电话(加密)", blank=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="群众账号", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代约人员", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED)
    booked_at = models.DateTimeField("预约时间")
    ticket = models.OneToOneField(Ticket, verbose_name="签到号", null=True, blank=True, on_delete=models.PROTECT, related_name="appointment")

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        indexes = [models.Index(fields=["slot", "day", "state"], name="hall_appointment_slot")]
