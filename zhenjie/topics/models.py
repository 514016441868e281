"""每月一题 (monthly topic): each month a township's leaders take one kind of complaint that keeps
coming back in one place and make it a governance topic — a lead unit, a plan, milestones, and
progress reported every month, shown to the public. The proposals it starts from are computed
(proposals.py), not stored; a topic keeps the events behind it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Topic(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "推进中"
        DONE = "done", "已完成"

    township = models.ForeignKey("areas.Area", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("问题月份", help_text="提出问题所依据的月份(当月1日)")
    category = models.ForeignKey("events.Category", verbose_name="事件类别", on_delete=models.PROTECT, related_name="+")
    places = models.ManyToManyField("areas.Area", verbose_name="涉及区域", related_name="+")
    title = models.CharField("题目", max_length=100)
    complaint_count = models.PositiveIntegerField("当月诉求件数")
    lead_unit = models.ForeignKey("units.Unit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    plan = models.TextField("工作方案")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.ACTIVE)
    is_public = models.BooleanField("向社会公开", default=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确定人", on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField("确定时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    summary = models.TextField("完成情况", blank=True)
    events = models.ManyToManyField("events.Event", verbose_name="相关事件", related_name="topics")

    class Meta:
        verbose_name = "每月一题"
        verbose_name_plural = "每月一题"
        constraints = [models.UniqueConstraint(fields=["township", "month"], name="topic_one_per_township_month")]
        indexes = [models.Index(fields=["-month", "-id"], name="topic_month")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField("计划完成日期")
    text = models.CharField("节点内容", max_length=200)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("完成说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "工作节点"
        verbose_name_plural = "工作节点"
        ordering = ["due_on", "pk"]

    @property
    def is_late(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class Progress(models.Model):
    """The lead unit's report for one month (月度进展)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="progress")
    month = models.DateField("月份")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间", default=timezone.now)

    class Meta:
        verbose_name = "月度进展"
        verbose_name_plural = "月度进展"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["topic", "month"], name="topic_progress_once_a_month")]
