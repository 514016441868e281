"""Legal review, collective decision and the penalty decision of an enforcement case, and the
county's discretion benchmarks (裁量基准) the decision applies (行政处罚法 Arts. 57, 58, 60).

The benchmarks are county data: the county administrator edits them in the app (benchmarks.py;
the limit on extensions is on 执法设置, EnforcementPolicy); a case reads the rows in force when it is decided and the decision keeps
a copy of the range it applied, so a later edit never changes what a decision said."""

from django.conf import settings
from django.db import models

from .penalties import PenaltyKind
from django.db.models import F, Q


class DiscretionBenchmark(models.Model):
    """One circumstance of one power item in a county: the range of the fine and the other
    penalties (e.g. CF001 · 从轻: ¥1,000–5,000)."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    power_code = models.CharField("权责事项编码", max_length=64)
    circumstance = models.CharField("情节", max_length=60, help_text="如 从轻、一般、从重，或具体情形")
    fine_min = models.DecimalField("罚款下限(元)", max_digits=14, decimal_places=2)
    fine_max = models.DecimalField("罚款上限(元)", max_digits=14, decimal_places=2)
    other_penalties = models.TextField("其他处罚种类", blank=True)
    source_document = models.CharField("制定依据(文件)", max_length=200)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更新人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        constraints = [
            models.UniqueConstraint(fields=["county", "power_code", "circumstance"], name="benchmark_unique_circumstance"),
            models.CheckConstraint(condition=Q(fine_min__gte=0) & Q(fine_max__gte=F("fine_min")), name="benchmark_range_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.power_code} {self.circumstance}"


class LegalReview(models.Model):
    """One 法制审核 of a case (Art. 58): the reviewer's opinion against the checklist, passed or
    returned with the reason; its 法制审核意见书 is a kernel document."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField("审核通过")
    facts_clear = models.BooleanField("事实清楚")
    evidence_sufficient = models.BooleanField("证据确凿充分")
    procedure_lawful = models.BooleanField("程序合法")
    basis_correct = models.BooleanField("适用依据正确")
    penalty_appropriate = models.BooleanField("处罚适当")
    opinion = models.TextField("审核意见")
    return_reason = models.TextField("退回理由", blank=True)
    document = models.ForeignKey("kernel.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间")

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = "法制审核"
        indexes = [models.Index(fields=["enforcement", "reviewed_at"], name="review_case_time")]


class CollectiveMeeting(models.Model):
    """The leaders' collective discussion of a serious case (Art. 57): when, who, the minutes and
    the conclusion, and — when the fine leaves the benchmark's range — why."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField("会议日期")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="参会人员", related_name="+")
    minutes = models.TextField("会议纪要")
    conclusion = models.TextField("讨论结论")
    departure_reason = models.TextField("偏离裁量基准的理由", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"


class PenaltyDecision(models.Model):
    """The decision of a case: the penalty, the benchmark applied with the range it had then, the
    reasons, the meeting it came from; its 行政处罚决定书 is a kernel document."""

    enforcement = models.OneToOneField("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="decision")
    summary = models.BooleanField("简易程序(当场处罚)", default=False)
    kinds = models.JSONField("处罚种类", default=list)
    fine_amount = models.DecimalField("罚款金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation = models.TextField("没收财物或违法所得", blank=True)
    benchmark = models.ForeignKey(DiscretionBenchmark, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    benchmark_text = models.CharField("适用裁量基准", max_length=400, blank=True)
    reasons = models.TextField("处罚理由")
    meeting = models.ForeignKey(CollectiveMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("kernel.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")

    @property
    def kind_labels(self) -> str:
        labels = dict(PenaltyKind.choices)
        return "、".join(labels.get(kind, kind) for kind in self.kinds)

    class Meta:
        verbose_name = "行政处罚决定"
        verbose_name_plural = "行政处罚决定"
