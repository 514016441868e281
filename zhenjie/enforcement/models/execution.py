"""Service and execution of a penalty decision (行政处罚法 Arts. 61, 66–73): how the decision
reached the party (送达), the party's consent to electronic service, payments, an approved
deferral or instalments, the application to the court, and how the case ended (结案)."""

from django.conf import settings
from django.db import models


class ServiceMethod(models.TextChoices):
    # 行政处罚法 Art. 61: handed over on the spot, else served within 7 days under 民事诉讼法
    # (Arts. 87–95: 留置、邮寄、公告); electronically only with the party's consent.
    IN_PERSON = "in_person", "当场交付"
    LEFT_AT_RESIDENCE = "left", "留置送达"
    POST = "post", "邮寄送达"
    PUBLIC_NOTICE = "notice", "公告送达"
    ELECTRONIC = "electronic", "电子送达"


class ServiceConsent(models.Model):
    """The party's signed consent to electronic service (Art. 61(2): 当事人同意并签订确认书)."""

    enforcement = models.OneToOneField("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="service_consent")
    # The party's mailbox or fax number: sealed like their other contact details (kernel/PII.md).
    address_cipher = models.TextField("电子送达地址(密文)")
    address_masked = models.CharField("电子送达地址", max_length=200)
    consented_on = models.DateField("确认书签订日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "电子送达确认书"
        verbose_name_plural = "电子送达确认书"


class Service(models.Model):
    enforcement = models.OneToOneField("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="service")
    method = models.CharField("送达方式", max_length=16, choices=ServiceMethod.choices)
    served_on = models.DateField("送达日期")
    received_by = models.CharField("受送达人(签收人)", max_length=60, blank=True)
    tracking_number = models.CharField("邮件单号", max_length=64, blank=True)
    # Art. 61: served within 7 (working, Art. 85) days of the decision; later is still service,
    # flagged and counted.
    late = models.BooleanField("逾期送达", default=False)
    payment_due_on = models.DateField("缴纳罚款期限")
    receipt = models.ForeignKey("kernel.Document", verbose_name="送达回证", null=True, on_delete=models.PROTECT, related_name="+")
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送达人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "送达"
        verbose_name_plural = "送达"


class Payment(models.Model):
    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    paid_on = models.DateField("缴款日期")
    reference = models.CharField("缴款凭证号/银行流水号", max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴款"
        verbose_name_plural = "缴款"
        indexes = [models.Index(fields=["enforcement", "paid_on"], name="payment_case_day")]
        constraints = [
            models.UniqueConstraint(fields=["enforcement", "reference"], name="payment_reference_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]


class PaymentPlan(models.Model):
    """An approved deferral or instalments (Art. 66: 确有经济困难 … 经当事人申请和行政机关批准).
    The latest plan of a case is the one in force; `schedule` is [{"due_on": "YYYY-MM-DD",
    "amount": "123.45"}] in date order, summing to the fine."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="payment_plans")
    schedule = models.JSONField("缴纳计划")
    reason = models.TextField("理由")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = "暂缓或分期缴纳"
        verbose_name_plural = "暂缓或分期缴纳"


class CourtResult(models.TextChoices):
    PENDING = "pending", "待法院裁定"
    ENFORCED = "enforced", "法院已强制执行"
    REFUSED = "refused", "法院不予执行"


class CourtApplication(models.Model):
    """申请人民法院强制执行 (行政处罚法 Art. 72(1)(四); 行政强制法 Arts. 53–54)."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="court_applications")
    applied_on = models.DateField("申请日期")
    court = models.CharField("受理法院", max_length=100)
    result = models.CharField("结果", max_length=16, choices=CourtResult.choices, default=CourtResult.PENDING)
    result_on = models.DateField("裁定(执行)日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    late = models.BooleanField("超过申请期限", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请法院强制执行"
        verbose_name_plural = "申请法院强制执行"


class Reminder(models.Model):
    """催告书 before the court is asked (行政强制法 Arts. 35, 36, 54): what is owed the day it is
    issued (the fine's unpaid part and the surcharge apart), by when to pay, how it was served,
    and what the party said in reply and how it was answered (Art. 36)."""

    enforcement = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="reminders")
    fine_owed = models.DecimalField("未缴罚款(元)", max_digits=14, decimal_places=2)
    surcharge_owed = models.DecimalField("加处罚款(元)", max_digits=14, decimal_places=2)
    amount_owed = models.DecimalField("催告金额(元)", max_digits=14, decimal_places=2)
    pay_by = models.DateField("履行期限")
    served_on = models.DateField("送达日期")
    method = models.CharField("送达方式", max_length=16, choices=ServiceMethod.choices)
    statement = models.TextField("当事人陈述、申辩", blank=True)
    answer = models.TextField("复核意见", blank=True)
    statement_recorded_at = models.DateTimeField("陈述申辩登记时间", null=True, blank=True)
    document = models.ForeignKey("kernel.Document", verbose_name="催告书", null=True, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催告人", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("催告时间", auto_now_add=True)

    class Meta:
        verbose_name = "催告"
        verbose_name_plural = "催告"


class ClosingOutcome(models.TextChoices):
    PAID = "paid", "罚款已全部缴清(或已履行完毕)"
    COURT = "court", "经人民法院强制执行"
    OTHER = "other", "其他情形终结执行"


class Closure(models.Model):
    enforcement = models.OneToOneField("enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="closure")
    outcome = models.CharField("结案情形", max_length=16, choices=ClosingOutcome.choices)
    reason = models.TextField("结案说明", blank=True)
    report = models.ForeignKey("kernel.Document", verbose_name="结案报告", null=True, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结案人", on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("结案时间", auto_now_add=True)

    class Meta:
        verbose_name = "结案"
        verbose_name_plural = "结案"
