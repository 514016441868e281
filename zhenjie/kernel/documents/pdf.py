"""The PDF of a document: A4, Chinese text in the font that ships with the project.

fpdf2 (pure Python) embeds the subset of the font that the page uses, so the PDF shows the
same on any reader, with nothing installed and no network. Lines are broken here, not by
fpdf2, because Chinese breaks between any two characters except where punctuation forbids it
(避头尾: no line begins with a closing mark, none ends with an opening one), and lines are
spread to the full measure as Chinese typesetting expects. Every string is drawn with
FPDF.text(): no markdown, no page-count alias, nothing in the text is interpreted.

The page follows 党政机关公文格式 GB/T 9704-2012 where a township document would: 版心 156 ×
225 mm from 37 mm top and 28 mm left (§5.2.1), 28 characters by 22 lines (§5.2.2), a red
issuing-organ line and a red rule under the number (§7.2), the signature and date under the
body (§7.3.5.2), the date in full Arabic figures, 2026年12月5日 (§7.3.5.3)."""

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

# fontTools reports every subsetting step at INFO; a document is not worth 40 log lines.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONTS / "NotoSerifSC-Regular.ttf"
COMMON_FONT_FILE = FONTS / "NotoSerifSC-Common.ttf"  # the everyday cut (common_font.py)
FAMILY = "NotoSerifSC"

MM_PER_PT = 25.4 / 72
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
TOP, LEFT, MEASURE, DEPTH = 37.0, 28.0, 156.0, 225.0
BOTTOM = TOP + DEPTH
BODY_SIZE = MEASURE / 28 / MM_PER_PT  # 28 characters a line (≈ 3号, 16 pt)
LINE = DEPTH / 22  # 22 lines a page
TITLE_SIZE = 22.0  # 2号
ORGAN_SIZE = 26.0
FOOTER_SIZE = 10.5  # 5号
RED = (204, 0, 0)
BLACK = (0, 0, 0)
GREY = (110, 110, 110)

# 避头尾 (W3C "Requirements for Chinese Text Layout" §3.1.7): what may not begin / end a line.
NO_START = frozenset("，。、；：？！）》」』】〕〗〉’”…—·%‰℃°,.;:?!)]}>～")
NO_END = frozenset("（《「『【〔〖〈‘“([{<￥$")
LATIN = r"[0-9A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]"
TOKENS = re.compile(rf"{LATIN}+(?:[-.,:/@_'%+]{LATIN}+)*|\s|.", re.S)


