"""Events (事件) from every channel and their categories (乡呼县应 calls are zhenjie/calls).

The case header (number, state, area, deadline, owner) is kernel.Case; these are the details."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhenjie.kernel.models import DeadlineUnit


class Channel(models.TextChoices):
    GRID = "grid", "网格员上报"
    CITIZEN = "citizen", "群众上报"
    HOTLINE = "hotline", "12345热线"
    VIDEO = "video", "视频告警"
    DEPARTMENT = "department", "部门移交"
    WALK_IN = "walk_in", "窗口来访"
    OPEN311 = "open311", "第三方平台"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Category(models.Model):
    """A county-editable kind of event, with its deadlines. Codes are what the local-duty list
    (lists app) refers to when it says which department leads on which events."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey("self", verbose_name="上级类别", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    acknowledge_amount = models.PositiveIntegerField("签收时限", default=2)
    acknowledge_unit = models.CharField("签收时限单位", max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.HOURS)
    handle_amount = models.PositiveIntegerField("处置时限", default=5)
    handle_unit = models.CharField("处置时限单位", max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS)
    verify_amount = models.PositiveIntegerField("核查时限", default=1)
    verify_unit = models.CharField("核查时限单位", max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS)
    needs_verification = models.BooleanField("需现场核查", default=True)
    # The power (权责事项) handling this kind of event exercises, by its code in the power lists:
    # when it is delegated to a township, routing sends the township's events there (routing.py),
    # and whoever is dispatched must be allowed to exercise it (lists.queries.may_exercise).
    power_code = models.CharField("权责事项编码", max_length=64, blank=True, help_text="处置该类事件所行使的权责事项编码(县级权责清单)；已赋权乡镇的，事件派往乡镇承接机构")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事件类别"
        verbose_name_plural = "事件类别"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(handle_amount__gte=1), name="category_handle_positive"),
            models.CheckConstraint(condition=models.Q(acknowledge_amount__gte=1), name="category_ack_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name with its first-level category, for choosing one (load `parent` with it)."""
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name


class EventPolicy(models.Model):
    """A county's settings for the command centre, editable by the county administrator."""

    county = models.OneToOneField("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    class WarningScope(models.TextChoices):
        VILLAGE = "village", "村(社区)"
        GRID = "grid", "网格"

    warning_threshold = models.PositiveSmallIntegerField("预警阈值(件)", default=3, help_text="同一村(社区)或网格同一类别在时间窗内达到该件数即预警")
    warning_scope = models.CharField("预警范围", max_length=8, choices=WarningScope.choices, default=WarningScope.VILLAGE)
    warning_window_days = models.PositiveSmallIntegerField("预警时间窗(天)", default=7)
    duplicate_window_hours = models.PositiveSmallIntegerField("疑似重复时间窗(小时)", default=48)
    duplicate_radius_m = models.PositiveIntegerField("疑似重复距离(米)", default=200)
    # 回访 (kernel.followups): how long the command centre has to call back, and the share of
    # closed events called back anyway (回访率).
    follow_up_days = models.PositiveSmallIntegerField("回访时限(工作日)", default=3)
    follow_up_sample_percent = models.PositiveSmallIntegerField("抽样回访比例(%)", default=0)
    version = models.PositiveIntegerField("版本", default=1)  # a save over a newer one is refused (kernel.county_settings)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "指挥中心设置"
        verbose_name_plural = "指挥中心设置"
        constraints = [
            models.CheckConstraint(condition=models.Q(warning_threshold__gte=2), name="policy_warning_threshold_min"),
            models.CheckConstraint(condition=models.Q(warning_window_days__gte=1), name="policy_warning_window_min"),
        ]


class Event(models.Model):
    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="event")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="events")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    description = models.TextField("描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reporter_name = models.CharField("上报人姓名", max_length=32, blank=True)
    reporter_phone_masked = models.CharField("上报人电话", max_length=20, blank=True)
    # A reporter's mobile, encrypted (kernel.pii), for the staff who must call them back
    # (actions.reveal_reporter_phone, journaled); landlines are kept masked only.
    reporter_phone_cipher = models.TextField("上报人电话(加密)", blank=True, editable=False)
    # Routing: who the lists name, and who actually handles (the dispatcher may override with a reason).
    duty_item_code = models.CharField("属地清单事项", max_length=40, blank=True)
    lead_department = models.ForeignKey("units.Unit", verbose_name="主体责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handling_unit = models.ForeignKey("units.Unit", verbose_name="处置单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duplicate_of = models.ForeignKey("self", verbose_name="重复于", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    rejection_reason = models.CharField("不予受理理由", max_length=500, blank=True)
    result = models.TextField("处置结果", blank=True)
    verification_note = models.TextField("核查意见", blank=True)
    reported_at = models.DateTimeField("上报时间", default=timezone.now)

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = "事件"
        indexes = [
            # The list's order (queries.events_for): newest report first, walked until the page is full.
            models.Index(fields=["-reported_at", "-id"], name="event_reported"),
            models.Index(fields=["category", "-reported_at"], name="event_category_reported"),
            models.Index(fields=["channel", "-reported_at"], name="event_channel_reported"),
            models.Index(fields=["handling_unit"], name="event_handling_unit"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(channel=""), name="event_channel_set"),
            models.CheckConstraint(
                condition=models.Q(lng__isnull=True, lat__isnull=True) | models.Q(lng__gte=-180, lng__lte=180, lat__gte=-90, lat__lte=90),
                name="event_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.category.name}"


class EarlyWarning(models.Model):
    """An early warning (研判预警): the same category piling up in one village or grid."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField("件数")
    window_days = models.PositiveSmallIntegerField("时间窗(天)")
    raised_at = models.DateTimeField("预警时间", default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "研判预警"
        verbose_name_plural = "研判预警"
        indexes = [models.Index(fields=["area", "category", "-raised_at"], name="warning_area_category")]


class EventDay(models.Model):
    """One count of one township's events on one day (events/daily.py): reported, closed (办结),
    or reported per category, channel or place (its village, or the township for an event placed
    on the township itself). What the command screen sums instead of counting every event: a day
    that is over, counted once; today and tomorrow from their ledger, kept by the transactions
    that report and close. A township's day has its rows once its "reported" row exists."""

    class Dimension(models.TextChoices):
        REPORTED = "reported", "上报"
        CLOSED = "closed", "办结"
        CATEGORY = "category", "类别"
        CHANNEL = "channel", "渠道"
        PLACE = "place", "区划"

    township = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=24, blank=True)  # a category's or area's id, a channel's code; "" for the day's totals
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "事件日统计"
        verbose_name_plural = "事件日统计"
        constraints = [models.UniqueConstraint(fields=["township", "day", "dimension", "key"], name="eventday_unique")]
