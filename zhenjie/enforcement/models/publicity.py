"""执法公示 of penalty decisions (行政处罚法 Art. 48): one row per decided case — whether it has
social impact (the officer's mark; general-procedure decisions default to yes), when it is due,
the text as published (the party's name masked), and its withdrawal when the decision is changed
or revoked (within 3 working days, with the reason)."""

from django.conf import settings
from django.db import models


class Publication(models.Model):
    enforcement = models.OneToOneField("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="publication")
    # Shown on the township's public page; kept here so the public list never joins the case.
    township = models.ForeignKey("areas.Area", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    social_impact = models.BooleanField("具有一定社会影响", default=True)
    no_impact_reason = models.CharField("不予公示理由", max_length=200, blank=True)
    due_on = models.DateField("公示期限", null=True, blank=True)
    title = models.CharField("标题", max_length=200, blank=True)
    text = models.TextField("公示内容", blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公示人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField("逾期公示", default=False)
    changed_on = models.DateField("决定变更(撤销)日期", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_reason = models.CharField("撤回理由", max_length=500, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_late = models.BooleanField("逾期撤回", default=False)

    class Meta:
        verbose_name = "处罚决定公示"
        verbose_name_plural = "处罚决定公示"
        indexes = [models.Index(fields=["township", "withdrawn_at", "-published_at"], name="publication_public")]

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None
