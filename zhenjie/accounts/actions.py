"""Changes to people, posts and the security policy: system and security administration.

三权分立 (等保 8.1.4.2 c/d, 8.1.5.1–8.1.5.3), enforced here so that pages, the API and commands
cannot differ:
- the system administrator creates accounts and seats people in business posts, within the
  jurisdiction of their own post (a township's system administrator, only in that township);
- only the security administrator seats or removes the three administrators (system, security,
  audit), within their own jurisdiction;
- no one changes their own posts;
- no person holds two of the three administrator roles, nor one of them and a business role.
Every grant and removal is journaled on the `rules` chain, which the audit administrator reads.
An actor of None is the platform itself (the demo, test builders, a command seating the first
administrators): there is no person to keep apart.

Staff changes (人员变动, issue 13 item 3; docs/OPERATIONS.md): a post ends on a date and stays in
the person's history (`end_post`); a transfer ends one post and starts another in one step
(`transfer_post`); a person who leaves hands all their open work to a named colleague or back to
their unit, ends their posts and grid stints and loses every way in (`hand_over`, 离岗交接); a
person on leave is covered by a named stand-in for a period (`set_stand_in`, AB岗), which
kernel.scoping reads."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from zhenjie.areas.paths import township_path
from zhenjie.kernel import journal, pii
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from .models import Coverage, Post, Role, SecurityPolicy, StandIn, User
from .policy import forget_policy
from .roles import AREA_ROLES, BUSINESS_ROLES, LENDABLE_ROLES, SEPARATED_ADMIN_ROLES, RoleCode

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")


@transaction.atomic
def create_staff(actor, *, username: str, full_name: str, password: str, phone: str = "",
                 password_hash: str | None = None, id_number: str = "") -> User:
    """A staff account, with no post yet. `password_hash` lets bulk loaders reuse one hash; it
    skips the rules. Only a system administrator creates accounts (三权分立, 等保 8.1.4.2 a).
    An ID number, if given, is checked (GB 11643) and sealed (kernel/pii.py), unique among staff."""
    if _is_person(actor) and not administered_roots(actor, RoleCode.SYSTEM_ADMIN):
        raise Forbidden("user.create_not_allowed", "只有系统管理员可以新增人员")
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise Rejected("user.username_invalid", "用户名须为3至150位字母、数字或 _ . @ -", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("user.username_taken", "该用户名已被使用", field="username")
    full_name = (full_name or "").strip()
    if not full_name or len(full_name) > 32:
        raise Rejected("user.full_name_invalid", "请填写姓名(不超过32字)", field="full_name")
    user = User(username=username, full_name=full_name, phone=phone[:20], kind=User.Kind.STAFF)
    if id_number:
        _seal_id_number(user, id_number)
    if password_hash:
        user.password = password_hash
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise Rejected("user.password_weak", "；".join(error.messages), field="password") from None
        user.set_password(password)
        user.must_change_password = True  # chosen by someone else: changed at first login (ASVS 6.4.1)
    user.save()
    journal.record(actor=actor, verb="user.create", subject=f"user:{user.pk}", summary=f"新增人员 {full_name}({username})")
    return user


STAFF_ID_CONTEXT = "accounts.user.id_number"


def _seal_id_number(user: User, id_number: str) -> None:
    sealed = pii.seal_id_number(id_number, STAFF_ID_CONTEXT)
    if User.objects.filter(id_number_digest=sealed.digest).exclude(pk=user.pk).exists():
        raise Conflict("user.id_number_taken", "该身份证号已登记在另一名人员名下", field="id_number")
    user.id_number_cipher, user.id_number_digest, user.id_number_masked = sealed.cipher, sealed.digest, sealed.masked


@transaction.atomic
def update_staff(actor, user: User, *, full_name: str | None = None, phone: str | None = None, id_number: str | None = None) -> User:
    """Correct a staff member's name, phone or ID number (the roster changed). The system
    administrator who looks after them (people_administered_by), or the platform. The journal
    names which fields changed, never their values (personal data, kernel/PII.md)."""
    from .queries import people_administered_by

    if _is_person(actor) and not people_administered_by(actor, RoleCode.SYSTEM_ADMIN).filter(pk=user.pk).exists():
        raise Forbidden("user.update_not_allowed", "只能修改您管理范围内的工作人员", field="username")
    changed = []
    if full_name is not None and full_name.strip() != user.full_name:
        full_name = full_name.strip()
        if not full_name or len(full_name) > 32:
            raise Rejected("user.full_name_invalid", "请填写姓名(不超过32字)", field="full_name")
        user.full_name = full_name
        changed.append("full_name")
    if phone is not None and phone != user.phone:
        user.phone = phone[:20]
        changed.append("phone")
    if id_number is not None:
        before = user.id_number_digest
        _seal_id_number(user, id_number)
        if user.id_number_digest != before:
            changed += ["id_number_cipher", "id_number_digest", "id_number_masked"]
    if changed:
        user.save(update_fields=changed)
        journal.record(
            actor=actor, verb="user.update", subject=f"user:{user.pk}", summary=f"修改人员信息 {user.display_name}",
            data={"fields": sorted({field.removesuffix("_cipher").removesuffix("_digest").removesuffix("_masked") for field in changed})},
        )
    return user


def _is_person(actor) -> bool:
    return getattr(actor, "pk", None) is not None


def administered_roots(actor, role: str) -> tuple[str, ...]:
    """The jurisdictions of the actor's posts that carry `role` (an administrator's reach)."""
    from zhenjie.kernel.scoping import reach_of

    return tuple(sorted({p.path for p in reach_of(actor).posts if p.path and role in p.roles}))


def _within(path: str, roots: tuple[str, ...]) -> bool:
    return any(path.startswith(root) for root in roots)


def _require_authority(actor, *, user: User, unit, jurisdiction, roles: set[str]) -> None:
    """Who may seat whom, and where (三权分立, 等保 8.1.4.2 c/d; township administrators only in
    their township). Raises Forbidden with the reason in words."""
    if not _is_person(actor):
        return
    if actor.pk == user.pk:
        # An administrator who could change their own posts could give themself any reach.
        raise Forbidden("post.own_posts", "不能为自己设置或免去岗位，须由其他管理员办理", field="username")
    if roles & SEPARATED_ADMIN_ROLES:
        roots = administered_roots(actor, RoleCode.SECURITY_ADMIN)
        if not roots:
            raise Forbidden("post.admin_roles_by_security_admin", "系统管理员、安全管理员、安全审计员岗位只能由安全管理员设置或免去", field="roles")
    else:
        roots = administered_roots(actor, RoleCode.SYSTEM_ADMIN)
        if not roots:
            raise Forbidden("post.business_roles_by_system_admin", "业务岗位只能由系统管理员设置或免去", field="roles")
    if not _within(unit.area.path, roots):
        raise Forbidden("post.unit_outside_administration", f"「{unit.name}」不在您管理的范围内", field="unit")
    if jurisdiction is not None and not _within(jurisdiction.path, roots):
        raise Forbidden("post.jurisdiction_outside_administration", f"辖区「{jurisdiction.name}」超出您管理的范围", field="jurisdiction")
    elsewhere = Post.objects.filter(user=user, is_active=True).values_list("unit__area__path", flat=True)
    if any(not _within(path, roots) for path in elsewhere):
        raise Forbidden("post.person_outside_administration", "该人员在您管理的范围之外任职，须由其任职地的管理员办理", field="username")


def _refuse_mixed_roles(held: set[str], roles: set[str]) -> None:
    """The combinations one person may not hold, across all their active posts (等保 8.1.4.2 d)."""
    together = held | roles
    admin_roles = together & SEPARATED_ADMIN_ROLES
    if len(admin_roles) > 1:
        labels = "、".join(RoleCode(code).label for code in sorted(admin_roles))
        raise Rejected("post.separation_of_duties", f"系统管理员、安全管理员、安全审计员须由不同人员担任（涉及：{labels}）", field="roles")
    if admin_roles and together & BUSINESS_ROLES:
        # A system administrator with a county-administrator post reads every township's cases.
        admin = RoleCode(next(iter(admin_roles))).label
        business = "、".join(RoleCode(code).label for code in sorted(together & BUSINESS_ROLES))
        raise Rejected("post.admin_and_business", f"{admin}不得兼任业务岗位（涉及：{business}），须由不同人员担任", field="roles")


@transaction.atomic
def grant_post(actor, *, user: User, unit, title: str, roles: list[str], jurisdiction=None, started_on: date | None = None) -> Post:
    """Seat a person in a unit with roles and a jurisdiction; see the module docstring for who
    may. One transaction: the post, its roles and the journal entry. `started_on` (today when
    not given) may lie in the past, for a loader recording seats people already hold, never
    in the future: a post acts from the moment it is granted."""
    roles = sorted(set(roles))
    if not roles:
        raise Rejected("post.roles_required", "请至少选择一个角色", field="roles")
    if unknown := set(roles) - set(RoleCode.values):
        raise Rejected("post.role_unknown", f"未知角色：{'、'.join(sorted(unknown))}", field="roles")
    if user.kind != User.Kind.STAFF:
        raise Rejected("post.not_staff", "只能为工作人员设置岗位", field="username")
    _require_authority(actor, user=user, unit=unit, jurisdiction=jurisdiction, roles=set(roles))
    # Lock the person: two administrators granting at once must not both pass the check below
    # (an administrator role and a business role landing together). No-op on SQLite, whose
    # IMMEDIATE transactions already serialise writers.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    held = set(Role.objects.filter(posts__user=user, posts__is_active=True).values_list("code", flat=True))
    _refuse_mixed_roles(held, set(roles))
    if set(roles) & (AREA_ROLES | SEPARATED_ADMIN_ROLES) and jurisdiction is None:
        # An administrator's jurisdiction is what they administer: without one, nothing.
        raise Rejected("post.jurisdiction_required", "该岗位的角色需要设定辖区", field="jurisdiction")
    if jurisdiction is not None and not (jurisdiction.path.startswith(unit.area.path) or unit.area.path.startswith(jurisdiction.path)):
        raise Rejected("post.jurisdiction_outside_unit", f"辖区须在「{unit.name}」所在的{unit.area.name}范围内", field="jurisdiction")
    title = (title or "").strip()
    if not title or len(title) > 64:
        raise Rejected("post.title_invalid", "请填写岗位名称(不超过64字)", field="title")
    started_on = _day(started_on, field="started_on", label="任职日期")
    post = Post.objects.create(
        user=user, unit=unit, title=title, jurisdiction=jurisdiction, started_on=started_on, granted_by=actor if _is_person(actor) else None
    )
    post.roles.set(roles)
    labels = "、".join(RoleCode(code).label for code in roles)
    # 等保 8.1.4.3 a: every grant is on the record the audit administrator reads.
    journal.record(
        actor=actor, verb="post.grant", subject=f"user:{user.pk}",
        summary=f"{user.display_name} 任 {unit.name}·{title}（{labels}）",
        data={"post": post.pk, "unit": unit.pk, "roles": roles, "jurisdiction": getattr(jurisdiction, "pk", None), "started_on": started_on},
    )
    return post


EARLIEST_DAY = date(2000, 1, 1)


def _day(value, *, field: str, label: str, default: date | None = None) -> date:
    """A date of a staff change: today when not given; not before 2000 and not after today."""
    today = timezone.localdate()
    if value is None:
        return default or today
    if not isinstance(value, date):
        raise Rejected("staff.date_invalid", f"{label}格式不正确", field=field)
    if value < EARLIEST_DAY or value > today:
        raise Rejected("staff.date_out_of_range", f"{label}须在2000年1月1日至今天之间", field=field)
    return value


def _reason(reason: str, *, field: str = "reason", required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Rejected("staff.reason_required", "请填写原因", field=field)
    if len(reason) > 100:
        raise Rejected("staff.reason_too_long", "原因不能超过100字", field=field)
    return reason


def _close_post(actor, post: Post, ended_on: date, reason: str) -> None:
    """End a post on `ended_on` (compare-and-set: of two administrators ending it at once, one
    does). The row stays: it is the person's history."""
    if ended_on < post.started_on:
        raise Rejected("post.end_before_start", f"免职日期不能早于任职日期({post.started_on:%Y-%m-%d})", field="ended_on")
    closed = Post.objects.filter(pk=post.pk, is_active=True).update(
        is_active=False, ended_on=ended_on, ended_by=actor if _is_person(actor) else None, end_reason=reason
    )
    if not closed:
        raise Conflict("post.already_ended", "该岗位已免职")
    post.is_active, post.ended_on, post.end_reason = False, ended_on, reason


