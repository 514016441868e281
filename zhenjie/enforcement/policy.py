"""The enforcement team's county settings (models.EnforcementPolicy): read for a case's county,
changed by the county administrator only, range-checked and journaled (`settings.enforcement`)."""

from zhenjie.areas.models import Area
from zhenjie.kernel.county_settings import CountySettings

from .models import EnforcementPolicy

# Ranges a county may choose from. Publishing: 国办发〔2018〕118号 (secondary, statutory-deadlines.md
# §2a) gives 7 working days for penalties and 20 for general decisions — no county may wait longer
# than the general 20. Payment: Art. 67(3) fixes 15 days; a county may not shorten the party's
# time, and longer than 60 days is a deferral (Art. 66), approved case by case. Extensions of
# Art. 60's 90 days: nothing in the county's practice comes near doubling them. Transfers: the law
# and seed 004 give no number of days to acknowledge one; a month is the longest a county may set.
LIMITS = {
    "publish_within_days": (1, 20, "处罚决定公示时限须在1至20个工作日之间"),
    "certificate_expiring_days": (1, 180, "执法证到期提醒须在1至180天之间"),
    "payment_days": (15, 60, "罚款缴纳期限须在15至60日之间(《行政处罚法》第六十七条：不少于十五日)"),
    "extension_max_days": (0, 90, "办案期限延长上限须在0至90日之间"),
    "transfer_acknowledge_days": (1, 30, "案件移送签收时限须在1至30个工作日之间"),
}
DEFAULTS = {
    "publish_within_days": 7,
    "certificate_expiring_days": 30,
    "payment_days": 15,
    "extension_max_days": 30,
    "transfer_acknowledge_days": 5,
}
SETTINGS = CountySettings(EnforcementPolicy, LIMITS, DEFAULTS, verb="settings.enforcement", summary="修改执法设置")


def policy_for(area: Area) -> EnforcementPolicy:
    """The settings of the county holding `area` (an unsaved row of defaults where none was saved)."""
    return SETTINGS.for_area(area)


def policy_at(path: str) -> EnforcementPolicy:
    """The settings of the county holding the area at `path` ("" or a path outside any saved
    county: the defaults)."""
    return SETTINGS.at(path)


def update_enforcement_policy(actor, *, version: int | None = None, **values) -> EnforcementPolicy:
    """Save the actor's county's settings (a save over a newer version is a Conflict)."""
    return SETTINGS.update(actor, version=version, **values)
