"""An application (办件): one service item asked for by one applicant, from intake at a window,
a village agent point, a home visit or online, to decision and delivery. The case header
(kernel.Case: number, area, state, deadline, rating, tracking code) holds what every kind has;
this row holds what the window adds. The guide it was filed under is the version in force that
day (`service_item` points at that version's row), so a later revision of the guide never
changes what an applicant was asked for."""

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    # Seed 001 §四(一)2–3: 乡镇或村代办点前台综合受理; 上门服务和全程代办; online (一网通办).
    WINDOW = "window", "窗口受理"
    AGENT_POINT = "agent_point", "村级代办点"
    HOME_VISIT = "home_visit", "上门服务"
    ONLINE = "online", "网上申请"


class Decision(models.TextChoices):
    APPROVED = "approved", "准予"
    REFUSED = "refused", "不予"


class DeliveryMethod(models.TextChoices):
    # 统一窗口出件 (seed 001 §四(一)2): at the window, by post, or at the agent point it came from.
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄送达"
    AGENT_POINT = "agent_point", "代办点领取"


class Application(models.Model):
    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="application")
    service_item = models.ForeignKey("lists.ServiceItem", verbose_name="办理事项", on_delete=models.PROTECT, related_name="+")
    # Copied from the guide at intake: lists and figures group by code across guide versions.
    item_code = models.CharField("事项编码", max_length=64)
    item_name = models.CharField("事项名称", max_length=200)
    applicant = models.ForeignKey("kernel.Party", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    # Who took it in, and where: the window's or agent point's unit issues the notice and the
    # receipts and hands over the result (统一窗口出件); `filed_by` is the clerk or agent who filed
    # it for the applicant (empty when the applicant applied online themselves).
    intake_unit = models.ForeignKey("units.Unit", verbose_name="受理单位", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代为申报人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The citizen account that applied online (网上申请): whose "my applications" it shows in.
    citizen_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="网上申请账号", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField("收件时间")
    # 行政许可法 Art. 32(4): the one-time notice on the spot or within 5 working days of receipt,
    # else the application counts as accepted from the day the materials were received.
    notice_due_at = models.DateTimeField("一次性告知期限")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    deemed_accepted = models.BooleanField("逾期未告知视为受理", default=False)
    deciding_unit = models.ForeignKey(
        "units.Unit", verbose_name="审批单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField("审批结果", max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    # Decided after the case's deadline (the clock as it stood then, pauses and extensions
    # counted): kept at the decision, so the on-time rate reads it and a later change cannot.
    decided_late = models.BooleanField("超期决定", default=False)
    # Where the applicant collects the result when not at the unit that took it in (统一窗口出件 at
    # a village agent point, seed 002 §三(六)): an agent point's unit of the same township, chosen
    # at filing or later; or the township's centre for an application filed at a point whose
    # applicant later chose the window or the post. Empty: the intake unit. See `handover_unit`.
    delivery_point = models.ForeignKey(
        "units.Unit", verbose_name="出件单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # How the applicant asked to collect it after filing (actions.delivery.change_collection);
    # empty: as filed (`delivery.collection_of`). By post, to this address.
    collection = models.CharField("领取方式", max_length=16, choices=DeliveryMethod.choices, blank=True)
    post_address = models.CharField("邮寄地址", max_length=200, blank=True)
    delivery_method = models.CharField("出件方式", max_length=16, choices=DeliveryMethod.choices, blank=True)
    tracking_number = models.CharField("邮寄单号", max_length=64, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["applicant", "received_at"], name="application_applicant"),
            models.Index(fields=["item_code", "received_at"], name="application_item"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.item_name}"

    @property
    def handover_unit_id(self) -> int:
        return self.delivery_point_id or self.intake_unit_id

    @property
    def handover_unit(self):
        """The unit that hands the result over: the agent point chosen for it, else the intake unit."""
        return self.delivery_point if self.delivery_point_id else self.intake_unit

    @property
    def channel_label(self) -> str:
        channel = self.case.channel
        return Channel(channel).label if channel in Channel.values else channel


class MaterialStatus(models.TextChoices):
    RECEIVED = "received", "已收取"
    DEFERRED = "deferred", "容缺后补"
    MISSING = "missing", "缺少"
    DEFECTIVE = "defective", "需补正"


class ApplicationMaterial(models.Model):
    """One material the guide asks for, as the applicant brought it. Rows are made from the
    guide's list at intake (one per ServiceMaterial), never typed free."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    guide_material = models.ForeignKey("lists.ServiceMaterial", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=200)
    status = models.CharField("收取情况", max_length=16, choices=MaterialStatus.choices)
    form = models.CharField("收取形式", max_length=16, blank=True)  # lists.MaterialForm, as received
    copies = models.PositiveSmallIntegerField("份数", default=0)
    problem = models.CharField("存在问题", max_length=300, blank=True)  # what is wrong, for the notice
    due_on = models.DateField("后补期限", null=True, blank=True)  # a deferred paper's date (容缺)
    supplied_at = models.DateTimeField("补齐时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "guide_material"], name="application_material_once"),
            models.CheckConstraint(
                condition=~models.Q(status="deferred") | models.Q(due_on__isnull=False), name="application_material_deferred_dated"
            ),
        ]