@transaction.atomic
def end_post(actor, post: Post, *, ended_on: date | None = None, reason: str = "", hand_back_work: bool = True) -> Post:
    """Remove a person from a post from `ended_on` (today when not given; never before the post
    began nor after today); the same people may as may grant it. The post stays in the person's
    history with its dates and who ended it. When the person keeps no post in that unit, the
    open work addressed to them by name there goes back to the unit (they could no longer act on
    it), as a transfer's does — unless the caller seats them there again at once
    (`hand_back_work=False`: an import replacing a post whose roles changed)."""
    roles = set(post.roles.values_list("code", flat=True))
    _require_authority(actor, user=post.user, unit=post.unit, jurisdiction=post.jurisdiction, roles=roles)
    ended_on = _day(ended_on, field="ended_on", label="免职日期")
    reason = _reason(reason)
    _close_post(actor, post, ended_on, reason)
    journal.record(
        actor=actor, verb="post.end", subject=f"user:{post.user_id}", summary=f"免去 {post.user.display_name} 的 {post}（{ended_on:%Y-%m-%d}起）",
        data={"post": post.pk, "roles": sorted(roles), "ended_on": ended_on, "reason": reason},
    )
    if hand_back_work and not Post.objects.filter(user=post.user, unit=post.unit, is_active=True).exists():
        work = list(open_work_of(post.user).filter(unit=post.unit).select_for_update(of=("self",)).select_related("case", "unit").order_by("pk"))
        if work:
            _move_work(actor, post.user, work, None, reason, "免职交回")
    return post


