"""A county's rules for key populations as they stand: its stored settings laid over the
defaults in populations.DEFAULTS. One query, whatever the number of kinds. Each county of a
deployment keeps its own (the area path's first six digits name the county)."""

from dataclasses import dataclass

from zhenjie.areas.paths import county_path

from .models import KeyPopulationSetting
from .populations import DEFAULTS, Kind


@dataclass(frozen=True)
class Rule:
    kind: str
    visit_interval_days: int
    min_age: int | None
    max_age: int | None
    is_default: bool
    why: str

    @property
    def label(self) -> str:
        return Kind(self.kind).label


def current_rules(county: str) -> dict[str, Rule]:
    """The rules of the county whose path is `county`."""
    stored = {row.kind: row for row in KeyPopulationSetting.objects.filter(county__path=county)}
    rules = {}
    for kind in Kind.values:
        default = DEFAULTS[kind]
        row = stored.get(kind)
        rules[kind] = Rule(
            kind=kind,
            visit_interval_days=row.visit_interval_days if row else default.interval_days,
            min_age=row.min_age if row else default.min_age,
            max_age=row.max_age if row else default.max_age,
            is_default=row is None,
            why=default.why,
        )
    return rules


def rule_for(kind: str, area) -> Rule:
    """The rule for `kind` in the county of `area` (a grid, usually)."""
    return current_rules(county_path(area.path))[kind]
