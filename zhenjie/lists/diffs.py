"""What changed between two versions of a list: items added, removed and changed, matched by code.

Order in the list is not content: moving an item is not a change. Every field of the layout is
compared, children included (a service item's materials, a duty's event categories)."""

from dataclasses import dataclass, field

from zhenjie.kernel.errors import Rejected

from .layouts import comparable, describe, field_label, item_values, layout_for
from .models import ListVersion


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    code: str
    name: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ItemBrief:
    code: str
    name: str


@dataclass
class Diff:
    base: ListVersion
    other: ListVersion
    added: list[ItemBrief] = field(default_factory=list)
    removed: list[ItemBrief] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_versions(base: ListVersion, other: ListVersion) -> Diff:
    from .queries import items_of

    if base.series.kind != other.series.kind:
        raise Rejected("list.diff_kind", "只能比较同一类清单的两个版本", field="other")
    layout = layout_for(base.series.kind)
    old = {item.code: (item.name, item_values(layout, item)) for item in items_of(base).iterator(chunk_size=2000)}
    new = {item.code: (item.name, item_values(layout, item)) for item in items_of(other).iterator(chunk_size=2000)}
    diff = Diff(base=base, other=other)
    for code, (name, values) in new.items():
        if code not in old:
            diff.added.append(ItemBrief(code, name))
            continue
        before = old[code][1]
        left, right = comparable(layout, before), comparable(layout, values)
        fields = tuple(
            FieldChange(key, field_label(layout, key), describe(layout, key, before[key]), describe(layout, key, values[key]))
            for key in right
            if key != "code" and left.get(key) != right[key]
        )
        if fields:
            diff.changed.append(ItemChange(code, name, fields))
    diff.removed = [ItemBrief(code, name) for code, (name, _) in old.items() if code not in new]
    return diff