@transaction.atomic
def transfer_post(actor, post: Post, *, unit, title: str, roles: list[str], jurisdiction=None,
                  on: date | None = None, reason: str = "", colleague: User | None = None) -> Post:
    """调岗: end `post` and seat its holder in the new one from the same day, in one step — both
    or neither. Who may is who may end the old post and grant the new one (the module
    docstring); the journal says both, and the move in one entry between them.

    When the person keeps no post in the old unit, the open work addressed to them by name there
    (which they could no longer act on) goes to `colleague` or back to the old unit, as in a
    handover; work in their other units stays with them."""
    on = _day(on, field="on", label="调岗日期")
    reason = _reason(reason)
    old_roles = set(post.roles.values_list("code", flat=True))
    _require_authority(actor, user=post.user, unit=post.unit, jurisdiction=post.jurisdiction, roles=old_roles)
    _close_post(actor, post, on, reason or "调岗")
    journal.record(
        actor=actor, verb="post.end", subject=f"user:{post.user_id}", summary=f"免去 {post.user.display_name} 的 {post}（{on:%Y-%m-%d}起，调岗）",
        data={"post": post.pk, "roles": sorted(old_roles), "ended_on": on, "reason": reason or "调岗"},
    )
    new = grant_post(actor, user=post.user, unit=unit, title=title, roles=roles, jurisdiction=jurisdiction, started_on=on)
    if not Post.objects.filter(user=post.user, unit=post.unit, is_active=True).exists():
        work = list(open_work_of(post.user).filter(unit=post.unit).select_for_update(of=("self",)).select_related("case", "unit").order_by("pk"))
        _check_colleague(colleague, post.user, work)
        _move_work(actor, post.user, work, colleague, reason, "调岗交接")
    elif colleague is not None:
        raise Rejected("post.colleague_not_needed", f"{post.user.display_name} 仍在「{post.unit.name}」任职，其待办无需转交", field="colleague")
    journal.record(
        actor=actor, verb="post.transfer", subject=f"user:{post.user_id}",
        summary=f"{post.user.display_name} 调岗：{post} → {new}（{on:%Y-%m-%d}）",
        data={"from_post": post.pk, "to_post": new.pk, "on": on, "reason": reason},
    )
    return new


