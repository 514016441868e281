"""Evidence (证据): each item kept by the kernel's attachments under its SHA-256, with when, where
and by whom it was taken (执法全过程记录, 国办发〔2018〕118号), and the officers present: at least
two, each with a valid certificate (行政处罚法 Art. 42, 55)."""

from django.conf import settings
from django.db import models


class EvidenceKind(models.TextChoices):
    # Art. 46: 书证、物证、视听资料、电子数据、证人证言、当事人的陈述、鉴定意见、勘验笔录、现场笔录.
    INSPECTION_RECORD = "inspection_record", "现场检查笔录"
    INTERVIEW_RECORD = "interview_record", "询问笔录"
    PHOTO = "photo", "照片"
    VIDEO = "video", "视听资料"
    DOCUMENT = "document", "书证"
    ELECTRONIC = "electronic", "电子数据"
    OTHER = "other", "其他"


class Evidence(models.Model):
    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("证据种类", max_length=24, choices=EvidenceKind.choices)
    title = models.CharField("名称", max_length=200)
    attachment = models.ForeignKey("kernel.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    taken_at = models.DateTimeField("取证时间")
    place = models.CharField("取证地点", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="执法人员", related_name="+")
    # 现场检查笔录 and 询问笔录 kept as structured forms (who was inspected or questioned, what was
    # found, each question and answer: rules_evidence.RECORD_FORMS); empty for other kinds.
    record = models.JSONField("笔录内容", default=dict, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Each present officer's certificate number on the day taken ({officer id: number}), kept as
    # shown then: a later revocation does not rewrite what the party was shown (Art. 55).
    certificates = models.JSONField("执法证号", default=dict, blank=True)
    # The 笔录 printed from a record (documents.issue_record_paper), once: printing again gives it back.
    paper = models.OneToOneField("kernel.Document", verbose_name="笔录文书", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")  # fmt: skip

    class Meta:
        verbose_name = "证据"
        verbose_name_plural = "证据"
        indexes = [models.Index(fields=["enforcement", "taken_at"], name="evidence_case_taken")]

    def __str__(self) -> str:
        return self.title
