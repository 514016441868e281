from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One uploaded file between its preview and its confirmation, and afterwards the record of
    what it did. The file itself is kept by its SHA-256 (default storage, `movein/`), so the
    confirmation re-reads exactly the bytes that were previewed; the plan is recomputed then and
    must have the digest the administrator saw (`plan_digest`)."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        REFUSED = "refused", "有错误，未导入"
        APPLIED = "applied", "已导入"
        UNCHANGED = "unchanged", "无变化"

    kind = models.CharField("类别", max_length=16)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小(字节)")
    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    state = models.CharField("状态", max_length=16, choices=State.choices)
    plan_digest = models.CharField("预览摘要", max_length=64, blank=True)
    counts = models.JSONField("数量", default=dict)
    errors = models.JSONField("错误", default=list)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    with_removal = models.BooleanField("含删除", default=False)

    class Meta:
        verbose_name = "迁入导入记录"
        verbose_name_plural = "迁入导入记录"
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="movein_run_uploader")]
        constraints = [models.CheckConstraint(condition=~models.Q(kind=""), name="movein_run_kind_set")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"
