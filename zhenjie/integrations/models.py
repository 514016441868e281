"""Outside systems that file events: their API keys, the county's mapping of video-alarm types to
event categories, and imports of the 12345 hotline's work-order spreadsheets.

Every event they bring in goes through events.intake.report_event, like any other report."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class KeyChannel(models.TextChoices):
    """The channel a key may post to (a value of events.Channel)."""

    OPEN311 = "open311", "Open311 第三方平台"
    HOTLINE = "hotline", "12345热线"
    VIDEO = "video", "视频告警"


class IntegrationKey(models.Model):
    """An API key an outside system presents. Only its SHA-256 is stored; the key itself is shown
    once, when it is created. A key files events into one county, on one channel."""

    name = models.CharField("名称", max_length=64, help_text="如：市12345热线平台")
    channel = models.CharField("渠道", max_length=16, choices=KeyChannel.choices)
    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"})
    prefix = models.CharField("密钥前缀", max_length=12, help_text="用于辨认密钥，不能用于接入")
    digest = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "接入密钥"
        verbose_name_plural = "接入密钥"
        indexes = [models.Index(fields=["county", "-created_at"], name="integrationkey_county")]
        constraints = [models.CheckConstraint(condition=~models.Q(name=""), name="integrationkey_named")]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "zj_" + secrets.token_urlsafe(32)


class AlarmMapping(models.Model):
    """Which event category a video-alarm type means, per county (alarm platforms name their
    types in their own words: 垃圾堆放, 占道经营识别, 烟火识别 …)."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    alarm_type = models.CharField("告警类型", max_length=40)
    category = models.ForeignKey("events.Category", verbose_name="事件类别", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "视频告警类型对应"
        verbose_name_plural = "视频告警类型对应"
        ordering = ["alarm_type"]
        constraints = [models.UniqueConstraint(fields=["county", "alarm_type"], name="alarmmapping_unique")]


class HotlineImport(models.Model):
    """One upload of the 12345 work-order spreadsheet: all rows come in, or none does."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        SUCCEEDED = "succeeded", "已导入"
        REFUSED = "refused", "未导入(有错误)"
        FAILED = "failed", "导入失败"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    source = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField("工单行数", default=0)
    created_count = models.PositiveIntegerField("新建事件", default=0)
    skipped_count = models.PositiveIntegerField("已导入过(跳过)", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    error_report = models.ForeignKey("kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    skipped = models.JSONField("跳过的工单", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "12345工单导入"
        verbose_name_plural = "12345工单导入"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="hotlineimport_user_new")]

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.REFUSED, self.State.FAILED)


class Open311Policy(models.Model):
    """What a county's Open311 feed shows to anyone: GeoReport v2 GETs need no key (issue 12,
    item 8; PIPL Art. 6, 等保 8.1.4.11 个人信息保护). Set by the county administrator on the
    外部接入 page; a county without a row gets `open311.DEFAULT_PUBLICATION`."""

    county = models.OneToOneField("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    withheld_categories = models.ManyToManyField(
        "events.Category", verbose_name="不公开的事件类别", blank=True, related_name="+",
        help_text="矛盾纠纷等涉及个人的类别：这些类别的事件不出现在公开的 Open311 查询中",
    )
    position_decimals = models.PositiveSmallIntegerField(
        "坐标保留小数位", default=3, help_text="公开的经纬度保留几位小数：2位约1千米，3位约100米，4位约10米",
    )
    publish_text = models.BooleanField(
        "公开描述和详细地址", default=False,
        help_text="不公开时，描述留空、地址只写所在村(社区)或网格名称：群众写下的原文常含姓名、门牌和电话",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Open311公开设置"
        verbose_name_plural = "Open311公开设置"
        constraints = [
            models.CheckConstraint(condition=models.Q(position_decimals__gte=2, position_decimals__lte=4), name="open311policy_decimals_range"),
        ]


class HotlineCallback(models.Model):
    """Where the county's 12345 hotline takes its answers back (issue 14, item 4): a URL the
    platform POSTs the result of a closed or refused hotline event to, signed with a secret both
    sides hold. The secret is stored encrypted (kernel.pii), never shown again once saved. Set by
    the county administrator on the 外部接入 page, journaled as `settings.hotline_callback`."""

    county = models.OneToOneField("areas.Area", verbose_name="县", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "county"})
    url = models.CharField("回传地址", max_length=500)
    secret_cipher = models.TextField(editable=False)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "12345办理结果回传设置"
        verbose_name_plural = "12345办理结果回传设置"


class HotlineAnswer(models.Model):
    """One answer owed to the hotline: the result of one of its work orders, sent by a Huey job
    (answers.py) until the hotline accepts it. The body is fixed when the answer is made, so what
    the page shows is what was sent."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "失败"

    event = models.OneToOneField("events.Event", verbose_name="事件", on_delete=models.CASCADE, related_name="hotline_answer")
    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    order_id = models.CharField("工单编号", max_length=64)
    outcome = models.CharField("办理结论", max_length=16)
    payload = models.JSONField("回传内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)
    next_try_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "12345办理结果回传"
        verbose_name_plural = "12345办理结果回传"
        indexes = [
            # the county administrator's list: newest first, and its failures (shown first) by state
            models.Index(fields=["county", "-created_at"], name="hotlineanswer_county_new"),
            models.Index(fields=["county", "state", "-created_at"], name="hotlineanswer_county_state"),
            # the sweep that re-enqueues answers whose scheduled try was lost
            models.Index(fields=["next_try_at"], name="hotlineanswer_due", condition=models.Q(state="pending")),
        ]


class HotlineSatisfaction(models.Model):
    """The hotline's own return visit (回访) of a work order it sent us: imported from its
    spreadsheet (satisfaction.py), one per event, the latest import winning."""

    class Result(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        FAIRLY = "fairly", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    event = models.OneToOneField("events.Event", verbose_name="事件", on_delete=models.CASCADE, related_name="hotline_satisfaction")
    result = models.CharField("回访结果", max_length=16, choices=Result.choices)
    visited_at = models.DateTimeField("回访时间")
    comment = models.TextField("回访意见", blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = "12345回访结果"
        verbose_name_plural = "12345回访结果"
