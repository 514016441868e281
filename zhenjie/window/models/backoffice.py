"""The back office's records (issue 15 item 3): who decides an accepted application and why
(routing), the statutory clock that runs from acceptance, and the periods the clock stood still
(行政许可法 Art. 45). The case header (kernel.Case) carries the running deadline — the promised
limit — with its pauses and extensions; these rows carry what the header cannot."""

from django.conf import settings
from django.db import models


class RouteSource(models.TextChoices):
    # Why this unit decides (lists.queries.ExerciseBasis.source, plus the level rule).
    POWER_LIST = "power_list", "乡镇权责清单"
    DELEGATION = "delegation", "赋权"
    DEPARTMENT = "department", "县级部门权责清单"
    LEVEL = "level", "办理层级"


class DecisionRoute(models.Model):
    """One unit that decides the application; a joint item (Art. 42 para. 2) has several, each
    with its own `decide` assignment. Written once, at acceptance."""

    application = models.ForeignKey("window.Application", on_delete=models.CASCADE, related_name="routes")
    unit = models.ForeignKey("units.Unit", verbose_name="审批单位", on_delete=models.PROTECT, related_name="+")
    power_code = models.CharField("权责事项编码", max_length=64, blank=True)
    source = models.CharField("依据类型", max_length=16, choices=RouteSource.choices)
    basis = models.CharField("确定依据", max_length=500)
    lead = models.BooleanField("主办", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "审批单位"
        verbose_name_plural = "审批单位"
        ordering = ["application", "position"]
        constraints = [models.UniqueConstraint(fields=["application", "unit"], name="decision_route_unit_once")]


class StatutoryClock(models.Model):
    """The limits set at acceptance. The case deadline (Case.due_at) is the promised one; the
    statutory one is worked out from the same start, pauses and extensions (clock.statutory_due)."""

    application = models.OneToOneField("window.Application", on_delete=models.CASCADE, related_name="clock")
    started_at = models.DateTimeField("起算时间")
    # Art. 32(4): no notice within 5 working days — accepted from the day the materials came in.
    from_receipt = models.BooleanField("自收件之日起算", default=False)
    statutory_days = models.PositiveSmallIntegerField("法定时限(工作日)", null=True, blank=True)  # none set by law
    promised_days = models.PositiveSmallIntegerField("承诺时限(工作日)")
    joint = models.BooleanField("联合办理", default=False)
    extension_max = models.PositiveSmallIntegerField("可延长上限(工作日)")

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"


class ExclusionKind(models.TextChoices):
    # 行政许可法 Art. 45: the procedures whose time is not counted in the decision limit.
    HEARING = "hearing", "听证"
    TENDER = "tender", "招标"
    AUCTION = "auction", "拍卖"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"


class ExcludedPeriod(models.Model):
    """A period the clock stood still, with what the applicant was told (特别程序告知书)."""

    application = models.ForeignKey("window.Application", on_delete=models.CASCADE, related_name="excluded_periods")
    kind = models.CharField("特别程序", max_length=16, choices=ExclusionKind.choices)
    reason = models.CharField("理由", max_length=500)
    expected_days = models.PositiveSmallIntegerField("预计所需时间(工作日)")
    started_at = models.DateTimeField("开始时间")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey("kernel.Document", verbose_name="特别程序告知书", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "特别程序期间"
        verbose_name_plural = "特别程序期间"
        ordering = ["application", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(ended_at__isnull=True), name="excluded_period_one_open"),
        ]
