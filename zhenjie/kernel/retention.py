"""Retention periods of archive packages (保管期限) as county data: one rule per county, case kind
and service item (blank item: the kind's default). kernel/ARCHIVE.md.

The periods offered are those of 《机关文件材料归档范围和文书档案保管期限规定》(国家档案局令第8号,
2006) — 永久, 定期30年, 定期10年 — and any other whole number of years a county decides; which
period applies to which kind or item is the county's choice, not a rule found in this project's
sources. Without any rule the kernel keeps a package DEFAULT_YEARS."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhenjie.areas.paths import county_path

from . import journal
from .errors import NotFound, Rejected
from .models import Case, RetentionRule
from .scoping import administered_county
from .workflow import registered_kinds

DEFAULT_YEARS = 10  # the shortest period of 国家档案局令第8号; a county sets its own on the console page
YEARS_MAX = 100
ITEM_CODE_MAX = 64
NOT_ALLOWED = ("settings.not_allowed", "只有县级管理员可以修改归档保管期限")


@dataclass(frozen=True)
class Retention:
    years: int | None  # None: permanent
    source: str  # which rule gave it, for the manifest and the page

    @property
    def label(self) -> str:
        return "永久" if self.years is None else f"{self.years}年"

    def until(self, closed_at) -> date | None:
        """The last day the package must be kept. Counted in whole years after the year the case
        closed (our reading of the archival practice of counting from the year after filing), so
        a case closed in 2026 and kept 10 years is kept through 31 December 2036."""
        if self.years is None:
            return None
        return date(timezone.localtime(closed_at).year + self.years, 12, 31)


def retention_for(case: Case, item_code: str = "") -> Retention:
    """The county's period for the case's kind and item: the item's rule, else the kind's, else the default."""
    rules = {rule.item_code: rule for rule in RetentionRule.objects.filter(
        county__path=county_path(case.area.path), kind=case.kind, item_code__in={item_code, ""})}
    if item_code and item_code in rules:
        return Retention(rules[item_code].years, f"本县规则：{item_code}")
    if "" in rules:
        return Retention(rules[""].years, "本县规则：该类型默认期限")
    return Retention(DEFAULT_YEARS, f"本县未设置，按系统默认{DEFAULT_YEARS}年")


def rules_for(county) -> list[RetentionRule]:
    return list(RetentionRule.objects.filter(county=county).select_related("updated_by").order_by("kind", "item_code"))


def _clean(kind, item_code, years, permanent) -> tuple[str, str, int | None]:
    if kind not in registered_kinds():
        raise Rejected("retention.kind_invalid", "请选择事项类型", field="kind")
    if not isinstance(item_code, str):
        raise Rejected("retention.item_code_invalid", "事项编码须为文字", field="item_code")
    item_code = item_code.strip()
    if len(item_code) > ITEM_CODE_MAX or any(ch.isspace() or not ch.isprintable() for ch in item_code):
        raise Rejected("retention.item_code_invalid", f"事项编码不能超过{ITEM_CODE_MAX}个字符，且不能含空格", field="item_code")
    if not isinstance(permanent, bool):
        raise Rejected("retention.permanent_invalid", "是否永久保管须为是或否", field="permanent")
    if permanent:
        return kind, item_code, None
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= YEARS_MAX:
        raise Rejected("retention.years_invalid", f"保管年限须为1至{YEARS_MAX}之间的整数，或选择永久", field="years")
    return kind, item_code, years


@transaction.atomic
def set_retention(actor, kind: str, item_code: str, years: int | None, permanent: bool = False) -> RetentionRule:
    """The county administrator sets the period of a kind (blank item) or of one service item, for
    their own county; journaled on the rules chain with before and after."""
    county = administered_county(actor, refuse=NOT_ALLOWED)
    kind, item_code, years = _clean(kind, item_code, years, permanent)
    rule = RetentionRule.objects.select_for_update().filter(county=county, kind=kind, item_code=item_code).first()
    before = None if rule is None else rule.label
    if rule is None:
        rule = RetentionRule(county=county, kind=kind, item_code=item_code)
    rule.years, rule.updated_by = years, actor
    rule.save()
    journal.record(actor=actor, verb="settings.retention", subject=f"retention:{county.pk}:{kind}:{item_code}"[:64],
                   summary=f"设置归档保管期限：{registered_kinds()[kind]}{' ' + item_code if item_code else ''} {rule.label}",
                   data={"kind": kind, "item_code": item_code, "before": before, "after": rule.label})
    return rule


@transaction.atomic
def remove_retention(actor, rule_id: int) -> None:
    """Remove a rule of the actor's county: the kind's default (or the system default) applies again."""
    county = administered_county(actor, refuse=NOT_ALLOWED)
    rule = RetentionRule.objects.select_for_update().filter(county=county, pk=rule_id).first()
    if rule is None:
        raise NotFound("retention.not_found", "该保管期限规则不存在或已删除")
    rule.delete()
    journal.record(actor=actor, verb="settings.retention", subject=f"retention:{county.pk}:{rule.kind}:{rule.item_code}"[:64],
                   summary=f"删除归档保管期限规则：{registered_kinds().get(rule.kind, rule.kind)}{' ' + rule.item_code if rule.item_code else ''}",
                   data={"kind": rule.kind, "item_code": rule.item_code, "before": rule.label, "after": None})
