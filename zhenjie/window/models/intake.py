"""Scans taken in at intake: which guide material each uploaded file is. The file itself is a
kernel attachment on the case (purpose "material", ATTACHMENTS.md), stored once by SHA-256."""

from django.db import models


class MaterialScan(models.Model):
    material = models.ForeignKey("window.ApplicationMaterial", on_delete=models.CASCADE, related_name="scans")
    attachment = models.OneToOneField("kernel.Attachment", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "材料扫描件"
        verbose_name_plural = "材料扫描件"
        ordering = ["material", "pk"]
