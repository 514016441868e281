"""The everyday cut of the documents' font: the characters nearly every document uses.

Opening the full font (30,920 glyphs, 14.8 MB) costs about 0.3 s per PDF — fpdf2 parses it
for every document, and filing an application prints a receipt — while a document made only
of GB 2312 hanzi and common marks opens a quarter-size cut in a fifth of the time. `pdf.py`
takes this cut when every character of the sheet is in it and the full font otherwise, so a
rare character in a name still prints (same design, same advance widths: the layout is the
same whichever file is used).

The cut is built from the full font by `python manage.py build_common_font` and shipped in
`fonts/`; a test fails if the shipped file no longer holds all of these characters."""

from pathlib import Path

# Beyond GB 2312's 7,445 characters: 〇 (dates in words), and the marks, figures and Latin
# letters that names, addresses and legal citations use. Only those the full font has are kept.
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 and Latin Extended-A/B (names of foreign companies)
    (0x2000, 0x206F),  # general punctuation (— … ‰ ‘ ’ “ ”)
    (0x2100, 0x218F),  # letterlike symbols and number forms (℃ № Ⅰ)
    (0x2460, 0x24FF),  # enclosed numbers (① ⑴ ⒈)
    (0x3000, 0x303F),  # CJK symbols and punctuation (〇 〔 〕 〖 〗)
    (0xFF00, 0xFFEF),  # full-width forms
)


def gb2312_characters() -> set[str]:
    characters = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def wanted_code_points(full_font_code_points: frozenset[int]) -> set[int]:
    wanted = {ord(ch) for ch in gb2312_characters()}
    for first, last in EXTRA_RANGES:
        wanted.update(range(first, last + 1))
    return wanted & full_font_code_points


def build(full_font: Path, out: Path) -> int:
    """Write the cut of `full_font` to `out`; return how many characters it holds."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(full_font, recalcTimestamp=False)
    code_points = wanted_code_points(frozenset(font.getBestCmap()))
    options = subset.Options()
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.name_IDs = ["*"]  # keep the font's names and its licence notice
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    temporary = out.with_suffix(".tmp")
    font.save(temporary)
    temporary.replace(out)
    return len(code_points)
