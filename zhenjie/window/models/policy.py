"""WindowPolicy: the window's county settings (便民服务一窗口的县级设置), one row per county, edited by
the county administrator on 窗口设置 (`window:settings`) and journaled. Every part of the window
that needs a number a county may choose adds its field here, with its range in
`window/policy.py`; a county without a row gets the defaults there."""

from django.db import models


class WindowPolicy(models.Model):
    county = models.OneToOneField(
        "areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"}
    )
    # 好差评: a poor rating is followed up and rectified within a set time (国办发〔2019〕51号 as
    # statutory-deadlines.md §8 cites it: 差评整改); the county sets how many working days.
    rectification_days = models.PositiveSmallIntegerField("差评整改时限(工作日)", default=5)
    # 出件: the time to hand over a result that is not a licence (Art. 44's 10 days covers licences
    # only); the county's own promise.
    delivery_days = models.PositiveSmallIntegerField("出件时限(工作日)", default=10)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "窗口设置"
        verbose_name_plural = "窗口设置"