@functools.cache
def _codepoints(font_file: Path = FONT_FILE) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(font_file, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def font_for(sheet: "Sheet") -> Path:
    """The everyday cut when it has every character of the sheet, else the full font."""
    have = _codepoints(COMMON_FONT_FILE)
    texts = (sheet.organ, sheet.number, sheet.title, sheet.signature, sheet.date_text, sheet.watermark, "第页共0123456789")
    texts += tuple(paragraph.text for paragraph in sheet.paragraphs)
    if all(ch == "\n" or ord(ch) in have for text in texts for ch in text):
        return COMMON_FONT_FILE
    return FONT_FILE


def unsupported_characters(text: str) -> list[str]:
    """Characters the font has no glyph for, each once, in order."""
    have = _codepoints()
    return list(dict.fromkeys(ch for ch in text if ch != "\n" and ord(ch) not in have))


def with_code_points(text: str) -> str:
    have = _codepoints()
    return "".join(ch if ch == "\n" or ord(ch) in have else f"[U+{ord(ch):04X}]" for ch in text)


def chinese_date(moment: datetime) -> str:
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: float = 0.0  # in characters of the body size


@dataclass(frozen=True)
class Sheet:
    """What goes on the paper; every string is final text."""

    organ: str
    number: str
    title: str
    paragraphs: list[Paragraph]
    signature: str
    date_text: str
    issued_at: datetime
    watermark: str = ""  # e.g. 样稿 on a preview


@dataclass
class _Op:
    text: str
    x: float
    y: float  # baseline
    size: float
    color: tuple[int, int, int] = BLACK
    bold: bool = False
    spacing: float = 0.0  # extra mm between characters (justification)


@dataclass
class _Rule:
    x1: float
    x2: float
    y: float
    color: tuple[int, int, int] = RED
    width: float = 0.6


@dataclass
class _Page:
    ops: list = field(default_factory=list)


class _Metrics:
    """Widths in mm at any size, from the font's own advance widths (cached per character)."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.cache: dict[str, float] = {}

    def width(self, text: str, size: float) -> float:
        """Width in mm of `text` at `size` points."""
        total = 0.0
        for ch in text:
            if ch not in self.cache:
                self.pdf.set_font(FAMILY, size=10)
                self.cache[ch] = self.pdf.get_string_width(ch, normalized=True) / 10.0
            total += self.cache[ch]
        return total * size


def wrap(text: str, size: float, first_width: float, width: float, metrics: _Metrics) -> list[str]:
    """Break one paragraph into lines: between any two Chinese characters, between Latin words,
    never inside a word that fits on a line, and with 避头尾 by pushing a character down."""
    tokens: list[str] = []
    for token in TOKENS.findall(text):
        if len(token) > 1 and metrics.width(token, size) > width:
            tokens.extend(token)  # a word longer than a line breaks anywhere
        else:
            tokens.append(token)
    lines: list[list[str]] = []
    current: list[str] = []
    used, limit = 0.0, first_width
    for token in tokens:
        token_width = metrics.width(token, size)
        if not current and token.isspace() and lines:
            continue  # no line but the first begins with a space
        if used + token_width <= limit + 1e-6:
            current.append(token)
            used += token_width
            continue
        if token.isspace():
            carry: list[str] = []
        else:
            carry = [token]
            while carry[0][0] in NO_START and len(current) > 1 and len(carry) < 3:
                carry.insert(0, current.pop())
            while current and current[-1][-1] in NO_END and len(current) > 1 and len(carry) < 3:
                carry.insert(0, current.pop())
        lines.append(current)
        current = carry
        used, limit = metrics.width("".join(carry), size), width
    lines.append(current)
    return ["".join(line).rstrip() for line in lines]


class _Layout:
    def __init__(self, sheet: Sheet, metrics: _Metrics):
        self.sheet, self.metrics = sheet, metrics
        self.pages: list[_Page] = [_Page()]
        self.y = TOP

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def need(self, height: float) -> None:
        if self.y + height > BOTTOM + 0.01:
            self.pages.append(_Page())
            self.y = TOP

    def centred(self, text: str, size: float, height: float, **style) -> None:
        width = self.metrics.width(text, size)
        for line in wrap(text, size, MEASURE, MEASURE, self.metrics) if width > MEASURE else [text]:
            self.need(height)
            line_width = self.metrics.width(line, size)
            self.page.ops.append(_Op(line, LEFT + (MEASURE - line_width) / 2, self.y + height * 0.72, size, **style))
            self.y += height

    def paragraph(self, paragraph: Paragraph) -> None:
        char = BODY_SIZE * MM_PER_PT
        indent = min(paragraph.indent * char, MEASURE - 4 * char)
        lines = wrap(paragraph.text, BODY_SIZE, MEASURE - indent, MEASURE, self.metrics)
        for index, line in enumerate(lines):
            self.need(LINE)
            x = LEFT + (indent if index == 0 else 0)
            spacing = 0.0
            if index < len(lines) - 1 and len(line) > 1:
                # Spread all but the last line to the full measure. Chinese lines fall short by
                # less than a character, or two when 避头尾 pushed some down; a line cut early
                # by a long Latin word stays ragged rather than letter-spaced.
                room = LEFT + MEASURE - x - self.metrics.width(line, BODY_SIZE)
                if 0 < room <= 2 * char:
                    spacing = room / (len(line) - 1)
            self.page.ops.append(_Op(line, x, self.y + LINE * 0.68, BODY_SIZE, spacing=spacing))
            self.y += LINE

    def signature(self) -> None:
        """Signature right-indented two characters, the date under it two characters further in;
        a longer date keeps its two characters and moves the signature left (GB/T 9704 §7.3.5.2)."""
        char, size = BODY_SIZE * MM_PER_PT, BODY_SIZE
        right = LEFT + MEASURE - 2 * char
        organ_w = min(self.metrics.width(self.sheet.signature, size), MEASURE - 4 * char)
        date_w = self.metrics.width(self.sheet.date_text, size)
        organ_x = right - organ_w
        date_x = organ_x + 2 * char
        if date_x + date_w > right:
            date_x = right - date_w
            organ_x = date_x - 2 * char
        self.need(3 * LINE)
        self.y += LINE
        self.page.ops.append(_Op(self.sheet.signature, max(organ_x, LEFT), self.y + LINE * 0.68, BODY_SIZE))
        self.y += LINE
        self.page.ops.append(_Op(self.sheet.date_text, date_x, self.y + LINE * 0.68, BODY_SIZE))
        self.y += LINE

    def build(self) -> list[_Page]:
        sheet = self.sheet
        self.centred(sheet.organ, ORGAN_SIZE, 14.0, color=RED, bold=True)
        self.y += 4.0
        self.centred(sheet.number, BODY_SIZE, 9.0)
        self.page.ops.append(_Rule(LEFT, LEFT + MEASURE, self.y + 1.5))
        self.y += 9.0
        self.centred(sheet.title, TITLE_SIZE, 12.0, bold=True)
        self.y += LINE * 0.5
        for paragraph in sheet.paragraphs:
            if paragraph.text:
                self.paragraph(paragraph)
            else:
                self.need(LINE)
                self.y += LINE
        self.signature()
        return self.pages


def render(sheet: Sheet) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.alias_nb_pages(None)  # "{nb}" in someone's text stays "{nb}"
    pdf.set_auto_page_break(False)
    pdf.add_font(FAMILY, fname=str(font_for(sheet)))
    pdf.set_font(FAMILY, size=10)
    pages = _Layout(sheet, _Metrics(pdf)).build()

    pdf.set_title(sheet.title[:200])
    pdf.set_subject(sheet.number)
    pdf.set_author(sheet.organ[:200])
    pdf.set_creator("镇街")
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(sheet.issued_at)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        if sheet.watermark:
            _text(pdf, _Op(sheet.watermark, LEFT, 22.0, FOOTER_SIZE, color=GREY))
        for op in page.ops:
            if isinstance(op, _Rule):
                pdf.set_draw_color(*op.color)
                pdf.set_line_width(op.width)
                pdf.line(op.x1, op.y, op.x2, op.y)
            else:
                _text(pdf, op)
        footer = f"第 {number} 页  共 {len(pages)} 页"
        pdf.set_font(FAMILY, size=FOOTER_SIZE)
        _text(pdf, _Op(footer, LEFT + (MEASURE - pdf.get_string_width(footer)) / 2, BOTTOM + 14.0, FOOTER_SIZE, color=GREY))
    return bytes(pdf.output())


def _text(pdf, op: _Op) -> None:
    pdf.set_font(FAMILY, size=op.size)
    pdf.set_text_color(*op.color)
    pdf.set_char_spacing(op.spacing / MM_PER_PT)
    if op.bold:
        # One weight ships (the font is 14 MB); a hairline stroke in the text colour gives the
        # heading the weight of a bold face.
        with pdf.local_context(text_mode="FILL_STROKE", draw_color=op.color, line_width=0.35):
            pdf.text(op.x, op.y, op.text)
    else:
        pdf.text(op.x, op.y, op.text)
