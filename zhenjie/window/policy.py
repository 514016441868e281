"""The window's county settings (models.WindowPolicy): read for a case's county, changed by the
county administrator only, range-checked and journaled (`settings.window`)."""

from django.db import transaction
from django.db.models import F

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.scoping import administered_county

from .models import WindowPolicy

# Ranges a county may choose from. No document fixes the rectification time; a month of working
# days is the longest a rectification still answers the rating. Delivery: Art. 44 gives a licence
# 10 working days; other results should not wait longer than six weeks.
LIMITS = {
    "rectification_days": (1, 20, "差评整改时限须在1至20个工作日之间"),
    "delivery_days": (1, 30, "出件时限须在1至30个工作日之间"),
}
DEFAULTS = {"rectification_days": 5, "delivery_days": 10}
NOT_COUNTY_ADMIN = ("settings.not_allowed", "只有县级管理员可以修改设置")


def policy_for(area: Area) -> WindowPolicy:
    """The settings of the county holding `area` (an unsaved row of defaults where none was saved)."""
    return WindowPolicy.objects.filter(county__path=county_path(area.path)).first() or WindowPolicy(**DEFAULTS)


@transaction.atomic
def update_window_policy(actor, *, version: int | None = None, **values) -> WindowPolicy:
    """Save the actor's county's settings. `version` is the one the form started from: a save over
    someone else's newer one is a Conflict and writes nothing."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    for field, value in values.items():
        if field not in LIMITS:
            raise Rejected("settings.unknown", "不支持的设置项", field=field)
        low, high, message = LIMITS[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Rejected("settings.invalid", message, field=field)
    policy, _ = WindowPolicy.objects.select_for_update().get_or_create(county=county, defaults=DEFAULTS)
    if version is not None and version != policy.version:
        raise Conflict("settings.stale", "设置刚被他人修改，请刷新后重试")
    before = {field: getattr(policy, field) for field in values}
    WindowPolicy.objects.filter(pk=policy.pk).update(version=F("version") + 1, **values)
    policy.refresh_from_db()
    journal.record(actor=actor, verb="settings.window", summary="修改窗口设置", data={"before": before, "after": values})
    return policy