# ---- 离岗交接 (handover) --------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverPreview:
    """What a handover will move, shown before it is confirmed: the leaver's open assignments by
    kind of case and piece of work, the grids they cover (and lead), their active posts."""

    total: int
    by_kind: list[dict]  # {"kind", "label", "todo", "todo_label", "count"}
    units: list  # units the open work is held in (the colleague must be able to act in each)
    led_grids: list  # Area
    covered_grids: list  # Area, lead or not
    posts: list  # Post


def open_work_of(person: User):
    """Open assignments addressed to `person` by name: what a handover moves. Work addressed to
    their unit is the unit's, and stays with it."""
    from zhenjie.kernel.models import Assignment

    return Assignment.objects.filter(user=person, state=Assignment.State.OPEN)


def handover_preview(person: User) -> HandoverPreview:
    from zhenjie.kernel.workflow import registered_kinds, workflow_for
    from zhenjie.units.models import Unit

    labels = registered_kinds()
    rows = open_work_of(person).values("case__kind", "todo").annotate(count=models.Count("id")).order_by("case__kind", "todo")
    by_kind = [
        {"kind": r["case__kind"], "label": labels.get(r["case__kind"], r["case__kind"]), "todo": r["todo"],
         "todo_label": workflow_for(r["case__kind"]).todo_label(r["todo"]) if r["case__kind"] in labels else r["todo"], "count": r["count"]}
        for r in rows
    ]
    stints = list(Coverage.objects.filter(worker=person, ended_at__isnull=True).select_related("grid").order_by("grid__path"))
    return HandoverPreview(
        total=sum(r["count"] for r in by_kind),
        by_kind=by_kind,
        units=list(Unit.objects.filter(pk__in=open_work_of(person).values("unit_id")).order_by("name")),
        led_grids=[c.grid for c in stints if c.is_lead],
        covered_grids=[c.grid for c in stints],
        posts=list(Post.objects.filter(user=person, is_active=True).select_related("unit").order_by("pk")),
    )


def _acts_in(person: User, unit, role: str) -> bool:
    """Whether `person` may act on work held in `unit` (for `role`, when it names one): an active
    post there carrying the role. A post whose jurisdiction merely covers the unit's area is not
    enough: the workflow lets an assignment's holder act only through a post in its unit
    (kernel.workflow.Standing.assigned), so work handed to them there would sit untouchable."""
    posts = Post.objects.filter(user=person, unit=unit, is_active=True, unit__is_active=True)
    if role:
        posts = posts.filter(roles__code=role)
    return posts.exists()


