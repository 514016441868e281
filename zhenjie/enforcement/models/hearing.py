"""Before the decision (行政处罚法 Arts. 44, 45, 62–64): the notice of the intended penalty with the
party's rights (事先告知), what the party said and the team's answer (陈述申辩), and the hearing
(听证) when the party has the right and asks in time. The county's hearing thresholds are data
(`HearingThreshold`): Art. 63 leaves "较大数额" to the provinces and counties."""

from django.conf import settings
from django.db import models

from .penalties import PenaltyKind


class HearingThreshold(models.Model):
    """From which fine (or value confiscated) a party has the right to a hearing (Art. 63(1)(1)–(2):
    较大数额), per county and kind of party. Without a row, `rules_hearing.DEFAULT_THRESHOLDS`."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    party_kind = models.CharField("当事人类型", max_length=16, choices=[("person", "个人"), ("organisation", "单位")])
    amount = models.DecimalField("较大数额(元)", max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "听证标准"
        verbose_name_plural = "听证标准"
        constraints = [
            models.UniqueConstraint(fields=["county", "party_kind"], name="hearing_threshold_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="hearing_threshold_positive"),
        ]


class PenaltyNotice(models.Model):
    """行政处罚事先告知: one per time the party is told (a case returned by the legal review and
    notified again has two; the latest counts)."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="notices")
    penalty_kinds = models.JSONField("拟处罚种类", default=list)
    fine_amount = models.DecimalField("拟罚款金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_value = models.DecimalField("拟没收金额或价值(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    penalty_text = models.TextField("拟处罚内容", blank=True)
    facts = models.TextField("违法事实")
    legal_basis = models.TextField("处罚依据")
    hearing_right = models.BooleanField("享有听证权利", default=False)
    notified_at = models.DateTimeField("告知时间")
    # Art. 64(1): the party asks for a hearing within 5 (working, Art. 85) days of the notice.
    reply_until = models.DateField("陈述申辩、要求听证期限")
    document = models.ForeignKey("kernel.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="告知人", on_delete=models.PROTECT, related_name="+")
    # The party gave up in writing their remaining time to speak and ask for a hearing.
    waived_at = models.DateTimeField("书面放弃时间", null=True, blank=True)
    waiver = models.TextField("放弃声明", blank=True)

    class Meta:
        verbose_name = "行政处罚事先告知"
        verbose_name_plural = "行政处罚事先告知"
        indexes = [models.Index(fields=["enforcement", "notified_at"], name="penalty_notice_case")]

    def kind_labels(self) -> list[str]:
        return [PenaltyKind(k).label for k in self.penalty_kinds if k in PenaltyKind.values]


class StatementChannel(models.TextChoices):
    ORAL = "oral", "口头(已制作笔录)"
    WRITTEN = "written", "书面"
    OTHER = "other", "其他方式"


class Statement(models.Model):
    """陈述申辩 (Art. 45): what the party said, and the team's review of it (复核)."""

    notice = models.ForeignKey(PenaltyNotice, on_delete=models.PROTECT, related_name="statements")
    made_at = models.DateTimeField("陈述申辩时间")
    channel = models.CharField("方式", max_length=16, choices=StatementChannel.choices)
    content = models.TextField("陈述申辩内容")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    adopted = models.BooleanField("是否采纳", null=True, blank=True)
    answer = models.TextField("复核意见", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    answered_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "陈述申辩"
        verbose_name_plural = "陈述申辩"
        indexes = [models.Index(fields=["notice", "made_at"], name="statement_notice")]


class HearingOutcome(models.TextChoices):
    HELD = "held", "已举行"
    ABSENT = "absent", "当事人无正当理由拒不出席"
    WITHDREW = "withdrew", "当事人未经许可中途退出或撤回申请"


class Hearing(models.Model):
    """听证 (Arts. 63–65): asked for in time, scheduled with its notice, then held or ended."""

    notice = models.OneToOneField(PenaltyNotice, on_delete=models.PROTECT, related_name="hearing")
    requested_at = models.DateTimeField("申请时间")
    request_channel = models.CharField("申请方式", max_length=16, choices=StatementChannel.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField("听证时间", null=True, blank=True)
    place = models.CharField("听证地点", max_length=200, blank=True)
    presiding = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="听证主持人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")  # fmt: skip
    scheduled_document = models.ForeignKey("kernel.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("听证结果", max_length=16, choices=HearingOutcome.choices, blank=True)
    attendees = models.TextField("参加人员", blank=True)
    summary = models.TextField("听证情况", blank=True)
    concluded_at = models.DateTimeField("听证结束登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "听证"
        verbose_name_plural = "听证"
