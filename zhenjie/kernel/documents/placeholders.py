"""Template text: plain text with {field} placeholders, nothing else.

Not Django's template language and not str.format: both reach attributes and items
(`{case.__class__}`, `{0[x]}`), and a county administrator must not reach data the kind does
not offer. A placeholder is a declared field name in braces; `{{` and `}}` print one brace;
anything else in braces is refused with the names that are allowed. Values are inserted as
text: a value containing braces, `<script>` or markdown stays exactly what was typed."""

import re
import unicodedata
from dataclasses import dataclass

from ..errors import Rejected
from . import pdf
from .kinds import DocumentKind
from .pdf import Paragraph

TITLE_MAX = 60
BODY_MAX = 5000
BODY_LINES_MAX = 300

TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
# Leading spaces indent a paragraph: a full-width space is one character, a half-width one half.
INDENT = {"\u3000": 1.0, " ": 0.5}


@dataclass(frozen=True)
class Slot:
    name: str


def clean_text(text, *, multiline: bool = True) -> str:
    """One newline convention, tabs as spaces, and no invisible characters: control and format
    characters (bidirectional overrides, zero-width marks) would make the PDF read differently
    from what the screen showed."""
    text = str(text or "")
    for newline in ("\r\n", "\r", "\u2028", "\u2029", "\x85"):
        text = text.replace(newline, "\n")
    text = text.replace("\t", "    ")
    if not multiline:
        text = text.replace("\n", " ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def parse(text: str, kind: DocumentKind, *, field: str = "body") -> list:
    """Literal strings and Slots, or Rejected naming every unknown placeholder."""
    parts: list = []
    unknown: list[str] = []
    unpaired = False
    position = 0
    for match in TOKEN.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif match.group(1) is not None:
            if match.group(1) in kind.field_names:
                parts.append(Slot(match.group(1)))
            else:
                unknown.append(token if len(token) <= 40 else token[:38] + "…}")
        else:
            unpaired = True
    if position < len(text):
        parts.append(text[position:])
    if unknown:
        allowed = "、".join(f"{{{f.name}}}（{f.label}）" for f in kind.all_fields)
        raise Rejected(
            "document.placeholder_unknown",
            f"模板中有未知的占位符：{'、'.join(dict.fromkeys(unknown))}。可用的占位符：{allowed}",
            field=field,
        )
    if unpaired:
        raise Rejected(
            "document.brace_unpaired", "模板中有不成对的花括号：占位符写作 {字段名}；要印出花括号本身，请写 {{ 或 }}", field=field
        )
    return parts


def describe(characters: list[str]) -> str:
    return "、".join(f"「{ch}」(U+{ord(ch):04X})" for ch in characters[:10]) + ("等" if len(characters) > 10 else "")


def _refuse_missing_glyphs(text: str, label: str, field: str) -> None:
    if missing := pdf.unsupported_characters(text):
        raise Rejected(
            "document.unsupported_characters",
            f"{label}中有文书字体无法显示的字符：{describe(missing)}。请改用通用规范汉字，或用文字说明该字的写法",
            field=field,
        )


def check_template(kind: DocumentKind, title: str, body: str) -> tuple[str, str]:
    """The cleaned title and body, or Rejected with the reason and the field."""
    title = clean_text(title, multiline=False).strip()
    lines = [line.rstrip() for line in clean_text(body).split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    body = "\n".join(lines)
    if not title:
        raise Rejected("document.title_required", "请填写文书标题", field="title")
    if len(title) > TITLE_MAX:
        raise Rejected("document.title_too_long", f"标题不能超过{TITLE_MAX}字", field="title")
    if not body:
        raise Rejected("document.body_required", "请填写正文", field="body")
    if len(body) > BODY_MAX:
        raise Rejected("document.body_too_long", f"正文不能超过{BODY_MAX}字(现为{len(body)}字)", field="body")
    if len(lines) > BODY_LINES_MAX:
        raise Rejected("document.body_too_long", f"正文不能超过{BODY_LINES_MAX}行", field="body")
    parse(title, kind, field="title")
    parse(body, kind, field="body")
    _refuse_missing_glyphs(title, "标题", "title")
    _refuse_missing_glyphs(body, "正文", "body")
    return title, body


def check_supplied(kind: DocumentKind, extra: dict | None) -> dict[str, str]:
    """The supplied fields' values, cleaned; the issuer is told what to fix, field by field."""
    extra = dict(extra or {})
    allowed = {f.name for f in kind.supplied_fields}
    if stray := set(extra) - allowed:
        raise ValueError(f"document kind {kind.code!r} does not take {sorted(stray)} (supplied fields: {sorted(allowed)})")
    values = {}
    for spec in kind.supplied_fields:
        value = clean_text(extra.get(spec.name, "")).strip()
        if spec.required and not value:
            raise Rejected("document.field_required", f"请填写{spec.label}", field=spec.name)
        if len(value) > spec.max_length:
            raise Rejected("document.field_too_long", f"{spec.label}不能超过{spec.max_length}字", field=spec.name)
        _refuse_missing_glyphs(value, spec.label, spec.name)
        values[spec.name] = value
    return values


def recorded_value(value) -> str:
    """A value read from the records: cleaned, and any character the font lacks written as its
    code point, so a rare character in a stored name shows as [U+20000], never as a blank box."""
    return pdf.with_code_points(clean_text(value).strip())


def fill_title(title: str, kind: DocumentKind, values: dict[str, str]) -> str:
    return "".join(p if isinstance(p, str) else values[p.name].replace("\n", " ") for p in parse(title, kind, field="title"))


def fill_body(body: str, kind: DocumentKind, values: dict[str, str]) -> list[Paragraph]:
    """One Paragraph per line; a value spanning lines continues at the indent of its line."""
    paragraphs = []
    for line in body.split("\n"):
        text = line.lstrip(" \u3000")
        indent = sum(INDENT[ch] for ch in line[: len(line) - len(text)])
        filled = "".join(p if isinstance(p, str) else values[p.name] for p in parse(text, kind))
        paragraphs.extend(Paragraph(piece.rstrip(), indent) for piece in filled.split("\n"))
    return paragraphs
