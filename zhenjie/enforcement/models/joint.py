"""Joint enforcement operations (联合执法): the township's team leads, the units stationed in the
township (派出所、市场监管所…) and county departments take part under the township's command
(seed 004 §二: 派驻机构纳入乡镇和街道统一指挥协调; seed 001 §四(二); seed 003 §四 二: 统筹协调辖区内
派驻人员和基层执法力量实行联合执法). Each participant's part is recorded by that unit or the team."""

from django.conf import settings
from django.db import models


class OperationStatus(models.TextChoices):
    PLANNED = "planned", "已计划"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class JointOperation(models.Model):
    township = models.ForeignKey("areas.Area", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("行动名称", max_length=200)
    planned_at = models.DateTimeField("计划时间")
    place = models.CharField("地点", max_length=200)
    lead_unit = models.ForeignKey("units.Unit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    cases = models.ManyToManyField(
        "enforcement.EnforcementCase", verbose_name="关联案件", blank=True, related_name="joint_operations"
    )
    status = models.CharField("状态", max_length=16, choices=OperationStatus.choices, default=OperationStatus.PLANNED)
    summary = models.TextField("行动总结", blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计划人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成或取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "联合执法行动"
        verbose_name_plural = "联合执法行动"
        indexes = [models.Index(fields=["township", "planned_at"], name="joint_township_planned")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    operation = models.ForeignKey(JointOperation, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("units.Unit", verbose_name="参与单位", on_delete=models.PROTECT, related_name="+")
    task = models.CharField("职责分工", max_length=200)
    headcount = models.PositiveSmallIntegerField("计划人数")
    # The part as done, recorded by the unit itself or the team.
    people = models.PositiveSmallIntegerField("实到人数", null=True, blank=True)
    work_done = models.TextField("开展情况", blank=True)
    findings = models.TextField("发现问题", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        verbose_name = "联合执法参与单位"
        verbose_name_plural = "联合执法参与单位"
        constraints = [models.UniqueConstraint(fields=["operation", "unit"], name="joint_participant_once")]
        indexes = [models.Index(fields=["unit", "operation"], name="joint_participant_unit")]
