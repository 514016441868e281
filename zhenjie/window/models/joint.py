"""Joint decisions (联合办理, 行政许可法 Art. 26 para. 2 and Art. 42 para. 2): each unit the
application was routed to (`DecisionRoute`) records its own opinion — approve or refuse, its
reasons and the legal basis it decides under — and the lead unit decides last for all of them.
One row per unit and application, written once, when that unit's `decide` work is finished."""

from django.conf import settings
from django.db import models

from .application import Decision


class Opinion(models.Model):
    application = models.ForeignKey("window.Application", on_delete=models.CASCADE, related_name="opinions")
    unit = models.ForeignKey("units.Unit", verbose_name="审批单位", on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField("牵头单位", default=False)
    decision = models.CharField("意见", max_length=16, choices=Decision.choices)
    reason = models.TextField("意见说明", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    # The lead's reasons for approving although a co-deciding unit refused (WINDOW.md, "Joint
    # decisions"): required then, printed on the 决定书; empty otherwise.
    overruling = models.TextField("不采纳不同意见的理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("填写时间")

    class Meta:
        verbose_name = "联合审批意见"
        verbose_name_plural = "联合审批意见"
        ordering = ["application", "-lead", "decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "unit"], name="window_opinion_unit_once")]
