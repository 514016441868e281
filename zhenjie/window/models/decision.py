"""The hand-over of a decided application (统一窗口出件, seed 001 §四(一)2): who received the result,
when and how, with the numbered slip they signed (送达回证 / 领取签收单) and, optionally, the scan
of the signed paper. The decision itself is on the application (decision, reasons, legal basis,
decided_at, decided_late) and its numbered 决定书 among the case's documents."""

from django.conf import settings
from django.db import models

from .application import DeliveryMethod


class Handover(models.Model):
    application = models.OneToOneField("window.Application", on_delete=models.PROTECT, related_name="handover")
    method = models.CharField("出件方式", max_length=16, choices=DeliveryMethod.choices)
    received_by = models.CharField("领取人", max_length=50, blank=True)  # empty for a post delivery: the postal receipt says
    tracking_number = models.CharField("邮寄单号", max_length=64, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+")
    handed_over_at = models.DateTimeField("出件时间")
    slip = models.ForeignKey("kernel.Document", verbose_name="送达回证", on_delete=models.PROTECT, related_name="+")
    signed_scan = models.ForeignKey(
        "kernel.Attachment", verbose_name="签收单扫描件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "出件记录"
        verbose_name_plural = "出件记录"
        constraints = [
            models.CheckConstraint(condition=~models.Q(method="post") | ~models.Q(tracking_number=""), name="handover_post_tracked"),
        ]
