"""People and their posts (人员与岗位) from the organisation department's roster: one row per
post, so a person with two posts has two rows.

The person is recognised by their ID number's keyed digest when the row gives the full number,
else by the username (what the export writes), else by the mobile. Their name, mobile and ID
number must agree across their rows. A post is keyed by person + unit + post title; its roles
(by their Chinese names, accounts/roles.py) and jurisdiction are what may change — a changed
post is ended and granted anew (the post's history keeps both). Checks: mobile (11 digits),
ID number (GB 11643 check character and birth date), unique among staff; the unit (name + area
code) exists and lies in the importer's jurisdiction, as does the jurisdiction; roles known and
business roles only (the three administrators are the security administrator's, 三权分立); a
role that works on cases in an area has a jurisdiction, inside the unit's area; the importer is
not in the file (no one seats themself).

ID numbers never leave in full: the export writes the mask (110105********002X), and a masked
number that equals the stored mask means "unchanged", so an export imports back as no change.
New people get an initial password no one sees (accounts.actions.create_staff, changed at first
login); the system administrator hands each their one-time password with 重置密码 on 人员与岗位.
Posts in the jurisdiction absent from the file would be ended — only when asked; leaving
altogether, with the handover of open work (离岗交接), is not an import."""

import re

from zhenjie.accounts import actions as account_actions
from zhenjie.accounts.credentials import generate_initial_password
from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import AREA_ROLES, SEPARATED_ADMIN_ROLES, RoleCode
from zhenjie.areas.models import Area
from zhenjie.kernel import pii
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.scoping import paths_q
from zhenjie.units.models import Unit

from .base import CellError, Change, Column, FieldChange, ImportKind, Plan, Row, Scope, retired_reason

ROLE_OF_LABEL = {label: code for code, label in RoleCode.choices if code != RoleCode.CITIZEN}
ROLE_SEPARATORS = re.compile(r"[、,，;；/\s]+")
ROLE_ORDER = {code: index for index, code in enumerate(RoleCode.values)}


def role_labels(codes) -> str:
    return "、".join(RoleCode(code).label for code in sorted(codes, key=ROLE_ORDER.get))


