"""Case transfers (案件移送) between the township's team and the county departments, both ways
(seed 004 §二: 建立健全乡镇和街道与县直部门行政执法案件移送及协调协作机制). How long the
receiving side has to acknowledge (签收) one is the county's setting on 执法设置
(EnforcementPolicy.transfer_acknowledge_days)."""

from django.conf import settings
from django.db import models


class Direction(models.TextChoices):
    OUT = "out", "移出(乡镇→部门)"
    IN = "in", "移入(部门→乡镇)"


class Answer(models.TextChoices):
    PENDING = "pending", "待签收"
    ACCEPTED = "accepted", "已签收"
    REFUSED = "refused", "已退回"


class Transfer(models.Model):
    """One transfer of one enforcement case: out to the department holding the power, or in from
    a department to the team. What was passed along (facts, evidence list) is kept as sent."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField("方向", max_length=8, choices=Direction.choices)
    # The county department: the receiving one of a transfer out, the sending one of a transfer in.
    department = models.ForeignKey("units.Unit", verbose_name="县直部门", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("units.Unit", verbose_name="执法机构", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("移送理由")
    letter_number = models.CharField("移送函文号", max_length=64, blank=True)
    power_code = models.CharField("权责事项编码", max_length=64, blank=True)
    facts = models.TextField("案情", blank=True)
    evidence_list = models.JSONField("证据清单", default=list, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="移送人", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("移送时间")
    acknowledge_due = models.DateTimeField("签收时限")
    answer = models.CharField("签收情况", max_length=16, choices=Answer.choices, default=Answer.PENDING)
    answer_reason = models.TextField("退回理由", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("签收时间", null=True, blank=True)
    document = models.ForeignKey(
        "kernel.Document", verbose_name="移送函", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "案件移送"
        verbose_name_plural = "案件移送"
        indexes = [
            models.Index(fields=["department", "sent_at"], name="transfer_department_sent"),
            models.Index(fields=["enforcement", "sent_at"], name="transfer_case_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.department}"
