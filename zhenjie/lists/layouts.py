"""The layout of each kind of list: its columns, how a cell is read and written, and the rules
one item must keep. Excel import and export, the item form, the API and the diff all use this one
description, so an exported file re-imports to the same items and a rule is written once.

A value read from a cell, a form field or JSON goes through `parse_values`; what is stored is
read back with `item_values`; `to_cell` writes a value the way `parse_values` reads it."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.units.models import Unit

from .models import (
    HandlingLevel,
    ListKind,
    ListSeries,
    LocalDutyItem,
    MaterialForm,
    MaterialRequirement,
    PowerItem,
    PowerLevel,
    PowerType,
    PurchasedService,
    ServiceItem,
    VillageItem,
)

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")  # codes appear in public URLs
CATEGORY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # Excel cannot hold them
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
TEXT_MAX = 5000
YES = {"是", "y", "yes", "true", "1", "√", "可", "可以"}
NO = {"否", "n", "no", "false", "0", "×", "不可", "", "无"}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str = "text"  # text | longtext | int | bool | choice | unit | codes | lines
    required: bool = True
    max_length: int = 200
    choices: type[models.TextChoices] | None = None
    min_value: int = 0
    max_value: int = 999
    aliases: tuple[str, ...] = ()
    width: int = 18
    hint: str = ""

    def label_of(self, code: str) -> str:
        return self.choices(code).label if self.choices and code in self.choices.values else code


class CellError(Exception):
    """One bad value: the reason, in words for the person who typed it."""


@dataclass(frozen=True)
class Layout:
    kind: str
    model: type[models.Model]
    sheet: str
    columns: tuple[Column, ...]
    has_materials: bool = False
    has_categories: bool = False
    unit_fields: tuple[str, ...] = field(default=())
    summary: tuple[str, ...] = ()  # the columns a table row shows besides code and name
    filter_field: str = ""  # the column a list page filters by

    @property
    def label(self) -> str:
        return ListKind(self.kind).label

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


CODE = Column("code", "事项编码", max_length=64, aliases=("编码", "编号", "事项编号"), width=14)
NAME = Column("name", "事项名称", max_length=200, aliases=("名称",), width=40)

LAYOUTS: dict[str, Layout] = {
    ListKind.POWER: Layout(
        ListKind.POWER, PowerItem, "权责清单",
        (
            CODE, NAME,
            Column("power_type", "事项类型", "choice", choices=PowerType, aliases=("权力类型", "类型"), width=12),
            Column("parent_code", "主项编码", required=False, max_length=64, aliases=("所属主项",), width=12, hint="子项填写所属主项的编码"),
            Column("legal_basis", "设定依据", "longtext", aliases=("法律依据", "实施依据"), width=50),
            Column("implementing_unit", "实施主体", "unit", aliases=("实施机关", "实施单位"), width=20),
            Column("level", "行使层级", "choice", choices=PowerLevel, aliases=("层级",), width=10),
            Column("responsibilities", "责任事项", "longtext", width=50),
            Column("accountability", "追责情形", "longtext", aliases=("追责情形(问责依据)",), width=50),
            Column("remarks", "备注", required=False, max_length=500, width=20),
        ),
        unit_fields=("implementing_unit",), summary=("power_type", "implementing_unit", "level"), filter_field="power_type",
    ),
    ListKind.LOCAL_DUTY: Layout(
        ListKind.LOCAL_DUTY, LocalDutyItem, "属地管理事项清单",
        (
            CODE,
            Column("domain", "领域", max_length=32, aliases=("所属领域",), width=14),
            Column("name", "事项名称", max_length=200, aliases=("事项", "管理事项", "名称"), width=36),
            Column("lead_department", "主体责任部门", "unit", aliases=("主体责任单位", "牵头部门"), width=22),
            Column("lead_duty", "部门主体责任", "longtext", aliases=("主体责任",), width=50),
            Column("township_duty", "乡镇(街道)配合责任", "longtext", aliases=("配合责任", "乡镇配合责任", "镇街配合责任"), width=50),
            Column("categories", "事件类别代码", "codes", required=False, max_length=400, aliases=("事件类别",), width=24,
                   hint="多个用顿号分隔，如 food_safety、noise"),
        ),
        has_categories=True,
        unit_fields=("lead_department",), summary=("domain", "lead_department", "categories"), filter_field="domain",
    ),
    ListKind.SERVICE: Layout(
        ListKind.SERVICE, ServiceItem, "政务服务事项",
        (
            CODE, NAME,
            Column("service_type", "事项类型", "choice", choices=PowerType, aliases=("类型",), width=12),
            Column("handling_level", "办理层级", "choice", choices=HandlingLevel, aliases=("层级",), width=12),
            Column("agent_point", "村级代办点可办", "bool", aliases=("村级代办", "代办点可办"), width=10),
            Column("conditions", "受理条件", "longtext", aliases=("申请条件",), width=40),
            Column("steps", "办理流程", "lines", aliases=("办理程序", "流程"), width=40, hint="每行一个环节"),
            Column("statutory_days", "法定时限(工作日)", "int", required=False, max_value=365, aliases=("法定办结时限",), width=10),
            Column("promised_days", "承诺时限(工作日)", "int", max_value=365, aliases=("承诺办结时限",), width=10),
            Column("fee", "收费标准", max_length=200, aliases=("是否收费",), width=14),
            Column("fee_basis", "收费依据", required=False, max_length=500, width=20),
            Column("visits", "到现场次数", "int", max_value=1, aliases=("跑动次数",), width=10),
            Column("online", "可网上办理", "bool", aliases=("网上办理",), width=10),
            Column("place", "办理地点", max_length=200, width=30),
            Column("hours", "办理时间", max_length=200, width=30),
            Column("phone", "咨询电话", max_length=64, aliases=("联系电话",), width=16),
            Column("result", "办理结果", max_length=200, aliases=("结果名称",), width=20),
            Column("legal_basis", "设定依据", "longtext", aliases=("法律依据",), width=40),
            Column("power_code", "对应权责事项编码", required=False, max_length=64, aliases=("权责事项编码",), width=16,
                   hint="行政许可、行政给付等事项对应的权责清单事项编码；纯公共服务留空"),
            Column("joint_power_codes", "联办权责事项编码", required=False, max_length=200, aliases=("联合办理事项编码",), width=20,
                   hint="联合办理时其他审批单位的权责事项编码，多个用顿号分隔"),
        ),
        has_materials=True, summary=("service_type", "handling_level", "promised_days", "visits"), filter_field="handling_level",
    ),
    ListKind.VILLAGE_DUTY: Layout(
        ListKind.VILLAGE_DUTY, VillageItem, "村(居)委依法履职事项",
        (
            CODE,
            Column("category", "类别", max_length=32, width=14),
            NAME,
            Column("content", "工作内容", "longtext", aliases=("内容",), width=50),
            Column("basis", "依据", "longtext", aliases=("法律依据", "政策依据"), width=40),
            Column("guiding_department", "指导部门", "unit", required=False, aliases=("业务指导部门",), width=20),
        ),
        unit_fields=("guiding_department",), summary=("category", "guiding_department"), filter_field="category",
    ),
    ListKind.PURCHASED_SERVICE: Layout(
        ListKind.PURCHASED_SERVICE, PurchasedService, "购买服务目录",
        (
            CODE,
            Column("category", "类别", max_length=32, width=14),
            Column("name", "项目名称", max_length=200, aliases=("事项名称", "名称"), width=30),
            Column("content", "服务内容", "longtext", width=50),
            Column("provider", "承接主体", max_length=200, width=24),
            Column("standard", "服务标准", "longtext", width=40),
            Column("evaluation", "绩效评价方式", max_length=200, aliases=("绩效评价",), width=24),
        ),
        summary=("category", "provider"), filter_field="category",
    ),
}
LAYOUTS[ListKind.VILLAGE_ASSISTANCE] = Layout(
    ListKind.VILLAGE_ASSISTANCE, VillageItem, "村(居)委协助政府工作事项",
    LAYOUTS[ListKind.VILLAGE_DUTY].columns, unit_fields=("guiding_department",), summary=("category", "guiding_department"),
    filter_field="category",
)

MATERIAL_SHEET = "申请材料"
MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column("code", "事项编码", max_length=64, aliases=("编码",), width=14),
    Column("name", "材料名称", max_length=200, width=40),
    Column("form", "材料形式", "choice", choices=MaterialForm, aliases=("原件/复印件",), width=14),
    Column("copies", "份数", "int", min_value=1, max_value=99, width=8),
    Column("requirement", "是否必需", "choice", choices=MaterialRequirement, aliases=("必需/容缺",), width=14),
    Column("note", "备注", required=False, max_length=200, width=24),
)
MATERIAL_FIELDS = ("name", "form", "copies", "requirement", "note")


def layout_for(kind: str) -> Layout:
    return LAYOUTS[kind]


# ---- reading a value ------------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    """Headers as people type them: spaces, full-width brackets and a required-mark "*" ignored."""
    text = str(text or "").strip().replace("（", "(").replace("）", ")").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text)


def _text(column: Column, raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise CellError("须为文字")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a code typed as a number comes back from Excel as 1001.0
    if isinstance(raw, (datetime, date)):
        raise CellError("须为文字，不能是日期")
    if not isinstance(raw, (str, int, float)):
        raise CellError("须为文字")
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if CONTROL_CHARACTERS.search(text):
        raise CellError("含有不可见的控制字符")
    limit = TEXT_MAX if column.kind in ("longtext", "lines") else column.max_length
    if len(text) > limit:
        raise CellError(f"不能超过{limit}字(现有{len(text)}字)")
    return text


def parse_cell(column: Column, raw: Any, units: "UnitDirectory | None" = None) -> Any:
    """One value as stored, or CellError. Empty optional cells give the column's empty value."""
    if column.kind == "bool":
        if isinstance(raw, bool):
            return raw
        word = _text(column, raw).lower()
        if word in YES:
            return True
        if word in NO:
            if word == "" and column.required:
                raise CellError("必填，请填写「是」或「否」")
            return False
        raise CellError("须填写「是」或「否」")
    if column.kind == "int":
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                raise CellError("必填")
            return None
        if isinstance(raw, bool):
            raise CellError("须为整数")
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError("须为整数")
            raw = int(raw)
        if isinstance(raw, str):
            if not re.fullmatch(r"\s*-?\d{1,6}\s*", raw):
                raise CellError("须为整数")
            raw = int(raw)
        if not isinstance(raw, int):
            raise CellError("须为整数")
        if not column.min_value <= raw <= column.max_value:
            raise CellError(f"须在{column.min_value}至{column.max_value}之间")
        return raw
    if column.kind == "codes":
        if isinstance(raw, (list, tuple)):
            raw = "、".join(_text(column, code) for code in raw)
        text = _text(column, raw)
        codes = [code for code in LIST_SEPARATORS.split(text) if code]
        if column.required and not codes:
            raise CellError("必填")
        for code in codes:
            if not CATEGORY_PATTERN.match(code):
                raise CellError(f"类别代码「{code[:20]}」格式不正确(小写字母、数字和下划线)")
        if len(set(codes)) != len(codes):
            raise CellError("类别代码重复")
        return tuple(codes)
    if column.kind == "lines":
        if isinstance(raw, (list, tuple)):
            lines = [_text(column, line) for line in raw]
        else:
            lines = _text(column, raw).split("\n")
        lines = [line.strip() for line in lines if line.strip()]
        if column.required and not lines:
            raise CellError("必填")
        return tuple(lines)
    if column.kind == "unit":
        if isinstance(raw, Unit):
            raw = raw.name
        name = _text(column, raw)
        if not name:
            if column.required:
                raise CellError("必填")
            return None
        if units is None:
            raise CellError("无法核对单位")
        return units.find(name)
    text = _text(column, raw)
    if not text:
        if column.required:
            raise CellError("必填")
        return ""
    if column.kind == "choice":
        wanted = normalise_header(text)
        for code, label in column.choices.choices:
            if text == code or wanted == normalise_header(label):
                return code
        # Then the short forms people type: 「容缺」 for 「容缺(可后补)」, 「街道」 for 「乡镇(街道)」.
        for code, label in column.choices.choices:
            if wanted in [part for part in re.split(r"[()]", normalise_header(label)) if part]:
                return code
        allowed = "、".join(label for _, label in column.choices.choices)
        raise CellError(f"「{text[:20]}」不在允许的取值中({allowed})")
    if column.field == "code" and not CODE_PATTERN.match(text):
        raise CellError("编码只能由字母、数字、点、横线和下划线组成，且以字母或数字开头(不超过64位)")
    return text


