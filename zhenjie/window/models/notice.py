"""The one-time notice (一次性告知, 行政许可法 Art. 32(4)): what the front desk told the applicant
was missing or wrong, item by item from the guide. The first notice of an application fixes
what may ever be asked for again: a later notice may only name materials the first one named
(一次告知), so `NoticeItem` keeps each named material with what is wrong with it."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    application = models.ForeignKey("window.Application", on_delete=models.CASCADE, related_name="notices")
    round = models.PositiveSmallIntegerField("告知次序")  # 1 for the first notice of the application
    document = models.OneToOneField("kernel.Document", verbose_name="告知书", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("告知时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="告知人", on_delete=models.PROTECT, related_name="+")
    # When the applicant's supplement answered it: the check restarts from then (and, left over
    # 5 working days without a further notice, the application counts as accepted from then).
    supplied_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性告知书"
        verbose_name_plural = "一次性告知书"
        ordering = ["application", "round"]
        constraints = [models.UniqueConstraint(fields=["application", "round"], name="window_notice_round_once")]


class NoticeItem(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    material = models.ForeignKey("window.ApplicationMaterial", on_delete=models.PROTECT, related_name="notice_items")
    problem = models.CharField("存在问题", max_length=300)

    class Meta:
        verbose_name = "告知事项"
        verbose_name_plural = "告知事项"
        ordering = ["notice", "material__position"]
        constraints = [models.UniqueConstraint(fields=["notice", "material"], name="window_notice_item_once")]
