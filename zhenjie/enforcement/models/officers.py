"""Enforcement certificates (执法证): an officer acts only with a certificate valid on the day and
for the place (行政处罚法 Art. 42: 执法人员应当具有行政执法资格; Art. 55: show it to the party)."""

from datetime import date

from django.conf import settings
from django.db import models


class Certificate(models.Model):
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="执法人员", on_delete=models.PROTECT,
                                related_name="enforcement_certificates")  # fmt: skip
    number = models.CharField("执法证号", max_length=32, unique=True)
    issuer = models.CharField("发证机关", max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name="执法区域", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    training_hours = models.PositiveIntegerField("年度培训学时", default=0)

    class Meta:
        verbose_name = "执法证"
        verbose_name_plural = "执法证"
        indexes = [models.Index(fields=["officer", "valid_until"], name="certificate_officer")]

    def __str__(self) -> str:
        return f"{self.number}({self.officer})"

    def valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until
