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
administrators): there is no person to keep apart."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhenjie.kernel import journal, pii
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from .models import Post, Role, SecurityPolicy, User
from .policy import forget_policy
from .roles import AREA_ROLES, BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, RoleCode

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
def grant_post(actor, *, user: User, unit, title: str, roles: list[str], jurisdiction=None) -> Post:
    """Seat a person in a unit with roles and a jurisdiction; see the module docstring for who
    may. One transaction: the post, its roles and the journal entry."""
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
    post = Post.objects.create(user=user, unit=unit, title=title, jurisdiction=jurisdiction)
    post.roles.set(roles)
    labels = "、".join(RoleCode(code).label for code in roles)
    # 等保 8.1.4.3 a: every grant is on the record the audit administrator reads.
    journal.record(
        actor=actor, verb="post.grant", subject=f"user:{user.pk}",
        summary=f"{user.display_name} 任 {unit.name}·{title}（{labels}）",
        data={"post": post.pk, "unit": unit.pk, "roles": roles, "jurisdiction": getattr(jurisdiction, "pk", None)},
    )
    return post


@transaction.atomic
def end_post(actor, post: Post) -> Post:
    """Remove a person from a post; the same people may as may grant it."""
    roles = set(post.roles.values_list("code", flat=True))
    _require_authority(actor, user=post.user, unit=post.unit, jurisdiction=post.jurisdiction, roles=roles)
    # Compare-and-set: of two administrators ending it at once, one does.
    if not Post.objects.filter(pk=post.pk, is_active=True).update(is_active=False):
        raise Conflict("post.already_ended", "该岗位已免职")
    post.is_active = False
    journal.record(
        actor=actor, verb="post.end", subject=f"user:{post.user_id}", summary=f"免去 {post.user.display_name} 的 {post}",
        data={"post": post.pk, "roles": sorted(roles)},
    )
    return post


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
