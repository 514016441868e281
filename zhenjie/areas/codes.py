"""Division codes (区划代码) and the materialised path built from them.

Source: shared/reference/codes-and-checksums.md §3b — 12-digit statistical codes are 6 (county,
GB/T 2260) + 3 (township; 001–099 街道, 100–199 镇, 200–399 乡) + 3 (village; 001–199 居委会,
200–399 村委会). Real lists break the village ranges, so those are warnings, not errors.
Grids have no national code: we give each a 15-character code, its village's 12 digits + 3.
"""

import re

from .models import PATH_LENGTH, Area

TOWNSHIP_KIND_RANGES = {
    Area.TownshipKind.SUBDISTRICT: range(1, 100),
    Area.TownshipKind.TOWN: range(100, 200),
    Area.TownshipKind.TOWNSHIP: range(200, 400),
}
VILLAGE_KIND_RANGES = {
    Area.VillageKind.COMMUNITY: range(1, 200),
    Area.VillageKind.VILLAGE: range(200, 400),
}
CODE_LENGTH = {"county": 12, "township": 12, "village": 12, "grid": 15}


def path_for_code(level: str, code: str) -> str:
    return code[: PATH_LENGTH[level]]


def code_problems(level: str, code: str, parent: Area | None) -> list[str]:
    """Hard errors: the code cannot be placed in the tree."""
    problems = []
    if not re.fullmatch(r"\d+", code or "") or len(code) != CODE_LENGTH[level]:
        problems.append(f"区划代码应为{CODE_LENGTH[level]}位数字")
        return problems
    own = PATH_LENGTH[level]
    if level != "grid" and set(code[own:]) - {"0"}:
        problems.append(f"{Area.Level(level).label}的区划代码第{own + 1}位起应为0")
    if parent is not None and not code.startswith(parent.path):
        problems.append(f"区划代码应以上级「{parent.name}」的代码 {parent.path} 开头")
    if code[PATH_LENGTH.get(_level_above(level), 0) : own].strip("0") == "":
        problems.append("本级代码段不能全为0")
    return problems


def code_warnings(level: str, code: str, township_kind: str = "", village_kind: str = "") -> list[str]:
    """Soft checks: real division lists break these ranges now and then."""
    if level == "township" and township_kind:
        segment = int(code[6:9])
        if segment not in TOWNSHIP_KIND_RANGES[township_kind]:
            return [f"乡镇代码段 {code[6:9]} 不在{Area.TownshipKind(township_kind).label}的常用范围内"]
    if level == "village" and village_kind:
        segment = int(code[9:12])
        if segment not in VILLAGE_KIND_RANGES[village_kind]:
            return [f"村级代码段 {code[9:12]} 不在{Area.VillageKind(village_kind).label}的常用范围内"]
    return []


def _level_above(level: str) -> str | None:
    order = ["county", "township", "village", "grid"]
    index = order.index(level)
    return order[index - 1] if index else None


# GB/T 2260 province-level codes (digits 1–2): shared/reference/codes-and-checksums.md §3a.
# 71 台湾, 81 香港, 82 澳门 have codes but no county of theirs will install this platform.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
)


def county_code_problems(code: str) -> list[str]:
    """The GB/T 2260 structure of a county-level code (§3a): 6 digits (or the 12-digit statistical
    form ending in 000000), a province that exists, a prefecture and a county segment not 00."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}(\d{6})?", code):
        return ["县级区划代码应为6位数字(GB/T 2260)，或以000000结尾的12位统计用区划代码"]
    problems = []
    if len(code) == 12 and code[6:] != "000000":
        problems.append("12位县级区划代码的后6位应为000000")
    if code[:2] not in PROVINCE_CODES:
        problems.append(f"前两位 {code[:2]} 不是省级区划代码")
    if code[2:4] == "00":
        problems.append("第3–4位(地市级)不能为00")
    if code[4:6] == "00":
        problems.append("第5–6位(县级)不能为00：以00结尾的是地市级代码")
    return problems
