"""The window's county settings (models.WindowPolicy): read for a case's county, changed by the
county administrator only, range-checked and journaled (`settings.window`)."""

from zhenjie.areas.models import Area
from zhenjie.kernel.county_settings import CountySettings

from .models import WindowPolicy

# Ranges a county may choose from. No document fixes the rectification time; a month of working
# days is the longest a rectification still answers the rating. Delivery: Art. 44 gives a licence
# 10 working days; other results should not wait longer than six weeks.
LIMITS = {
    "rectification_days": (1, 20, "差评整改时限须在1至20个工作日之间"),
    "delivery_days": (1, 30, "出件时限须在1至30个工作日之间"),
}
DEFAULTS = {"rectification_days": 5, "delivery_days": 10}
SETTINGS = CountySettings(WindowPolicy, LIMITS, DEFAULTS, verb="settings.window", summary="修改窗口设置")


def policy_for(area: Area) -> WindowPolicy:
    """The settings of the county holding `area` (an unsaved row of defaults where none was saved)."""
    return SETTINGS.for_area(area)


def update_window_policy(actor, *, version: int | None = None, **values) -> WindowPolicy:
    """Save the actor's county's settings (a save over a newer version is a Conflict)."""
    return SETTINGS.update(actor, version=version, **values)