def _require_staff_authority(actor, person: User) -> None:
    """Who may hand over, deactivate or name a stand-in for `person` as their administrator: the
    one who may end each of their active posts (the module docstring); for a person without a
    post, a system administrator. Never for oneself."""
    if not _is_person(actor):
        return
    posts = list(Post.objects.filter(user=person, is_active=True).select_related("unit__area", "jurisdiction").prefetch_related("roles"))
    for post in posts:
        _require_authority(actor, user=person, unit=post.unit, jurisdiction=post.jurisdiction, roles={r.code for r in post.roles.all()})
    if not posts:
        if actor.pk == person.pk:
            raise Forbidden("post.own_posts", "不能为自己办理，须由其他管理员办理", field="username")
        if not administered_roots(actor, RoleCode.SYSTEM_ADMIN):
            raise Forbidden("staff.not_allowed", "只有系统管理员可以办理人员变动", field="username")


@transaction.atomic
def hand_over(actor, leaver: User, *, colleague: User | None = None, new_lead: User | None = None,
              left_on: date | None = None, reason: str = "") -> dict:
    """离岗交接: the person leaves. In one transaction —
    every open assignment addressed to them by name goes to `colleague` (who must hold an active
    post in each assignment's unit, with the role it names), or, with no colleague, back to the
    unit (addressed to the unit for the same role, as it was before anyone took it); each case's
    timeline says so; their grid stints end, and the grids they led get `new_lead` (required
    then: a grid always keeps its lead, grid/actions/coverage.py); their posts end on `left_on`;
    their AB岗 periods, as absent person or as stand-in, are cancelled; the account is
    deactivated, its password made unusable and its API tokens revoked, so that no session or
    token works from the next request. Nobody else's work changes. Returns what moved."""
    from .credentials import revoke_tokens

    if leaver.kind != User.Kind.STAFF:
        raise Rejected("handover.not_staff", "只能为工作人员办理离岗交接", field="username")
    _require_staff_authority(actor, leaver)
    if not User.objects.filter(pk=leaver.pk, is_active=True).exists():
        raise Conflict("handover.already_left", f"{leaver.display_name} 已离岗(账号已停用)")
    left_on = _day(left_on, field="left_on", label="离岗日期")
    reason = _reason(reason)
    # Lock the leaver (two administrators handing over at once: one does) and their open work
    # in primary-key order (kernel: never wait on each other in opposite order).
    list(User.objects.select_for_update().filter(pk=leaver.pk).values_list("pk"))
    work = list(open_work_of(leaver).select_for_update(of=("self",)).select_related("case", "unit").order_by("pk"))
    _check_colleague(colleague, leaver, work)
    now = timezone.now()
    stints = list(Coverage.objects.select_for_update().filter(worker=leaver, ended_at__isnull=True).select_related("grid").order_by("pk"))
    led = [c.grid for c in stints if c.is_lead]
    if led:
        _check_new_lead(new_lead, leaver, led)
    elif new_lead is not None:
        raise Rejected("handover.not_a_lead", f"{leaver.display_name} 不是任何网格的责任网格员，无需指定新的责任网格员", field="new_lead")

    cases = _move_work(actor, leaver, work, colleague, reason, "离岗交接")
    to_whom = colleague.display_name if colleague is not None else "所在单位"

    # Grids: the leaver's stints end; the grids they led get the new lead.
    if stints:
        Coverage.objects.filter(pk__in=[c.pk for c in stints]).update(ended_at=now, ended_by=actor if _is_person(actor) else None)
    for grid in led:
        helping = Coverage.objects.filter(grid=grid, worker=new_lead, ended_at__isnull=True)
        helping.update(ended_at=now, ended_by=actor if _is_person(actor) else None)
        Coverage.objects.create(grid=grid, worker=new_lead, is_lead=True, started_at=now, assigned_by=actor if _is_person(actor) else None,
                                note=f"{leaver.display_name} 离岗交接")
    # The grid's own record, on its township's chain as the grid app writes it (grid/actions/coverage.py).
    for stint in stints:
        grid = stint.grid
        if stint.is_lead:
            verb, summary = "grid.set_lead", f"{grid.name} 责任网格员：{leaver.display_name} → {new_lead.display_name}（离岗交接）"
        else:
            verb, summary = "grid.remove_helper", f"{grid.name} 移除协助网格员 {leaver.display_name}（离岗交接）"
        journal.record(
            actor=actor, verb=verb, subject=f"grid:{grid.pk}", chain=township_path(grid.path), summary=summary,
            data={"grid": grid.pk, "worker": leaver.pk, "new_lead": new_lead.pk if stint.is_lead else None},
        )
    # Posts, AB岗 periods, the account and every way in.
    posts = list(Post.objects.filter(user=leaver, is_active=True).order_by("pk"))
    for post in posts:
        _close_post(actor, post, max(left_on, post.started_on), reason or "离岗")
    StandIn.objects.filter(Q(absent=leaver) | Q(stand_in=leaver), cancelled_at__isnull=True, ends_on__gte=timezone.localdate()).update(
        cancelled_at=now, cancelled_by=actor if _is_person(actor) else None
    )
    leaver.is_active = False
    leaver.set_unusable_password()  # every session's password hash stops matching, as after a reset
    leaver.save(update_fields=["is_active", "password"])
    tokens = revoke_tokens(leaver)
    moved = {
        "assignments": len(work), "cases": cases, "colleague": getattr(colleague, "pk", None), "posts": [p.pk for p in posts],
        "grids_ended": [c.grid_id for c in stints], "grids_led": [g.pk for g in led], "new_lead": getattr(new_lead, "pk", None),
        "tokens_revoked": tokens, "left_on": left_on,
    }
    journal.record(
        actor=actor, verb="user.handover", subject=f"user:{leaver.pk}",
        summary=f"{leaver.display_name} 离岗（{left_on:%Y-%m-%d}）：{len(work)}项待办转交 {to_whom}，免去{len(posts)}个岗位，账号停用",
        note=reason, data=moved,
    )
    return moved


