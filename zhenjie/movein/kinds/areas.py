"""The division tree (行政区划) from the civil-affairs list: code, name, kind, parent code.

Checks (every row, every cell): the code is 12 digits with the GB/T 2260 + 统计用区划代码
structure (6 county + 3 township + 3 village; areas/codes.py), unique in the file; its level
follows from the code and must agree with the kind (县/区/市/旗 for the county, 镇/乡/街道 for
a township, 村/社区 for a village); the parent code is the area one level up, present in the
file or already in the database, and the code starts with it; the area lies in the importer's
jurisdiction. Grids are not in this file (the `grids` kind). Keyed by code: a known code with a
different name or kind is a change, an unknown one is new; areas of the jurisdiction missing
from the file would be removed — only when asked, and only those nothing refers to."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas import actions as area_actions
from zhenjie.areas.codes import code_problems, code_warnings, path_for_code
from zhenjie.areas.models import Area
from zhenjie.kernel.scoping import paths_q

from .base import CellError, Change, Column, FieldChange, ImportKind, Plan, Row, Scope, retired_reason

COUNTY_WORDS = {"县", "区", "市", "县级市", "旗", "自治县", "自治旗", "林区", "特区"}
TOWNSHIP_WORDS = {"镇": Area.TownshipKind.TOWN, "乡": Area.TownshipKind.TOWNSHIP, "民族乡": Area.TownshipKind.TOWNSHIP,
                  "苏木": Area.TownshipKind.TOWNSHIP, "街道": Area.TownshipKind.SUBDISTRICT}
VILLAGE_WORDS = {"村": Area.VillageKind.VILLAGE, "行政村": Area.VillageKind.VILLAGE, "社区": Area.VillageKind.COMMUNITY,
                 "居委会": Area.VillageKind.COMMUNITY}
YES, NO = {"是", "Y", "y", "1", "true", "TRUE"}, {"否", "N", "n", "0", "false", "FALSE"}
LEVEL_WORDS = {"county": "县(市、区)", "township": "镇、乡或街道", "village": "村或社区"}


def level_of_code(code: str) -> str | None:
    """The level a 12-digit division code names (None above the county)."""
    if code[4:6] == "00":
        return None  # a province or a prefecture: outside any one county
    if code[6:] == "000000":
        return Area.Level.COUNTY
    if code[9:] == "000":
        return Area.Level.TOWNSHIP
    return Area.Level.VILLAGE


def kind_word(area: Area) -> str:
    if area.level == Area.Level.TOWNSHIP:
        return Area.TownshipKind(area.township_kind).label if area.township_kind else ""
    if area.level == Area.Level.VILLAGE:
        return Area.VillageKind(area.village_kind).label if area.village_kind else ""
    return "县"


def parent_code_of(code: str, level: str) -> str:
    above = {"township": 6, "village": 9}[level]
    return code[:above] + "0" * (12 - above)


class AreasKind(ImportKind):
    code = "areas"
    label = "行政区划"
    role = RoleCode.COUNTY_ADMIN
    description = "民政部门的区划代码表：县(市、区)、乡镇(街道)、村(社区)，每行一个区划。县(市、区)由安装时创建，表中只能改其名称；网格另用网格导入。"
    removal_label = "删除文件中没有、且未被任何机构、人员或事项引用的区划"
    columns = (
        Column("code", "区划代码", required=True, note="12位统计用区划代码(县6位+乡镇3位+村3位)", width=16),
        Column("name", "名称", required=True, note="不超过64字", width=20),
        Column("kind", "类型", required=True, note="县(区、市、旗)、镇、乡、街道、村、社区", width=8),
        Column("parent", "上级区划代码", note="县以外必填：上一级的12位代码", width=16),
        Column("developed", "经济发达镇", note="是/否；只有镇可以为“是”；留空表示不改(新增为否)", width=10),
        Column("sort_order", "排序", note="非负整数，同级按此排列；留空表示不改(新增为0)", width=8),
    )
    example = {"code": "330105101000", "name": "示例镇", "kind": "镇", "parent": "330105000000", "developed": "否", "sort_order": "1"}

    # ---- reading the rows against the tree ---------------------------------------------------

    def _parse(self, scope: Scope, rows: list[Row]) -> tuple[dict[str, dict], list[CellError]]:
        """code → the row's wanted values; and every bad cell."""
        errors: list[CellError] = []
        wanted: dict[str, dict] = {}
        first_row: dict[str, int] = {}
        h = self.header
        for row in rows:
            v = row.values
            bad = len(errors)
            code, name, word = v.get("code", ""), v.get("name", ""), v.get("kind", "")
            level = None
            if not code:
                errors.append(CellError(row.number, h("code"), "请填写区划代码"))
            elif not code.isdigit() or len(code) != 12:
                errors.append(CellError(row.number, h("code"), "区划代码应为12位数字"))
            elif (level := level_of_code(code)) is None:
                errors.append(CellError(row.number, h("code"), "这是省或市(地)的代码，只导入本县(市、区)及以下的区划"))
            elif code in first_row:
                errors.append(CellError(row.number, h("code"), f"区划代码与第{first_row[code]}行重复"))
            elif not scope.covers(path_for_code(level, code)):
                errors.append(CellError(row.number, h("code"), "该区划不在您的管辖范围内"))
            if not name:
                errors.append(CellError(row.number, h("name"), "请填写名称"))
            elif len(name) > 64:
                errors.append(CellError(row.number, h("name"), "名称不超过64字"))
            township_kind = village_kind = ""
            if word == "网格":
                errors.append(CellError(row.number, h("kind"), "网格请用「网格」导入(GeoJSON 或 Shapefile)"))
            elif word in COUNTY_WORDS:
                pass
            elif word in TOWNSHIP_WORDS:
                township_kind = TOWNSHIP_WORDS[word]
            elif word in VILLAGE_WORDS:
                village_kind = VILLAGE_WORDS[word]
            else:
                errors.append(CellError(row.number, h("kind"), "类型应为县、区、市、旗、镇、乡、街道、村或社区" if word else "请填写类型"))
            if word and level and word_level_mismatch(word, level):
                errors.append(CellError(row.number, h("kind"), f"代码 {code} 是{LEVEL_WORDS[level]}一级的代码，类型应为{LEVEL_WORDS[level]}"))
            developed = None
            if v.get("developed", "") in YES:
                developed = True
                if township_kind != Area.TownshipKind.TOWN:
                    errors.append(CellError(row.number, h("developed"), "只有镇可以认定为经济发达镇"))
            elif v.get("developed", "") in NO:
                developed = False
            elif v.get("developed", ""):
                errors.append(CellError(row.number, h("developed"), "应填“是”或“否”"))
            sort_order = None
            if text := v.get("sort_order", ""):
                if not text.isdigit() or int(text) > 1_000_000:
                    errors.append(CellError(row.number, h("sort_order"), "排序应为0至1000000的整数"))
                else:
                    sort_order = int(text)
            parent = v.get("parent", "")
            if level == Area.Level.COUNTY:
                if parent:
                    errors.append(CellError(row.number, h("parent"), "县(市、区)不填上级区划代码"))
            elif level and not parent:
                errors.append(CellError(row.number, h("parent"), "请填写上级区划代码"))
            elif level and parent != parent_code_of(code, level):
                errors.append(CellError(row.number, h("parent"), f"上级区划代码应为 {parent_code_of(code, level)}(本代码的前{6 if level == 'township' else 9}位补0)"))
            if code and code not in first_row:
                first_row[code] = row.number
            if len(errors) == bad and level:
                wanted[code] = {
                    "row": row.number, "code": code, "name": name, "level": level, "parent": parent,
                    "township_kind": township_kind, "village_kind": village_kind, "is_developed": developed, "sort_order": sort_order,
                }
        return wanted, errors

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        plan = Plan(self.code)
        wanted, plan.errors = self._parse(scope, rows)
        codes = set(wanted) | {w["parent"] for w in wanted.values() if w["parent"]}
        existing = {a.code: a for a in Area.objects.filter(code__in=codes).exclude(level=Area.Level.GRID)}
        h = self.header
        for code, w in sorted(wanted.items(), key=lambda item: item[0]):
            if w["level"] == Area.Level.COUNTY and code not in existing:
                # The county itself is created once, by `manage.py bootstrap`, never by a file.
                plan.errors.append(CellError(w["row"], h("code"), "县(市、区)须先由安装程序创建，文件中只能修改其名称"))
                continue
            parent = None
            if w["parent"]:
                parent = existing.get(w["parent"])
                if parent is None and w["parent"] in wanted:
                    p = wanted[w["parent"]]
                    parent = Area(code=p["code"], name=p["name"], level=p["level"], path=path_for_code(p["level"], p["code"]))
                if parent is None:
                    plan.errors.append(CellError(w["row"], h("parent"), f"上级区划 {w['parent']} 既不在文件中，也不在系统中"))
                    continue
            if problems := code_problems(w["level"], code, parent):
                plan.errors.append(CellError(w["row"], h("code"), "；".join(problems)))
                continue
            plan.notes += [f"第{w['row']}行：{warning}" for warning in code_warnings(w["level"], code, w["township_kind"], w["village_kind"])]
            area = existing.get(code)
            if area is None:
                plan.new.append(Change(code, f"{w['name']}({code})", w["row"], [
                    FieldChange(h("name"), "", w["name"]), FieldChange(h("kind"), "", self._word(w)),
                ], payload=w))
                continue
            fields, changes = [], {}
            for field, header, old_text, new_text in self._differences(area, w):
                changes[field] = w[field]
                fields.append(FieldChange(header, old_text, new_text))
            if fields and area.retired_on is not None:
                plan.errors.append(CellError(w["row"], h("code"), retired_reason(area)))
                continue
            if fields:
                plan.changed.append(Change(code, f"{area.name}({code})", w["row"], fields, payload={"changes": changes}))
        if plan.errors:
            plan.new, plan.changed = [], []
            return plan
        self._plan_removals(scope, set(wanted), plan)
        return plan

    def _word(self, w: dict) -> str:
        if w["level"] == Area.Level.TOWNSHIP:
            return Area.TownshipKind(w["township_kind"]).label
        if w["level"] == Area.Level.VILLAGE:
            return Area.VillageKind(w["village_kind"]).label
        return "县"

    def _differences(self, area: Area, w: dict):
        h = self.header
        if area.name != w["name"]:
            yield "name", h("name"), area.name, w["name"]
        if area.level == Area.Level.TOWNSHIP and area.township_kind != w["township_kind"]:
            yield "township_kind", h("kind"), kind_word(area), self._word(w)
        if area.level == Area.Level.VILLAGE and area.village_kind != w["village_kind"]:
            yield "village_kind", h("kind"), kind_word(area), self._word(w)
        if w["is_developed"] is not None and area.is_developed != w["is_developed"]:
            yield "is_developed", h("developed"), yes_no(area.is_developed), yes_no(w["is_developed"])
        if w["sort_order"] is not None and area.sort_order != w["sort_order"]:
            yield "sort_order", h("sort_order"), str(area.sort_order), str(w["sort_order"])

    def _plan_removals(self, scope: Scope, in_file: set[str], plan: Plan) -> None:
        """Areas of the jurisdiction absent from the file, deepest first. Only those nothing
        refers to (and whose children go too) may be removed; the others are named in a note."""
        absent = list(
            Area.objects.live().filter(paths_q(scope.roots)).exclude(level__in=[Area.Level.GRID, Area.Level.COUNTY])
            .exclude(code__in=in_file).exclude(path__in=scope.roots).order_by("-path")
        )
        if not absent:
            return
        leaving = {a.pk for a in absent}
        kept: set[int] = set()
        children = {}
        for child in Area.objects.filter(parent__in=absent).only("pk", "parent_id"):
            children.setdefault(child.parent_id, []).append(child.pk)
        for area in absent:  # deepest first, so a child's verdict is known before its parent's
            found = area_actions.references_to(area)
            blocked = [pk for pk in children.get(area.pk, []) if pk not in leaving or pk in kept]
            if found or blocked:
                kept.add(area.pk)
                why = f"已被{'、'.join(found)}引用" if found else "其下级区划不能删除"
                plan.notes.append(f"{area.name}({area.code}) 不在文件中，但{why}，不会删除；如需撤并请用区划调整")
                continue
            plan.removed.append(Change(area.code, f"{area.name}({area.code})", None, [FieldChange(self.header("name"), area.name, "")], payload=area.pk))

    # ---- writing ------------------------------------------------------------------------------

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        actor = scope.actor
        created: dict[str, Area] = {}
        for change in sorted(plan.new, key=lambda c: len(path_for_code(c.payload["level"], c.key))):  # parents first
            w = change.payload
            parent = created.get(w["parent"]) or Area.objects.get(code=w["parent"])
            area, _ = area_actions.create_area(
                actor, code=w["code"], name=w["name"], level=w["level"], parent=parent, township_kind=w["township_kind"],
                village_kind=w["village_kind"], is_developed=bool(w["is_developed"]), sort_order=w["sort_order"] or 0,
            )
            created[area.code] = area
        for change in plan.changed:
            area_actions.update_area(actor, Area.objects.get(code=change.key), **change.payload["changes"])
        if remove:
            for change in plan.removed:
                area_actions.remove_area(actor, Area.objects.get(pk=change.payload))

    def result_url(self, scope: Scope) -> str | None:
        from django.urls import reverse

        root = Area.objects.filter(path=scope.roots[0]).first() if scope.roots else None
        return reverse("workbench:area", args=[root.pk]) if root else None

    # ---- reading out --------------------------------------------------------------------------

    def export_rows(self, scope: Scope):
        areas = Area.objects.filter(paths_q(scope.roots)).exclude(level=Area.Level.GRID).select_related("parent").order_by("path")
        for area in areas.iterator(chunk_size=2000):
            yield {
                "code": area.code, "name": area.name, "kind": kind_word(area),
                "parent": area.parent.code if area.parent_id and area.level != Area.Level.COUNTY else "",
                "developed": yes_no(area.is_developed) if area.level == Area.Level.TOWNSHIP else "",
                "sort_order": str(area.sort_order),
            }


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def word_level_mismatch(word: str, level: str) -> bool:
    if word in COUNTY_WORDS:
        return level != Area.Level.COUNTY
    if word in TOWNSHIP_WORDS:
        return level != Area.Level.TOWNSHIP
    if word in VILLAGE_WORDS:
        return level != Area.Level.VILLAGE
    return False
