"""Village agent points (代办点) and their agents (issue 15 item 5).

Seed 001 §四(一)2: 推进村级便民服务点…全覆盖，努力实现“简单事项不出村、复杂事项可代办”; §四(一)3:
提升村级“一次不跑”代办点功能…实行周一至周五值班制; seed 002 §三(六): 乡镇或村代办点前台综合受理，
县乡(镇)后台分类办理，乡镇或村代办点统一窗口出件.

How a person is tied to a point: a point *is* one unit — the village committee (村民委员会) or
the 党群服务中心 it sits in (`unit`, one point per unit) — and its agents are the people holding an
active post with the village_agent role in that unit. Posting and ending agents is the accounts
app's ordinary post management; nothing here copies the roster of people. An application filed
at the point carries the point's unit as its `intake_unit` (Application), which is how the
ledger finds the papers the point holds."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

NAME_MAX = 64
PHONE_MAX = 32
ADDRESS_MAX = 200
HOURS_MAX = 100
SIGNER_MAX = 32
NOTE_MAX = 200


class AgentPoint(models.Model):
    township = models.ForeignKey(
        "areas.Area", verbose_name="所属乡镇(街道)", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "township"}
    )
    unit = models.OneToOneField("units.Unit", verbose_name="所在机构", on_delete=models.PROTECT, related_name="agent_point")
    name = models.CharField("代办点名称", max_length=NAME_MAX)
    villages = models.ManyToManyField("areas.Area", verbose_name="服务村(社区)", related_name="+")
    phone = models.CharField("联系电话", max_length=PHONE_MAX)
    address = models.CharField("地址", max_length=ADDRESS_MAX)
    hours = models.CharField("开放时间", max_length=HOURS_MAX)
    is_active = models.BooleanField("在用", default=True)
    # Bumped by every roster change: two managers editing the roster at once — the second is
    # refused instead of silently overwriting the first (compare-and-set).
    roster_version = models.PositiveIntegerField("值班表版本", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "代办点"
        verbose_name_plural = "代办点"
        ordering = ["township", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="agent_point_name_unique_in_township")]
        indexes = [models.Index(fields=["township", "is_active", "name"], name="agent_point_township")]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    # 周一至周五值班制 (seed 001 §四(一)3): the roster has the five working weekdays only.
    MONDAY = 0, "周一"
    TUESDAY = 1, "周二"
    WEDNESDAY = 2, "周三"
    THURSDAY = 3, "周四"
    FRIDAY = 4, "周五"


class DutySlot(models.Model):
    """One line of a point's on-duty roster (值班表): who is on duty on which weekday, from when to when."""

    point = models.ForeignKey(AgentPoint, on_delete=models.CASCADE, related_name="duty_slots")
    weekday = models.PositiveSmallIntegerField("星期", choices=Weekday.choices)
    starts = models.TimeField("开始")
    ends = models.TimeField("结束")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="值班代办员", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["point", "weekday", "starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=4), name="duty_slot_monday_to_friday"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="duty_slot_ends_after_start"),
        ]


class AgentSetting(models.Model):
    """A county's rule for its agent points: within how many working days an agent carries the
    originals filed at the point to the service centre. No row means DEFAULT_CARRY_DAYS."""

    county = models.OneToOneField(
        "areas.Area", verbose_name="县(市、区)", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"}
    )
    carry_days = models.PositiveSmallIntegerField("原件送交时限(工作日)")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "代办点设置"
        verbose_name_plural = "代办点设置"
        constraints = [models.CheckConstraint(condition=Q(carry_days__gte=1, carry_days__lte=30), name="agent_setting_carry_1_to_30")]


class Direction(models.TextChoices):
    TO_CENTRE = "to_centre", "原件送交中心"  # 前台综合受理 at the point → 后台 at the centre
    TO_POINT = "to_point", "结果送回代办点"  # 统一窗口出件 at the point it came from


class PaperTransfer(models.Model):
    """One line of the papers ledger (代办件流转台账): an application's originals carried from the
    point to the centre, or its result carried back to the point, with who received and signed."""

    application = models.ForeignKey("window.Application", verbose_name="办件", on_delete=models.PROTECT, related_name="paper_transfers")
    point = models.ForeignKey(AgentPoint, verbose_name="代办点", on_delete=models.PROTECT, related_name="paper_transfers")
    direction = models.CharField("流转方向", max_length=16, choices=Direction.choices)
    handed_at = models.DateTimeField("交接时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    received_by = models.CharField("签收人", max_length=SIGNER_MAX)
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)
    # The numbered 代办件交接单 both sides sign, issued with the line (window/transfer_slips.py).
    slip = models.OneToOneField("kernel.Document", verbose_name="交接单", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "代办件交接"
        verbose_name_plural = "代办件交接"
        ordering = ["-handed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["application", "direction"], name="paper_transfer_once_per_direction")]
        indexes = [models.Index(fields=["point", "handed_at"], name="paper_transfer_point_time")]


class PointItem(models.Model):
    """The township's word on one guide item at one point, against the guide's 村级代办点可办 mark:
    `takes` False removes a marked item from this point; True entrusts it with an unmarked one
    (复杂事项可代办, seed 001 §四(一)2). Keyed by the item's code, so it holds across revisions of
    the guide; no row means the guide's mark decides (points.items_for_point)."""

    point = models.ForeignKey(AgentPoint, on_delete=models.CASCADE, related_name="item_choices")
    code = models.CharField("事项编码", max_length=64)
    takes = models.BooleanField("可代办")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "代办点事项调整"
        verbose_name_plural = "代办点事项调整"
        constraints = [models.UniqueConstraint(fields=["point", "code"], name="point_item_once")]