def _check_colleague(colleague: User | None, person: User, work) -> None:
    """The colleague who takes `person`'s open work must be able to act on each piece of it."""
    if colleague is None:
        return
    if colleague.pk == person.pk:
        raise Rejected("handover.colleague_is_leaver", "接手人不能是本人", field="colleague")
    if not colleague.is_active or colleague.kind != User.Kind.STAFF:
        raise Rejected("handover.colleague_inactive", f"{colleague.display_name} 不是在岗的工作人员", field="colleague")
    refused = sorted({(a.unit.name, a.role) for a in work if not _acts_in(colleague, a.unit, a.role)})
    if refused:
        where = "、".join(f"「{name}」" + (f"的{RoleCode(role).label}" if role in RoleCode.values else "") for name, role in refused)
        raise Rejected(
            "handover.colleague_not_in_unit",
            f"{colleague.display_name} 在{where}没有在岗岗位，不能接手这些待办；请先为其设置岗位，或选择交回单位",
            field="colleague",
        )


def _move_work(actor, person: User, work, colleague: User | None, reason: str, label: str) -> int:
    """Readdress `person`'s open assignments `work` (locked, checked) to `colleague`, or back to
    their unit; one entry per case on its own timeline; the colleague notified after commit.
    Returns the number of cases."""
    from zhenjie.kernel.models import Assignment

    by_case: dict[int, list] = {}
    for assignment in work:
        by_case.setdefault(assignment.case_id, []).append(assignment)
    Assignment.objects.filter(pk__in=[a.pk for a in work], state=Assignment.State.OPEN, user=person).update(user=colleague)
    to_whom = colleague.display_name if colleague is not None else "所在单位"
    for held in by_case.values():
        todos = "、".join(sorted({a.todo for a in held}))
        journal.record(
            actor=actor, verb="handover", case=held[0].case, summary=f"{label}：{person.display_name} 的待办（{todos}）转交 {to_whom}",
            note=reason, data={"leaver": person.pk, "colleague": getattr(colleague, "pk", None), "assignments": [a.pk for a in held]},
        )
    if colleague is not None and work:
        from zhenjie.kernel.notify import notify_users

        count = len(work)
        transaction.on_commit(lambda: notify_users([colleague], f"{label}：{person.display_name} 的 {count} 项待办已转交给您", kind="new_work"))
    return len(by_case)


def _check_new_lead(new_lead: User | None, leaver: User, grids) -> None:
    from zhenjie.grid.actions.coverage import eligible_workers

    names = "、".join(g.name for g in grids)
    if new_lead is None:
        raise Rejected("handover.new_lead_required", f"{leaver.display_name} 是{names}的责任网格员，请指定新的责任网格员", field="new_lead")
    if new_lead.pk == leaver.pk:
        raise Rejected("handover.new_lead_is_leaver", "新的责任网格员不能是离岗人员本人", field="new_lead")
    for grid in grids:
        if not eligible_workers(grid).filter(pk=new_lead.pk).exists():
            raise Rejected("handover.new_lead_not_eligible", f"{new_lead.display_name} 不是{grid.name}所在乡镇(街道)在岗的网格员", field="new_lead")


# ---- AB岗 (stand-in) -------------------------------------------------------------------------