class UnitDirectory:
    """Units a list may name, by name: those of its county (one query)."""

    def __init__(self, series: ListSeries):
        county = county_path(series.area.path)
        self.series = series
        self.by_name: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(area__path__startswith=county, is_active=True).select_related("area"):
            self.by_name.setdefault(unit.name, []).append(unit)
            if unit.short_name and unit.short_name != unit.name:
                self.by_name.setdefault(unit.short_name, []).append(unit)

    def find(self, name: str) -> Unit:
        found = self.by_name.get(name, [])
        if not found:
            raise CellError(f"「{name[:30]}」不是本县在用的单位，请填写单位全称")
        if len({u.pk for u in found}) > 1:
            raise CellError(f"「{name[:30]}」对应多个单位，请填写单位全称")
        return found[0]


def parse_materials(raw: Any) -> tuple[tuple, ...]:
    """Materials from JSON (a list of objects) or from the form's lines: 名称|形式|份数|必需|备注."""
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        rows = []
        for line in raw.replace("\r\n", "\n").split("\n"):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[|｜]", line)]
            parts += [""] * (5 - len(parts))
            rows.append(dict(zip(MATERIAL_FIELDS, parts[:5])))
        raw = rows
    if not isinstance(raw, (list, tuple)):
        raise CellError("申请材料格式不正确")
    if len(raw) > 100:
        raise CellError("申请材料不能超过100项")
    materials = []
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            raise CellError(f"第{index}项材料格式不正确")
        values = []
        for column in MATERIAL_COLUMNS[1:]:
            try:
                values.append(parse_cell(column, entry.get(column.field)))
            except CellError as error:
                raise CellError(f"第{index}项材料的{column.header}{error}") from None
        materials.append(tuple(values))
    return tuple(materials)


