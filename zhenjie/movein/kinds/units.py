"""Units (机构) from the organisation department's and 编办's lists: county departments and
leadership, stationed units with their home department (条) and host township (块), township
governments, offices and centres, village committees.

Keyed by name and area code (a unit's name is unique in its area). Checks: the kind is one of
the platform's (Chinese labels, a few everyday synonyms); the area exists, lies in the importer's
jurisdiction and is at the level the kind sits at (a department at the county, an office in a
township, a committee in a village); a stationed unit names a county department as its home
department; the parent unit, by name, is in the same area or an area above it (in the file or
the database, nearest area first); names are not repeated within an area. Every column is the
truth: an empty 简称 or 电话 clears it. Units in use that are absent from the file would be
stopped (停用) — only when asked, and never one with people seated in it or work open."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import ancestor_paths
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.scoping import paths_q
from zhenjie.units import actions as unit_actions
from zhenjie.units.actions import LEVEL_OF_KIND
from zhenjie.units.models import Unit

from .base import CellError, Change, Column, FieldChange, ImportKind, Plan, Row, Scope, retired_reason

KIND_WORDS = {label: code for code, label in Unit.Kind.choices} | {
    "县委": Unit.Kind.COUNTY_LEADERSHIP, "县政府": Unit.Kind.COUNTY_LEADERSHIP, "部门": Unit.Kind.DEPARTMENT,
    "派驻": Unit.Kind.STATIONED, "乡镇政府": Unit.Kind.TOWNSHIP_GOVERNMENT, "街道办事处": Unit.Kind.TOWNSHIP_GOVERNMENT,
    "办公室": Unit.Kind.OFFICE, "内设机构": Unit.Kind.OFFICE, "政务服务中心": Unit.Kind.SERVICE_CENTRE, "中心": Unit.Kind.CENTRE, "事业单位": Unit.Kind.CENTRE,
    "村委会": Unit.Kind.VILLAGE_COMMITTEE, "居委会": Unit.Kind.VILLAGE_COMMITTEE, "村(居)委会": Unit.Kind.VILLAGE_COMMITTEE,
}


def key_of(area_code: str, name: str) -> str:
    return f"{name}@{area_code}"


class UnitsKind(ImportKind):
    code = "units"
    label = "机构"
    role = RoleCode.COUNTY_ADMIN
    description = "县直部门、派驻机构(写明主管部门和所在乡镇)、乡镇政府及其办公室和中心、村(居)民委员会，每行一个机构。"
    removal_label = "停用文件中没有的机构(有人员在岗或有待办事项的不会停用)"
    columns = (
        Column("name", "名称", required=True, note="机构全称，同一区划内不重复", width=28),
        Column("short_name", "简称", note="不超过32字", width=14),
        Column("kind", "类型", required=True, note="、".join(Unit.Kind.labels), width=18),
        Column("area", "所在区划代码", required=True, note="12位代码：县直部门填县的代码，乡镇机构和派驻机构填所在乡镇的代码，村(居)委会填村(社区)的代码", width=16),
        Column("parent", "上级机构", note="上级机构的名称(在本区划或上级区划内)，可空", width=24),
        Column("home", "主管部门", note="派驻机构必填：主管的县直部门名称", width=20),
        Column("phone", "联系电话", note="不超过32字", width=16),
        Column("sort_order", "排序", note="非负整数，空为0", width=8),
    )
    example = {"name": "示例镇派出所", "short_name": "", "kind": "派驻机构", "area": "330105101000", "parent": "",
               "home": "示例县公安局", "phone": "0571-88880000", "sort_order": "1"}

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        plan = Plan(self.code)
        h = self.header
        area_codes = {r.values.get("area", "") for r in rows}
        areas = {a.code: a for a in Area.objects.filter(code__in=area_codes)}
        county_units = list(Unit.objects.filter(area__path__startswith=scope.county.path).select_related("area", "parent", "parent__area", "home_department"))
        existing = {key_of(u.area.code, u.name): u for u in county_units}
        by_place: dict[str, dict[str, object]] = {}  # area path → name → Unit or the wanted row
        for unit in county_units:
            by_place.setdefault(unit.area.path, {})[unit.name] = unit
        wanted: dict[str, dict] = {}
        first_row: dict[str, int] = {}
        for row in rows:
            v, bad = row.values, len(plan.errors)
            name, area = v.get("name", ""), areas.get(v.get("area", ""))
            if not name:
                plan.errors.append(CellError(row.number, h("name"), "请填写名称"))
            elif len(name) > 64:
                plan.errors.append(CellError(row.number, h("name"), "名称不超过64字"))
            kind = KIND_WORDS.get(v.get("kind", ""))
            if kind is None:
                plan.errors.append(CellError(row.number, h("kind"), f"类型应为{'、'.join(Unit.Kind.labels)}之一" if v.get("kind") else "请填写类型"))
            if area is None:
                plan.errors.append(CellError(row.number, h("area"), "请填写所在区划代码" if not v.get("area") else f"系统中没有区划代码 {v.get('area')}，请先导入行政区划"))
            elif not scope.covers(area.path):
                plan.errors.append(CellError(row.number, h("area"), "该区划不在您的管辖范围内"))
            elif area.retired_on is not None:
                plan.errors.append(CellError(row.number, h("area"), retired_reason(area)))
            elif kind and area.level != LEVEL_OF_KIND[kind]:
                plan.errors.append(CellError(row.number, h("area"), f"{Unit.Kind(kind).label}应设在{Area.Level(LEVEL_OF_KIND[kind]).label}一级，{area.name}是{area.get_level_display()}"))
            if kind == Unit.Kind.STATIONED and not v.get("home"):
                plan.errors.append(CellError(row.number, h("home"), "派驻机构须填写主管部门"))
            elif kind and kind != Unit.Kind.STATIONED and v.get("home"):
                plan.errors.append(CellError(row.number, h("home"), "只有派驻机构填写主管部门"))
            if len(v.get("short_name", "")) > 32:
                plan.errors.append(CellError(row.number, h("short_name"), "简称不超过32字"))
            if len(v.get("phone", "")) > 32:
                plan.errors.append(CellError(row.number, h("phone"), "联系电话不超过32字"))
            sort_order = v.get("sort_order", "") or "0"
            if not sort_order.isdigit() or int(sort_order) > 1_000_000:
                plan.errors.append(CellError(row.number, h("sort_order"), "排序应为0至1000000的整数"))
            if name and area is not None:
                key = key_of(area.code, name)
                if key in first_row:
                    plan.errors.append(CellError(row.number, h("name"), f"与第{first_row[key]}行重复：同一区划内机构名称不能重复"))
                first_row.setdefault(key, row.number)
            if len(plan.errors) == bad:
                w = {"row": row.number, "name": name, "kind": kind, "area": area, "short_name": v.get("short_name", ""),
                     "parent_name": v.get("parent", ""), "home_name": v.get("home", ""), "phone": v.get("phone", ""), "sort_order": int(sort_order)}
                wanted[key_of(area.code, name)] = w
                if key_of(area.code, name) not in existing:  # a unit already there is named by its row as it is
                    by_place.setdefault(area.path, {})[name] = w
        departments = {name: u for name, u in by_place.get(scope.county.path, {}).items()
                       if (u.kind if isinstance(u, Unit) else u["kind"]) == Unit.Kind.DEPARTMENT}
        for key, w in wanted.items():
            w["parent"] = w["home"] = None
            if w["parent_name"]:
                w["parent"] = next((by_place[p][w["parent_name"]] for p in reversed(ancestor_paths(w["area"].path))
                                    if w["parent_name"] in by_place.get(p, {})), None)
                if w["parent"] is None:
                    plan.errors.append(CellError(w["row"], h("parent"), f"在{w['area'].name}及其上级区划中没有名为「{w['parent_name']}」的机构"))
                elif w["parent"] is w or w["parent"] is existing.get(key):
                    plan.errors.append(CellError(w["row"], h("parent"), "上级机构不能是本机构"))
            if w["home_name"]:
                w["home"] = departments.get(w["home_name"])
                if w["home"] is None:
                    plan.errors.append(CellError(w["row"], h("home"), f"文件和系统中都没有名为「{w['home_name']}」的县直部门"))
        if plan.errors:
            return plan
        for key, w in sorted(wanted.items(), key=lambda item: item[1]["row"]):
            unit = existing.get(key)
            label = f"{w['name']}({w['area'].name})"
            if unit is None:
                plan.new.append(Change(key, label, w["row"], [FieldChange(h("kind"), "", Unit.Kind(w["kind"]).label)], payload=w))
                continue
            fields, changes = [], {}
            for field, header, old, new, value in self._differences(unit, w):
                fields.append(FieldChange(header, old, new))
                changes[field] = value
            if fields:
                plan.changed.append(Change(key, label, w["row"], fields, payload={"unit": unit.pk, "changes": changes, "wanted": w}))
        for unit in county_units:
            key = key_of(unit.area.code, unit.name)
            if unit.is_active and key not in wanted and scope.covers(unit.area.path):
                if why := unit_actions.why_unit_must_stay(unit):
                    plan.notes.append(f"{unit.name}({unit.area.name}) 不在文件中，但{why}，不会停用")
                else:
                    plan.removed.append(Change(key, f"{unit.name}({unit.area.name})", None, [FieldChange("状态", "在用", "停用")], payload=unit.pk))
        plan.removed.sort(key=lambda c: c.key)
        return plan

    def _differences(self, unit: Unit, w: dict):
        h = self.header
        if unit.kind != w["kind"]:
            yield "kind", h("kind"), unit.get_kind_display(), Unit.Kind(w["kind"]).label, w["kind"]
        if unit.short_name != w["short_name"]:
            yield "short_name", h("short_name"), unit.short_name, w["short_name"], w["short_name"]
        target = w["parent"]  # an existing Unit, a new unit's row, or None
        same_parent = unit.parent_id == target.pk if isinstance(target, Unit) else target is None and unit.parent_id is None
        if not same_parent:
            yield "parent", h("parent"), unit.parent.name if unit.parent_id else "", w["parent_name"], target
        old_home = unit.home_department.name if unit.home_department_id else ""
        if old_home != w["home_name"]:
            yield "home_department", h("home"), old_home, w["home_name"], w["home"]
        if unit.phone != w["phone"]:
            yield "phone", h("phone"), unit.phone, w["phone"], w["phone"]
        if unit.sort_order != w["sort_order"]:
            yield "sort_order", h("sort_order"), str(unit.sort_order), str(w["sort_order"]), w["sort_order"]
        if not unit.is_active:
            yield "is_active", "状态", "停用", "在用", True

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        actor = scope.actor
        made: dict[int, Unit] = {}  # id() of a wanted row → the unit created for it

        def resolved(target):
            if target is None or isinstance(target, Unit):
                return target
            return made.get(id(target))

        pending = sorted(plan.new, key=lambda c: (c.payload["kind"] != Unit.Kind.DEPARTMENT, len(c.payload["area"].path), c.row))
        while pending:
            # Parents and home departments first: a row waits until what it names exists.
            ready = [c for c in pending if all(t is None or resolved(t) is not None for t in (c.payload["parent"], c.payload["home"]))]
            if not ready:
                raise Rejected("unit.parent_cycle", "上级机构之间相互引用，无法导入", field="parent")
            for change in ready:
                w = change.payload
                made[id(w)] = unit_actions.create_unit(
                    actor, name=w["name"], kind=w["kind"], area=w["area"], short_name=w["short_name"], parent=resolved(w["parent"]),
                    home_department=resolved(w["home"]), phone=w["phone"], sort_order=w["sort_order"],
                )
            pending = [c for c in pending if c not in ready]
        for change in plan.changed:
            changes = {field: resolved(value) if field in ("parent", "home_department") else value for field, value in change.payload["changes"].items()}
            unit_actions.update_unit(actor, Unit.objects.select_related("area").get(pk=change.payload["unit"]), **changes)
        if remove:
            for change in plan.removed:
                unit_actions.deactivate_unit(actor, Unit.objects.get(pk=change.payload))

    def result_url(self, scope: Scope) -> str | None:
        from django.urls import reverse

        return reverse("workbench:units")

    def export_rows(self, scope: Scope):
        units = (Unit.objects.filter(paths_q(scope.roots, "area__path"), is_active=True)
                 .select_related("area", "parent", "home_department").order_by("area__path", "sort_order", "name"))
        for unit in units.iterator(chunk_size=2000):
            yield {
                "name": unit.name, "short_name": unit.short_name, "kind": unit.get_kind_display(), "area": unit.area.code,
                "parent": unit.parent.name if unit.parent_id else "", "home": unit.home_department.name if unit.home_department_id else "",
                "phone": unit.phone, "sort_order": str(unit.sort_order),
            }
