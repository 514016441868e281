"""EnforcementPolicy: the enforcement team's county settings (综合执法的县级设置), one row per county,
edited by the county administrator on 执法设置 (`enforcement:settings`) and journaled. Ranges and
defaults are in `enforcement/policy.py`; a county without a row gets the defaults."""

from django.db import models


class EnforcementPolicy(models.Model):
    county = models.OneToOneField(
        "areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"}
    )
    # 国办发〔2018〕118号 (secondary: statutory-deadlines.md §2a): 行政处罚 decisions published within
    # 7 working days of the decision; the law itself (行政处罚法 Art. 48) sets no time.
    publish_within_days = models.PositiveSmallIntegerField("处罚决定公示时限(工作日)", default=7)
    # How early the officers' list warns of a certificate about to lapse (time to renew it).
    certificate_expiring_days = models.PositiveSmallIntegerField("执法证到期提醒(天)", default=30)
    # 行政处罚法 Art. 67(3): the fine paid within 15 days of receiving the decision.
    payment_days = models.PositiveSmallIntegerField("罚款缴纳期限(日)", default=15)
    # 行政处罚法 Art. 60 leaves extending the 90 days to law, regulation or rule: how many days all
    # extensions of one case may add, the county's practice being 30.
    extension_max_days = models.PositiveSmallIntegerField("办案期限延长上限(日)", default=30)
    # 行政处罚法 and seed 004 set no number of days for acknowledging (签收) a case transfer; the
    # county sets it, 5 working days until it does.
    transfer_acknowledge_days = models.PositiveSmallIntegerField("案件移送签收时限(工作日)", default=5)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "执法设置"
        verbose_name_plural = "执法设置"