def format_materials(materials) -> str:
    lines = []
    for name, form, copies, requirement, note in materials:
        line = f"{name} | {MaterialForm(form).label} | {copies} | {MaterialRequirement(requirement).label}"
        lines.append(line + (f" | {note}" if note else ""))
    return "\n".join(lines)


def parse_values(layout: Layout, raw: Mapping[str, Any], units: UnitDirectory | None) -> tuple[dict, dict[str, str]]:
    """The values of one item, and the reason for each field that is wrong."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in layout.columns:
        try:
            values[column.field] = parse_cell(column, raw.get(column.field), units)
        except CellError as error:
            errors[column.field] = str(error)
    if layout.has_materials:
        try:
            values["materials"] = parse_materials(raw.get("materials"))
        except CellError as error:
            errors["materials"] = str(error)
    return values, errors


def check_item(layout: Layout, series: ListSeries, values: dict) -> dict[str, str]:
    """Rules one item keeps whatever the others say; field → reason."""
    errors: dict[str, str] = {}
    area = series.area
    if layout.kind == ListKind.POWER:
        expected = _power_level(area)
        if values.get("level") and values["level"] != expected:
            errors["level"] = f"本清单适用于{area.name}，应为「{PowerLevel(expected).label}」"
        unit = values.get("implementing_unit")
        if unit is not None:
            if not unit.area.path.startswith(area.path):
                errors["implementing_unit"] = f"「{unit.name}」不在{area.name}，不能实施本清单事项"
            elif area.level == Area.Level.COUNTY and unit.kind not in (Unit.Kind.DEPARTMENT, Unit.Kind.COUNTY_LEADERSHIP):
                errors["implementing_unit"] = "县级权责清单的实施主体须为县直部门"
        if values.get("parent_code") and values["parent_code"] == values.get("code"):
            errors["parent_code"] = "不能是事项自身的编码"
    if layout.kind == ListKind.LOCAL_DUTY:
        unit = values.get("lead_department")
        if unit is not None and unit.kind != Unit.Kind.DEPARTMENT:
            # seed 003 二: the lead (主体责任) stays with the department, never the township.
            errors["lead_department"] = f"「{unit.name}」不是县直部门，主体责任须由县直部门承担"
    if layout.kind in (ListKind.VILLAGE_DUTY, ListKind.VILLAGE_ASSISTANCE):
        unit = values.get("guiding_department")
        if unit is not None and unit.kind != Unit.Kind.DEPARTMENT:
            errors["guiding_department"] = f"「{unit.name}」不是县直部门"
    if layout.kind == ListKind.SERVICE:
        if values.get("handling_level") == HandlingLevel.VILLAGE and values.get("agent_point") is False:
            # seed 001 (一)2 简单事项不出村: a village item is one the agent point takes.
            errors["agent_point"] = "办理层级为村(社区)的事项须由村级代办点办理，请填「是」"
        statutory, promised = values.get("statutory_days"), values.get("promised_days")
        if statutory is not None and promised is not None and promised > statutory:
            errors["promised_days"] = f"不能长于法定时限({statutory}个工作日)"
    return errors


def _power_level(area: Area) -> str:
    if area.level == Area.Level.COUNTY:
        return PowerLevel.COUNTY
    return PowerLevel.SUBDISTRICT if area.township_kind == Area.TownshipKind.SUBDISTRICT else PowerLevel.TOWNSHIP


# ---- reading back and writing out -----------------------------------------------------------


def item_values(layout: Layout, item) -> dict:
    """What an item holds, in the form parse_values returns (children must be prefetched)."""
    values = {}
    for column in layout.columns:
        if column.kind == "codes":
            values[column.field] = tuple(c.code for c in item.categories.all())
        elif column.kind == "lines":
            values[column.field] = tuple(getattr(item, column.field) or ())
        elif column.kind == "unit":
            values[column.field] = getattr(item, column.field)
        else:
            values[column.field] = getattr(item, column.field)
    if layout.has_materials:
        values["materials"] = tuple((m.name, m.form, m.copies, m.requirement, m.note) for m in item.materials.all())
    return values


def to_cell(column: Column, value: Any) -> Any:
    """A value as the spreadsheet shows it, and as parse_cell reads it back."""
    if value is None:
        return None
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choice":
        return column.label_of(value)
    if column.kind == "unit":
        return value.name
    if column.kind == "codes":
        return "、".join(value)
    if column.kind == "lines":
        return "\n".join(value)
    return value


def display(column: Column, value: Any) -> str:
    """A value as a page shows it."""
    if value is None or value == "" or value == ():
        return ""
    shown = to_cell(column, value)
    return str(shown)


def comparable(layout: Layout, values: dict) -> dict:
    """Values as the diff compares them: units by id, everything else as is."""
    result = {}
    for key, value in values.items():
        result[key] = value.pk if isinstance(value, Unit) else value
    return result


def describe(layout: Layout, key: str, value: Any) -> str:
    """A value in a diff, in words."""
    if key == "materials":
        return format_materials(value) or "(无)"
    column = layout.column(key)
    return display(column, value) or "(空)"


def field_label(layout: Layout, key: str) -> str:
    if key == "materials":
        return "申请材料"
    return next((c.header for c in layout.columns if c.field == key), key)


def with_headers(layout: Layout, errors: dict[str, str]) -> str:
    """Errors by field as one sentence: 事项类型：…；实施主体：…"""
    return "；".join(f"{field_label(layout, key)}：{reason}" for key, reason in errors.items())


# ---- how an item reads on a page ------------------------------------------------------------


def _raw(item, column: Column):
    if column.kind == "codes":
        return tuple(c.code for c in item.categories.all())
    if column.kind == "lines":
        return tuple(getattr(item, column.field) or ())
    return getattr(item, column.field)


def summary_cells(layout: Layout, item) -> list[str]:
    return [display(layout.column(name), _raw(item, layout.column(name))) for name in layout.summary]


def summary_headers(layout: Layout) -> list[str]:
    return [layout.column(name).header for name in layout.summary]


def detail_cells(layout: Layout, item) -> list[dict]:
    """Every field of an item, in layout order, for a detail page."""
    cells = []
    for column in layout.columns:
        value = _raw(item, column)
        cells.append({"field": column.field, "label": column.header, "kind": column.kind, "value": value, "text": display(column, value)})
    return cells


def form_initial(layout: Layout, item) -> dict:
    """An item's values as the edit form shows them (the form posts them back the same way)."""
    initial = {}
    for column in layout.columns:
        value = _raw(item, column)
        if column.kind == "choice":
            initial[column.field] = value
        elif column.kind == "int":
            initial[column.field] = value
        else:
            initial[column.field] = to_cell(column, value) if value not in (None, "") else ""
    if layout.has_materials:
        initial["materials"] = format_materials((m.name, m.form, m.copies, m.requirement, m.note) for m in item.materials.all())
    return initial


def as_json(layout: Layout, item) -> dict:
    """An item's values for the API, in the shape the API accepts back."""
    values = {}
    for column in layout.columns:
        value = _raw(item, column)
        if column.kind == "unit":
            value = value.name if value is not None else None
        elif column.kind in ("codes", "lines"):
            value = list(value)
        values[column.field] = value
    if layout.has_materials:
        values["materials"] = [
            {"name": m.name, "form": m.form, "copies": m.copies, "requirement": m.requirement, "note": m.note} for m in item.materials.all()
        ]
    return values
