"""A county's settings of one app (window.WindowPolicy, enforcement.EnforcementPolicy): one row per
county with `county` and `version`, read for an area's county (the defaults where none was saved),
changed by the county administrator only, every value range-checked, a save over someone else's
newer version refused, each change journaled. An app declares its settings once:

    SETTINGS = CountySettings(WindowPolicy, LIMITS, DEFAULTS, verb="settings.window", summary="修改窗口设置")

`LIMITS` maps a field to (lowest, highest, the Chinese message for a value outside them); the
reasons for each range belong beside the app's LIMITS, with their sources. A setting chosen from a
list (events' warning scope) goes in `choices` instead: field → (the allowed values, the message)."""

import dataclasses
from dataclasses import dataclass

from django.db import transaction

from zhenjie.areas.paths import county_path

from . import journal
from .errors import Conflict, Rejected
from .scoping import administered_county

NOT_COUNTY_ADMIN = ("settings.not_allowed", "只有县级管理员可以修改设置")


@dataclass(frozen=True)
class CountySettings:
    model: type
    limits: dict[str, tuple[int, int, str]]
    defaults: dict[str, int]
    verb: str  # the journal's verb, e.g. "settings.window"
    summary: str  # the journal's line, e.g. "修改窗口设置"
    choices: dict[str, tuple[frozenset[str], str]] = dataclasses.field(default_factory=dict)

    def at(self, path: str):
        """The settings of the county holding the area at `path` (an unsaved row of defaults where
        none was saved, or for "")."""
        saved = self.model.objects.filter(county__path=county_path(path)).first() if path else None
        return saved or self.model(**self.defaults)

    def for_area(self, area):
        return self.at(area.path)

    def update(self, actor, *, version: int | None = None, **values):
        """Save the actor's county's settings. `version` is the one the form started from: a save
        over someone else's newer one is a Conflict and writes nothing."""
        with transaction.atomic():
            county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
            for field, value in values.items():
                if field in self.choices:
                    allowed, message = self.choices[field]
                    if value not in allowed:
                        raise Rejected("settings.invalid", message, field=field)
                    continue
                if field not in self.limits:
                    raise Rejected("settings.unknown", "不支持的设置项", field=field)
                low, high, message = self.limits[field]
                if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                    raise Rejected("settings.invalid", message, field=field)
            policy, _ = self.model.objects.select_for_update().get_or_create(county=county, defaults=self.defaults)
            if version is not None and version != policy.version:
                raise Conflict("settings.stale", "设置刚被他人修改，请刷新后重试")
            before = {field: getattr(policy, field) for field in values}
            # The row is locked, so save() is as safe as an update and keeps an auto_now stamp
            # (events' 最近修改 on the warning page) true.
            for field, value in values.items():
                setattr(policy, field, value)
            policy.version += 1
            policy.save()
            journal.record(actor=actor, verb=self.verb, summary=self.summary, data={"before": before, "after": values})
            return policy
