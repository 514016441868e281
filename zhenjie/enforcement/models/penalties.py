"""The kinds of administrative penalty, one list for the notice (part 3) and the decision (part 4)."""

from django.db import models


class PenaltyKind(models.TextChoices):
    # Art. 9: the kinds of administrative penalty (行政拘留 is the police's, not a township's).
    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    LOWER_QUALIFICATION = "lower_qualification", "降低资质等级"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    LIMIT_BUSINESS = "limit_business", "限制开展生产经营活动"
    STOP_BUSINESS = "stop_business", "责令停产停业"
    CLOSE = "close", "责令关闭"
    BAN_PRACTICE = "ban_practice", "限制从业"
