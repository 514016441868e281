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
