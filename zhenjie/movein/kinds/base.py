"""The contract every import kind plugs into (迁入: a county's own files into the platform).

A *kind* is one kind of file a county brings: its division tree (`areas`), its units (`units`),
its people and posts (`people`), its grid boundaries (`grids`, GeoJSON or a zipped Shapefile).
The framework (movein/actions.py) does everything a kind shares — who may import where
(`Scope`), keeping the uploaded file between preview and confirm, refusing a file with any bad
cell, the error report, the one transaction, the journal entry, exports and blank templates —
and asks the kind only what is its own.

How to add a kind
-----------------
1. Subclass `ImportKind` in `movein/kinds/<code>.py`; set `code` (the word of
   `manage.py import CODE FILE` and of the URL), `label` (Chinese), `role` (the role whose posts
   may import it, within their jurisdiction), `columns` (Chinese headers, in file order) and
   `example` (the one example row of the blank template, header → value).
2. Reading. The default `read()` reads the first sheet of an .xlsx by `columns`, with bounds
   (size, rows, columns, zip expansion), never evaluating a formula (a formula cell is a bad
   cell). A kind whose files are not spreadsheets (GeoJSON, zipped Shapefile) overrides
   `read()` and `accepts`, and returns `Row`s all the same: `number` is what a person can find
   in their file (a sheet row, a feature's ordinal), `values` maps column key → cleaned value.
3. Planning. `plan(scope, rows)` compares the rows with the database and returns a `Plan`:
   errors (`CellError(row, column header, reason in Chinese)` — every bad cell, not only the
   first), and the `Change`s it would make, keyed by the kind's natural key: `new`, `changed`
   (field by field, old → new) and `removed` (in the database within the scope, absent from
   the file). It writes nothing. A kind checks here everything it can, so a refused file is
   refused before anything is written; it must only ever plan inside `scope` (rows outside are
   errors, never silently skipped). Identical input and database must give an identical plan:
   the plan's digest is compared at confirm.
4. Applying. `apply(scope, plan, remove=...)` writes the plan through the owning app's
   actions (areas.actions, units.actions, accounts.actions …), never the models directly,
   in the order it needs (parents first). It runs inside the framework's transaction; raise
   `ActionError` (or let the action's own propagate) and everything rolls back. Removals are
   carried out only when `remove` is true (the administrator ticked it), and never delete
   rows that anything references.
5. Exporting. `export_rows(scope)` yields the current data as dicts keyed by column key, in
   exactly the layout `read()` takes back: export → import plans no change (tested per kind).
6. Optionally `result_url(scope)`: the page to show after a confirmed import (the tree, the
   directory …), and `description`: one paragraph for the upload page.
7. Register the class in `movein/kinds/__init__.py` (`KINDS`). A kind may name an extra
   template fragment for the preview page (`preview_template`, e.g. a map of the overlaps); it
   receives `plan` and `plan.extra`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zhenjie.areas.models import Area


@dataclass(frozen=True)
class Column:
    """One column of the file: the Chinese header a person sees, the key the code uses."""

    key: str
    header: str
    required: bool = False
    note: str = ""  # what goes in it, shown on the page and in docs
    width: int = 16


@dataclass(frozen=True)
class Row:
    number: int  # the row (or feature) number a person finds in their file
    values: dict[str, Any]


@dataclass(frozen=True)
class CellError:
    row: int  # 0 = the file as a whole, 1 = the header row
    column: str  # the header text, "" for the whole row or file
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class FieldChange:
    header: str
    old: str
    new: str


@dataclass
class Change:
    """One record the import would create, change or remove."""

    key: str  # the natural key, as a person reads it (a code, "单位名称@区划代码", a mobile …)
    label: str  # what to call it on the preview ("甲镇 (330105101000)")
    row: int | None = None  # the file row it comes from (None for removals)
    fields: list[FieldChange] = field(default_factory=list)
    payload: Any = None  # whatever apply() needs; not part of the digest

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "fields": [[f.header, f.old, f.new] for f in self.fields]}


@dataclass
class Plan:
    kind: str
    errors: list[CellError] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings that do not refuse the file
    extra: dict = field(default_factory=dict)  # for a kind's own preview fragment

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "removed": len(self.removed), "errors": len(self.errors)}

    def digest(self) -> str:
        """What the administrator confirmed: recomputed at confirm, and the import is refused if
        it differs (the database or the file changed in between)."""
        body = {
            "kind": self.kind,
            "new": [c.as_dict() for c in self.new],
            "changed": [c.as_dict() for c in self.changed],
            "removed": [c.as_dict() for c in self.removed],
        }
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Scope:
    """Where an import may read and write: the county, and the area subtrees (paths) of the
    actor's posts carrying the kind's role. `actor` None is the platform (a command run by the
    machine's operator), whose scope is the whole county."""

    actor: Any
    county: Area
    roots: tuple[str, ...]

    def covers(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.roots)


class ImportKind:
    code: str = ""
    label: str = ""
    role: str = ""
    columns: tuple[Column, ...] = ()
    example: dict[str, str] = {}
    accepts: tuple[str, ...] = (".xlsx",)
    preview_template: str = ""
    description: str = ""
    removal_label: str = "删除"  # what "removed" means for this kind, on the confirm checkbox
    max_bytes: int = 10 * 1024 * 1024  # the largest upload the page takes (a kind's reader bounds it again)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header

    def read(self, content: bytes, name: str) -> tuple[list[Row], list[CellError]]:
        from ..files import read_xlsx

        return read_xlsx(content, self.columns)

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        raise NotImplementedError

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        raise NotImplementedError

    def export_rows(self, scope: Scope) -> Iterable[dict[str, Any]]:
        raise NotImplementedError

    def export_file(self, scope: Scope) -> tuple[bytes, str, str]:
        """(content, file name, content type) of the current data in the import layout."""
        from ..files import XLSX, xlsx_of

        return xlsx_of(self.label, self.columns, self.export_rows(scope)), f"{self.label}.xlsx", XLSX

    def result_url(self, scope: Scope) -> str | None:
        """Where the page goes after a confirmed import (to see the result); None: stay."""
        return None

    def template_file(self) -> tuple[bytes, str, str]:
        """A blank file in the layout with the one example row."""
        from ..files import XLSX, xlsx_of

        return xlsx_of(self.label, self.columns, [self.example]), f"{self.label}导入模板.xlsx", XLSX


def retired_reason(area: Area) -> str:
    """Why a row naming an area retired by an area change (区划调整) is refused: an old file must
    not hang new things on a node that takes no new work."""
    successor = f"，现为「{area.successor.name}」({area.successor.code})" if area.successor_id else ""
    return f"{area.name}({area.code})已于{area.retired_on:%Y-%m-%d}因区划调整撤销{successor}，请使用调整后的区划代码"