class PeopleKind(ImportKind):
    code = "people"
    label = "人员与岗位"
    role = RoleCode.SYSTEM_ADMIN
    description = "组织部门、编办的人员名单：每个岗位一行(姓名、手机号、身份证号、机构、岗位名称、角色、辖区)。新增人员的初始密码由系统管理员在「人员与岗位」页逐人重置后告知。"
    removal_label = "免去文件中没有的岗位(只免岗位，不停用人员账号；离岗请用离岗交接)"
    columns = (
        Column("name", "姓名", required=True, note="不超过32字", width=10),
        Column("mobile", "手机号", required=True, note="11位手机号；新增人员必填", width=14),
        Column("id_number", "身份证号", required=True, note="18位，校验位须正确；新增人员必填。导出时为脱敏号码，原样导入表示不改", width=22),
        Column("username", "用户名", note="登录名；新增人员留空则用手机号。已有人员按此识别", width=16),
        Column("unit", "机构", required=True, note="机构名称(须已导入)", width=26),
        Column("unit_area", "机构所在区划代码", required=True, note="机构所在区划的12位代码", width=16),
        Column("title", "岗位名称", required=True, note="不超过64字；同一人在同一机构的岗位名称不重复", width=16),
        Column("roles", "角色", required=True, note="用顿号分隔：" + "、".join(label for code, label in RoleCode.choices if code not in SEPARATED_ADMIN_ROLES and code != RoleCode.CITIZEN), width=24),
        Column("jurisdiction", "辖区代码", note="岗位可办理的区划(12位，网格15位)；部门联络员可空", width=16),
    )
    example = {"name": "张三", "mobile": "13800000000", "id_number": "11010519491231002X", "username": "", "unit": "示例镇社会治理综合指挥中心",
               "unit_area": "330105101000", "title": "调度员", "roles": "指挥中心调度员", "jurisdiction": "330105101000"}

    # ---- the plan -------------------------------------------------------------------------------

    def plan(self, scope: Scope, rows: list[Row]) -> Plan:
        plan = Plan(self.code)
        h = self.header
        units = {(u.area.code, u.name): u for u in Unit.objects.filter(area__path__startswith=scope.county.path, is_active=True).select_related("area")}
        codes = {r.values.get("jurisdiction", "") for r in rows} - {""}
        areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
        staff = User.objects.filter(kind=User.Kind.STAFF)
        people: dict[str, dict] = {}  # person key → the person's wanted fields and rows
        posts: list[dict] = []
        seen_posts: dict[tuple, int] = {}
        for row in rows:
            v, bad = row.values, len(plan.errors)

            def error(key, reason):
                plan.errors.append(CellError(row.number, h(key), reason))

            name = v.get("name", "")
            if not name or len(name) > 32:
                error("name", "请填写姓名(不超过32字)")
            mobile = ""
            if v.get("mobile"):
                try:
                    mobile = pii.normalise_mobile(v["mobile"])
                except Rejected as e:
                    error("mobile", e.message)
            id_text, sealed_digest, id_number = v.get("id_number", "").upper(), "", ""
            if id_text and "*" not in id_text:
                try:
                    id_number = pii.normalise_citizen_id(id_text)
                    sealed_digest = pii.lookup_digest(pii.ID_NUMBER, id_number)
                except Rejected as e:
                    error("id_number", e.message)
            username = v.get("username", "")
            if username and not account_actions.USERNAME_PATTERN.match(username):
                error("username", "用户名须为3至150位字母、数字或 _ . @ -")
            person = None
            if len(plan.errors) == bad:
                person, why = self._find_person(staff, sealed_digest, username, mobile)
                if why:
                    error(*why)
            if person is not None and username and person.username.lower() != username.lower():
                error("username", f"该人员的用户名是 {person.username}，用户名不能通过导入修改")
            if person is not None and person.pk == getattr(scope.actor, "pk", None):
                error("name", "不能为自己设置岗位，须由其他管理员办理")
            if person is not None and not person.is_active:
                # Someone who left (离岗交接) is not re-seated by a roster: rehiring is a decision.
                error("name", f"{person.display_name} 已离岗(账号已停用)，不能通过导入重新任用")
            if person is None and len(plan.errors) == bad:
                if not mobile:
                    error("mobile", "新增人员须填写手机号")
                if not id_number:
                    error("id_number", "新增人员须填写完整的身份证号" if not id_text else "脱敏的身份证号只能用于已有人员")
                if (username or mobile) and User.objects.filter(username__iexact=username or mobile).exists():
                    error("username", f"用户名 {username or mobile} 已被他人使用，请另填用户名")
            elif person is not None and "*" in id_text and id_text != person.id_number_masked:
                error("id_number", "脱敏的身份证号与系统中的不一致，请填写完整号码")
            unit = units.get((v.get("unit_area", ""), v.get("unit", "")))
            if unit is None:
                error("unit", f"{v.get('unit_area', '')} 没有名为「{v.get('unit', '')}」的在用机构，请先导入机构")
            elif not scope.covers(unit.area.path):
                error("unit", "该机构不在您的管理范围内")
            title = v.get("title", "")
            if not title or len(title) > 64:
                error("title", "请填写岗位名称(不超过64字)")
            roles, unknown = set(), []
            for label in filter(None, ROLE_SEPARATORS.split(v.get("roles", ""))):
                if label in ROLE_OF_LABEL:
                    roles.add(ROLE_OF_LABEL[label])
                else:
                    unknown.append(label)
            if unknown:
                error("roles", f"未知角色：{'、'.join(unknown)}")
            elif not roles:
                error("roles", "请填写至少一个角色")
            elif roles & SEPARATED_ADMIN_ROLES:
                error("roles", "系统管理员、安全管理员、安全审计员岗位只能由安全管理员设置，不能导入")
            jurisdiction = None
            if code := v.get("jurisdiction", ""):
                jurisdiction = areas.get(code)
                if jurisdiction is None:
                    error("jurisdiction", f"系统中没有区划代码 {code}")
                elif not scope.covers(jurisdiction.path):
                    error("jurisdiction", "该辖区超出您的管理范围")
                elif jurisdiction.retired_on is not None:
                    error("jurisdiction", retired_reason(jurisdiction))
                elif unit is not None and not (jurisdiction.path.startswith(unit.area.path) or unit.area.path.startswith(jurisdiction.path)):
                    error("jurisdiction", f"辖区须在「{unit.name}」所在的{unit.area.name}范围内")
            elif roles & AREA_ROLES:
                error("jurisdiction", "该岗位的角色需要设定辖区")
            if len(plan.errors) != bad:
                continue
            key = f"id:{sealed_digest}" if sealed_digest and person is None else f"user:{person.pk}" if person else f"mobile:{mobile}"
            wanted = people.setdefault(key, {"row": row.number, "person": person, "name": name, "mobile": mobile, "id_number": id_number,
                                             "username": username or mobile})
            if wanted["name"] != name or (mobile and wanted["mobile"] and mobile != wanted["mobile"]) or (
                    id_number and wanted["id_number"] and id_number != wanted["id_number"]):
                error("name", f"与第{wanted['row']}行是同一人，但姓名、手机号或身份证号不一致")
                continue
            wanted["mobile"], wanted["id_number"] = wanted["mobile"] or mobile, wanted["id_number"] or id_number
            post_key = (key, unit.pk, title)
            if post_key in seen_posts:
                error("title", f"与第{seen_posts[post_key]}行重复：同一人在同一机构的岗位名称不能重复")
                continue
            seen_posts[post_key] = row.number
            posts.append({"row": row.number, "person_key": key, "unit": unit, "title": title, "roles": roles, "jurisdiction": jurisdiction})
        self._check_usernames(people, plan)
        self._check_people_elsewhere(scope, people, plan)
        if plan.errors:
            return plan
        plan.extra["people"] = people
        self._plan_people(people, plan)
        self._plan_posts(scope, people, posts, plan)
        return plan

    def _find_person(self, staff, digest: str, username: str, mobile: str):
        """The existing person a row names, or None for a new one; or the (column, reason) why
        the row names no one in particular."""
        by_id = staff.filter(id_number_digest=digest).first() if digest else None
        by_name = staff.filter(username__iexact=username).first() if username else None
        if by_id and by_name and by_id.pk != by_name.pk:
            return None, ("id_number", f"该身份证号属于另一名人员，而用户名 {username} 是{by_name.display_name}的")
        if by_id or by_name:
            return by_id or by_name, None
        if username:
            return None, None  # a new person with the username they are to have
        if mobile:
            found = list(staff.filter(phone=mobile)[:2])
            if len(found) > 1:
                return None, ("mobile", "有多名人员使用该手机号，请填写用户名加以区分")
            if found:
                return found[0], None
        return None, None

    def _check_usernames(self, people, plan):
        taken: dict[str, int] = {}
        for wanted in people.values():
            if wanted["person"] is None:
                name = wanted["username"].lower()
                if name in taken:
                    plan.errors.append(CellError(wanted["row"], self.header("username"), f"与第{taken[name]}行的新人员用户名相同"))
                taken.setdefault(name, wanted["row"])

    def _check_people_elsewhere(self, scope, people, plan):
        """A person seated outside the importer's reach, or holding an administrator role, is
        not theirs to seat (accounts.actions: 三权分立, township administrators)."""
        known = {w["person"].pk: w for w in people.values() if w["person"] is not None}
        active = Post.objects.filter(user_id__in=known, is_active=True).select_related("unit__area").prefetch_related("roles")
        for post in active:
            wanted = known[post.user_id]
            if not scope.covers(post.unit.area.path):
                plan.errors.append(CellError(wanted["row"], self.header("name"), f"{wanted['name']}在您管理的范围之外任职({post.unit.name})，须由其任职地的管理员办理"))
            elif {r.code for r in post.roles.all()} & SEPARATED_ADMIN_ROLES:
                plan.errors.append(CellError(wanted["row"], self.header("roles"), f"{wanted['name']}担任管理员岗位，不得兼任业务岗位(三权分立)"))

    def _plan_people(self, people, plan):
        h = self.header
        for key, w in people.items():
            person = w["person"]
            if person is None:
                plan.new.append(Change(f"人员:{w['username']}", f"{w['name']}({w['username']})", w["row"], [
                    FieldChange(h("name"), "", w["name"]), FieldChange(h("mobile"), "", pii.mask_phone(w["mobile"])),
                    FieldChange(h("id_number"), "", pii.mask_id_number(w["id_number"])),
                ], payload={"person": key}))
                continue
            fields, changes = [], {}
            if person.full_name != w["name"]:
                fields.append(FieldChange(h("name"), person.full_name, w["name"]))
                changes["full_name"] = w["name"]
            if w["mobile"] and person.phone != w["mobile"]:
                fields.append(FieldChange(h("mobile"), pii.mask_phone(person.phone), pii.mask_phone(w["mobile"])))
                changes["phone"] = w["mobile"]
            if w["id_number"] and person.id_number_digest != pii.lookup_digest(pii.ID_NUMBER, w["id_number"]):
                fields.append(FieldChange(h("id_number"), person.id_number_masked, pii.mask_id_number(w["id_number"])))
                changes["id_number"] = w["id_number"]
            if fields:
                plan.changed.append(Change(f"人员:{person.username}", f"{person.display_name}({person.username})", w["row"], fields,
                                           payload={"person": key, "changes": changes}))

    def _plan_posts(self, scope, people, posts, plan):
        h = self.header
        existing: dict[tuple, Post] = {}
        current = (Post.objects.filter(is_active=True).filter(paths_q(scope.roots, "unit__area__path"))
                   .exclude(roles__code__in=SEPARATED_ADMIN_ROLES).select_related("user", "unit__area", "jurisdiction").prefetch_related("roles"))
        for post in current:
            existing[(f"user:{post.user_id}", post.unit_id, post.title)] = post
        matched = set()
        for p in posts:
            w = people[p["person_key"]]
            who = w["person"].username if w["person"] else w["username"]
            label = f"{w['name']}：{p['unit'].name}·{p['title']}"
            key = f"岗位:{who}@{p['unit'].area.code}/{p['unit'].name}/{p['title']}"
            post = existing.get((p["person_key"], p["unit"].pk, p["title"]))
            new_roles, new_area = role_labels(p["roles"]), p["jurisdiction"].code if p["jurisdiction"] else ""
            if post is None:
                plan.new.append(Change(key, label, p["row"], [FieldChange(h("roles"), "", new_roles), FieldChange(h("jurisdiction"), "", new_area)], payload=p))
                continue
            matched.add(post.pk)
            old_roles, old_area = role_labels(r.code for r in post.roles.all()), post.jurisdiction.code if post.jurisdiction_id else ""
            fields = [FieldChange(header, old, new) for header, old, new in ((h("roles"), old_roles, new_roles), (h("jurisdiction"), old_area, new_area)) if old != new]
            if fields:
                plan.changed.append(Change(key, label, p["row"], fields, payload={**p, "post": post.pk}))
        for post in sorted(existing.values(), key=lambda p: p.pk):
            if post.pk not in matched and post.user_id != getattr(scope.actor, "pk", None):
                key = f"岗位:{post.user.username}@{post.unit.area.code}/{post.unit.name}/{post.title}"
                plan.removed.append(Change(key, f"{post.user.display_name}：{post.unit.name}·{post.title}", None,
                                           [FieldChange("状态", "在岗", "免职")], payload=post.pk))

    # ---- writing ----------------------------------------------------------------------------

    def apply(self, scope: Scope, plan: Plan, *, remove: bool) -> None:
        actor = scope.actor
        people = plan.extra["people"]
        users: dict[str, User] = {key: w["person"] for key, w in people.items() if w.get("person") is not None}
        for change in plan.new + plan.changed:
            payload = change.payload
            if not change.key.startswith("人员:"):
                continue
            if "changes" in payload:
                account_actions.update_staff(actor, users[payload["person"]], **payload["changes"])
            else:
                w = people[payload["person"]]
                users[payload["person"]] = account_actions.create_staff(
                    actor, username=w["username"], full_name=w["name"], phone=w["mobile"], id_number=w["id_number"],
                    password=generate_initial_password(),  # never shown: the administrator resets it to hand it over
                )
        if remove:
            for change in plan.removed:
                account_actions.end_post(actor, Post.objects.select_related("user", "unit__area", "jurisdiction").get(pk=change.payload))
        for change in plan.changed:
            if change.key.startswith("岗位:"):
                # A post's roles or jurisdiction change: it ends and a new one begins, so the
                # history says who could act where, and when.
                account_actions.end_post(actor, Post.objects.select_related("user", "unit__area", "jurisdiction").get(pk=change.payload["post"]),
                                         hand_back_work=False)
        for change in plan.new + plan.changed:
            if change.key.startswith("岗位:"):
                p = change.payload
                account_actions.grant_post(actor, user=users[p["person_key"]], unit=p["unit"], title=p["title"], roles=sorted(p["roles"]),
                                           jurisdiction=p["jurisdiction"])

    def result_url(self, scope: Scope) -> str | None:
        from django.urls import reverse

        return reverse("workbench:users")

    # ---- reading out ------------------------------------------------------------------------

    def export_rows(self, scope: Scope):
        posts = (Post.objects.filter(is_active=True).filter(paths_q(scope.roots, "unit__area__path"))
                 .exclude(roles__code__in=SEPARATED_ADMIN_ROLES).select_related("user", "unit__area", "jurisdiction")
                 .prefetch_related("roles").order_by("unit__area__path", "unit__name", "user__username", "title", "pk"))
        for post in posts:
            user = post.user
            yield {
                "name": user.full_name or user.username, "mobile": user.phone, "id_number": user.id_number_masked, "username": user.username,
                "unit": post.unit.name, "unit_area": post.unit.area.code, "title": post.title,
                "roles": role_labels(r.code for r in post.roles.all()), "jurisdiction": post.jurisdiction.code if post.jurisdiction_id else "",
            }