STAND_IN_MAX_DAYS = 366
STAND_IN_AHEAD_DAYS = 366


def _require_stand_in_authority(actor, absent: User) -> None:
    """Who names a stand-in (seed 002 §三(三) AB岗互补): the absent person for their own leave;
    a township leader over every one of their units (the stand-in is lent all their casework
    posts, so a leader over one of them must not lend the others); their administrator
    (_require_staff_authority)."""
    if not _is_person(actor) or actor.pk == absent.pk:
        return
    from zhenjie.kernel.scoping import reach_of

    reach = reach_of(actor)
    units = list(Post.objects.filter(user=absent, is_active=True).select_related("unit__area"))
    if units and all(RoleCode.TOWNSHIP_LEADER in reach.of(None).roles_in(p.unit.area) for p in units):
        return
    try:
        _require_staff_authority(actor, absent)
    except Forbidden:
        raise Forbidden("standin.not_allowed", "只有本人、所在乡镇(街道)领导或系统管理员可以设置AB岗", field="absent") from None


def _works_with(person: User, absent: User) -> bool:
    """The stand-in works beside the absent person: an active post in one of their units, or one
    whose jurisdiction holds one of their units' areas (a township leader covering a clerk)."""
    units = list(Post.objects.filter(user=absent, is_active=True).values_list("unit_id", "unit__area__path"))
    # Only the stand-in's casework posts count: an administrator's county-wide post covers every
    # unit's area, and must not make its holder everyone's colleague.
    mine = list(
        Post.objects.filter(user=person, is_active=True, unit__is_active=True, roles__code__in=LENDABLE_ROLES)
        .values_list("unit_id", "jurisdiction__path").distinct()
    )
    return any(unit == my_unit or (root and path.startswith(root)) for unit, path in units for my_unit, root in mine)


