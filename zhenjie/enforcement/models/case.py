"""An enforcement case (执法案件): one suspected violation by one party, from the lead to the
archive. The case header (kernel.Case: number, area, state, deadline, owner unit) holds what every
kind has; this row holds what enforcement adds. The power it is handled under is copied from the
list in force on the registration date, with the basis that allowed the township to act
(its own power list or a delegation, `lists.queries.exercise_basis`), so a later revision of the
list never changes what a case was registered under."""

from django.db import models


class Source(models.TextChoices):
    # 行政处罚法 Art. 54 and seed 004 §二: leads from the grid, patrols, complaints, transfers, inspections.
    EVENT = "event", "事件转来"
    PATROL = "patrol", "巡查发现"
    COMPLAINT = "complaint", "投诉举报"
    TRANSFER = "transfer", "部门移送"
    INSPECTION = "inspection", "执法检查"


class Procedure(models.TextChoices):
    GENERAL = "general", "普通程序"
    SUMMARY = "summary", "简易程序"  # Art. 51: on the spot, fines up to ¥200 / ¥3,000


class EnforcementCase(models.Model):
    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="enforcement")
    # The team acts in the township's name (相对集中行使行政处罚权, seed 004 §二); `team` is the
    # enforcement team's unit, the township is the case's area.
    team = models.ForeignKey("units.Unit", verbose_name="执法机构", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("案件来源", max_length=16, choices=Source.choices)
    procedure = models.CharField("程序", max_length=16, choices=Procedure.choices, default=Procedure.GENERAL)
    party = models.ForeignKey("kernel.Party", verbose_name="当事人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField("违法地点", max_length=200, blank=True)
    facts = models.TextField("案情摘要", blank=True)
    # Art. 36: no penalty once 2 years (5 where life, health, finance are at stake) have passed
    # since the act, counted from the day it ended when it continued.
    occurred_on = models.DateField("违法行为发生(终了)日期", null=True, blank=True)
    # Art. 36: the period is 5 years where the act endangers life, health or financial security
    # and caused harm; the officer marks it, the registration counts by it.
    endangers_safety = models.BooleanField("涉及生命健康安全、金融安全且有危害后果", default=False)
    discovered_at = models.DateTimeField("发现时间")
    # Copied at registration from the list in force that day (lists.queries.exercise_basis).
    power_code = models.CharField("权责事项编码", max_length=64, blank=True)
    power_name = models.CharField("权责事项名称", max_length=200, blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    power_source = models.CharField("行使依据", max_length=16, blank=True)  # power_list | delegation
    delegation = models.ForeignKey("lists.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    # Art. 58: 重大执法决定 need legal review before the decision; Art. 57: serious cases need
    # the collective decision of the organ's heads.
    is_major = models.BooleanField("重大执法决定", default=False)
    is_serious = models.BooleanField("情节复杂或重大违法", default=False)
    fine_amount = models.DecimalField("罚款金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    served_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "执法案件"
        verbose_name_plural = "执法案件"
        indexes = [
            models.Index(fields=["power_code", "registered_at"], name="enforcement_power"),
            models.Index(fields=["party", "discovered_at"], name="enforcement_party"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.case.title}"
