"""Kinds of document, declared in code by the app that owns them (like workflows).

A kind names its number series and prefix, who may issue it, the fields its template may use
(each with a Chinese label) and a default template. Its `values` function reads the case; the
fields marked `supplied` are given by whoever issues it (`issue_document(..., extra=…)`).

Who may issue is either roles in the jurisdiction (+ `by_assignee`), or — when the owning app
already states who may do the thing the document records — that app's own rule (`issuer`), so
the rule is written once."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import Assignment, Case
from ..scoping import reach_of

NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class DocField:
    name: str
    label: str
    supplied: bool = False  # given in `extra` when issuing (what the issuer typed or chose)
    required: bool = True  # for supplied fields
    max_length: int = 500  # for supplied fields
    sample: str = ""  # what the county's preview shows; the label in brackets when empty

    @property
    def preview(self) -> str:
        return self.sample or f"【{self.label}】"


# Fields every kind has; the kernel fills them in.
COMMON_FIELDS = (
    DocField("number", "文号", sample="××〔2026〕第×号"),
    DocField("date", "成文日期", sample="2026年1月1日"),
    DocField("organ", "发文单位", sample="××镇人民政府"),
    DocField("case_number", "事项编号", sample="××事〔2026〕第×号"),
    DocField("case_title", "事项标题", sample="【事项标题】"),
    DocField("area", "所属区划", sample="××村"),
    DocField("issuer", "经办人", sample="张三"),
)


# The owning app's rule: the unit in whose name (and number series) `actor` issues the kind on
# `case`, or None when they may not. Not a yes/no: a document is always some unit's.
IssuerRule = Callable[[Any, Case], int | None]


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    number_series: str
    number_prefix: Callable[[Case, object], str]  # (case, issuing unit) → e.g. "柳湾督"
    default_title: str
    default_body: str
    fields: tuple[DocField, ...] = ()
    values: Callable[[Case], dict[str, str]] = lambda case: {}  # the kind's own fields that are not supplied
    roles: frozenset[str] = frozenset()  # roles that may issue it within their jurisdiction
    by_assignee: bool = False  # …or whoever an open assignment on the case is addressed to
    assignee_todos: frozenset[str] = frozenset()  # …of these todos only, when given (any open work otherwise)
    issuer: IssuerRule | None = None  # instead of roles and by_assignee: the owning app's own rule
    # The document holds a secret (a walk-in receipt's tracking code): read only by whoever may
    # issue it, not by everyone who sees the case (queries.get_document_for).
    read_by_issuers: bool = False
    forbidden_message: str = ""
    number_rule: str = "按出具单位、年度连续编号"  # shown to the county administrator
    extra_fields: dict[str, DocField] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "extra_fields", {f.name: f for f in self.fields})

    @property
    def all_fields(self) -> tuple[DocField, ...]:
        return COMMON_FIELDS + self.fields

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.all_fields)

    @property
    def supplied_fields(self) -> tuple[DocField, ...]:
        return tuple(f for f in self.fields if f.supplied)

    def may_issue(self, actor, case: Case) -> bool:
        """The kind's own rule; else a role in a jurisdiction containing the case, or
        (by_assignee) an open assignment addressed to the actor — the same rule as a workflow
        transition's."""
        if self.issuer is not None:
            return self.issuer(actor, case) is not None
        reach = reach_of(actor)
        if self.roles & reach.roles_in(case.area):
            return True
        if self.by_assignee and reach.unit_ids:
            return self._assignment_unit(actor, case) is not None
        return False

    def issuing_unit_id(self, actor, case: Case) -> int | None:
        """The unit in whose name (and number series) the actor issues: what the kind's own rule
        says; else the unit of the post that gives the right, the nearest jurisdiction first; else
        the unit the work was sent to."""
        if self.issuer is not None:
            return self.issuer(actor, case)
        unit_id = reach_of(actor).unit_acting_in(case.area, self.roles)
        if unit_id is None and self.by_assignee:
            return self._assignment_unit(actor, case)
        return unit_id

    def _assignment_unit(self, actor, case: Case) -> int | None:
        reach = reach_of(actor)
        rows = Assignment.objects.filter(case=case, state=Assignment.State.OPEN, unit_id__in=reach.unit_ids)
        if self.assignee_todos:
            rows = rows.filter(todo__in=sorted(self.assignee_todos))
        rows = rows.values_list("unit_id", "user_id", "role")
        for unit_id, user_id, role in rows.order_by("pk"):
            if (user_id is None or user_id in reach.user_ids) and (not role or role in reach.roles_in_unit(unit_id)):
                return unit_id
        return None


_REGISTRY: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> DocumentKind:
    """Declare a kind (at import, from the owning app). Mistakes in the declaration fail here,
    at start-up, not when a clerk first issues one."""
    from .placeholders import parse

    if not NAME.fullmatch(kind.code) or not NAME.fullmatch(kind.number_series):
        raise ValueError(f"document kind {kind.code!r}: code and number series must match {NAME.pattern}")
    if kind.issuer is not None and (kind.roles or kind.by_assignee or kind.assignee_todos):
        raise ValueError(f"document kind {kind.code!r}: an issuer rule is the whole rule; roles and by_assignee would state it twice")
    names = [f.name for f in kind.all_fields]
    if len(names) != len(set(names)) or not all(NAME.fullmatch(n) for n in names):
        raise ValueError(f"document kind {kind.code!r}: field names must be unique and match {NAME.pattern}")
    for text in (kind.default_title, kind.default_body):
        parse(text, kind)  # raises Rejected on an unknown placeholder
    _REGISTRY[kind.code] = kind
    return kind


def kind_for(code: str) -> DocumentKind:
    from ..errors import NotFound

    try:
        return _REGISTRY[code]
    except KeyError:
        raise NotFound("document.kind_unknown", "没有这种文书") from None


def registered_kinds() -> list[DocumentKind]:
    return sorted(_REGISTRY.values(), key=lambda kind: kind.code)