@transaction.atomic
def set_stand_in(actor, *, absent: User, stand_in: User, starts_on: date, ends_on: date, reason: str = "") -> StandIn:
    """AB岗: `stand_in` covers `absent`'s work from `starts_on` to `ends_on` (both included). While
    it runs, kernel.scoping gives the stand-in the absent person's business posts — never more
    than the absent person reaches, never an administrator's role — and their inbox; their acts
    are journaled "X 代 Y". The absent person keeps their own access (leave is not leaving)."""
    _require_stand_in_authority(actor, absent)
    today = timezone.localdate()
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise Rejected("standin.date_invalid", "请填写开始日期和结束日期", field="starts_on")
    if ends_on < starts_on:
        raise Rejected("standin.ends_before_start", "结束日期不能早于开始日期", field="ends_on")
    if ends_on < today:
        raise Rejected("standin.in_the_past", "结束日期已过，无需设置AB岗", field="ends_on")
    if starts_on > today + timedelta(days=STAND_IN_AHEAD_DAYS):
        raise Rejected("standin.too_far_ahead", "开始日期不能晚于一年之后", field="starts_on")
    if (ends_on - starts_on).days + 1 > STAND_IN_MAX_DAYS:
        raise Rejected("standin.too_long", "AB岗期限不能超过一年", field="ends_on")
    if stand_in.pk == absent.pk:
        raise Rejected("standin.self", "不能指定本人为自己的AB岗", field="stand_in")
    if _is_person(actor) and stand_in.pk == actor.pk:
        # A leader or an administrator naming themself would lend themself someone's reach.
        raise Forbidden("standin.names_self", "不能指定自己为他人的AB岗，请由本人或其他有权限的人员设置", field="stand_in")
    if Role.objects.filter(posts__user=stand_in, posts__is_active=True, code__in=SEPARATED_ADMIN_ROLES).exists():
        raise Rejected("standin.is_administrator", f"{stand_in.display_name} 是系统、安全或审计管理员，不能担任业务人员的AB岗(三权分立)", field="stand_in")
    if not stand_in.is_active or stand_in.kind != User.Kind.STAFF:
        raise Rejected("standin.not_active", f"{stand_in.display_name} 不是在岗的工作人员", field="stand_in")
    if not Role.objects.filter(posts__user=absent, posts__is_active=True).filter(code__in=LENDABLE_ROLES).exists():
        raise Rejected("standin.no_business_post", f"{absent.display_name} 没有在岗的业务岗位，无需设置AB岗", field="absent")
    if not _works_with(stand_in, absent):
        raise Rejected(
            "standin.not_a_colleague", f"{stand_in.display_name} 与 {absent.display_name} 不在同一单位，也不分管其所在单位，不能担任其AB岗", field="stand_in"
        )
    # Lock the absent person: two periods named at once must not both pass the overlap check.
    list(User.objects.select_for_update().filter(pk=absent.pk).values_list("pk"))
    current = StandIn.objects.filter(cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if clash := current.filter(absent=absent).select_related("stand_in").first():
        raise Conflict(
            "standin.overlap",
            f"{absent.display_name} 在{clash.starts_on:%Y-%m-%d}至{clash.ends_on:%Y-%m-%d}已由 {clash.stand_in.display_name} 顶岗，期间不能重叠",
            field="starts_on",
        )
    if current.filter(absent=stand_in).exists():
        raise Conflict("standin.stand_in_absent", f"{stand_in.display_name} 在这段时间内本人也请假，不能顶岗", field="stand_in")
    period = StandIn.objects.create(
        absent=absent, stand_in=stand_in, starts_on=starts_on, ends_on=ends_on, reason=_reason(reason),
        created_by=actor if _is_person(actor) else None,
    )
    journal.record(
        actor=actor, verb="standin.set", subject=f"user:{absent.pk}",
        summary=f"AB岗：{stand_in.display_name} 代 {absent.display_name}（{starts_on:%Y-%m-%d}至{ends_on:%Y-%m-%d}）",
        note=period.reason, data={"period": period.pk, "absent": absent.pk, "stand_in": stand_in.pk, "starts_on": starts_on, "ends_on": ends_on},
    )
    return period


@transaction.atomic
def cancel_stand_in(actor, period: StandIn) -> StandIn:
    """End an AB岗 period now (the absent person came back early, or it was named wrongly): the
    same people may as may name it. A period that has ended stays as it was."""
    _require_stand_in_authority(actor, period.absent)
    if period.ends_on < timezone.localdate():
        raise Conflict("standin.already_over", "该AB岗期限已结束")
    if not StandIn.objects.filter(pk=period.pk, cancelled_at__isnull=True).update(cancelled_at=timezone.now(), cancelled_by=actor if _is_person(actor) else None):
        raise Conflict("standin.already_cancelled", "该AB岗已撤销")
    journal.record(
        actor=actor, verb="standin.cancel", subject=f"user:{period.absent_id}",
        summary=f"撤销AB岗：{period.stand_in.display_name} 代 {period.absent.display_name}", data={"period": period.pk},
    )
    return period


@transaction.atomic
def update_policy(actor, **changes) -> SecurityPolicy:
    policy, _ = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)
    limits = {
        "max_failed_logins": (3, 20, "连续失败次数上限须在3至20之间"),
        "address_failed_logins": (5, 1000, "同一地址失败次数上限须在5至1000之间"),
        "lockout_minutes": (1, 1440, "锁定时长须在1至1440分钟之间"),
        "idle_timeout_minutes": (5, 480, "空闲自动退出须在5至480分钟之间"),
        "session_max_hours": (1, 72, "会话最长时间须在1至72小时之间"),
        "token_lifetime_hours": (1, 720, "令牌有效期须在1至720小时之间"),
        # 等保 8.1.4.1 a: never below 8 characters or 2 classes, whatever a county chooses.
        "password_min_length": (8, 64, "密码最短长度须在8至64之间"),
        "password_min_classes": (2, 4, "字符类别数须在2至4之间"),
        "password_max_age_days": (0, 365, "密码最长使用天数须在0至365之间(0为不限)"),
    }
    before = {}
    for field, value in changes.items():
        low, high, message = limits[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Rejected("policy.invalid", message, field=field)
        before[field] = getattr(policy, field)
        setattr(policy, field, value)
    if policy.address_failed_logins < policy.max_failed_logins:
        raise Rejected("policy.invalid", "同一地址失败次数上限不得小于同一账号的上限", field="address_failed_logins")
    policy.save()
    journal.record(actor=actor, verb="policy.update", summary="修改安全策略", data={"before": before, "after": changes})
    # Forget now (this process reads the new policy at once) and again after commit (a request
    # that cached the old one in between must not keep it).
    forget_policy()
    transaction.on_commit(forget_policy)
    return policy


@transaction.atomic
def unlock_user(actor, username: str, address: str | None = None) -> int:
    """End a lock-out (等保 8.1.4.1 b): a username's failures (from one address, or every address),
    or with no username an address's. Journaled on the login chain beside the lock-out itself."""
    from axes.handlers.proxy import AxesProxyHandler

    from .login import AUTH_CHAIN

    username = (username or "").strip()[:150] or None
    address = (address or "").strip()[:45] or None
    if username is None and address is None:
        raise Rejected("unlock.target_required", "请指定要解锁的账号或地址")
    removed = AxesProxyHandler.reset_attempts(username=username, ip_address=address)
    target = "、".join(part for part in (username and f"账号 {username}", address and f"地址 {address}") if part)
    journal.record(actor=actor, verb="auth.unlock", chain=AUTH_CHAIN, summary=f"解锁 {target}", data={"username": username, "ip": address})
    return removed
