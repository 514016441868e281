"""Changes to people, posts and the security policy: system and security administration."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Rejected

from .models import Post, Role, SecurityPolicy, User
from .policy import forget_policy
from .roles import AREA_ROLES, SEPARATED_ADMIN_ROLES, RoleCode

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")


@transaction.atomic
def create_staff(actor, *, username: str, full_name: str, password: str, phone: str = "",
                 password_hash: str | None = None) -> User:
    """A staff account. `password_hash` lets bulk loaders reuse one hash; it skips the rules."""
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise Rejected("user.username_invalid", "用户名须为3至150位字母、数字或 _ . @ -", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("user.username_taken", "该用户名已被使用", field="username")
    full_name = (full_name or "").strip()
    if not full_name or len(full_name) > 32:
        raise Rejected("user.full_name_invalid", "请填写姓名(不超过32字)", field="full_name")
    user = User(username=username, full_name=full_name, phone=phone[:20], kind=User.Kind.STAFF)
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


@transaction.atomic
def grant_post(actor, *, user: User, unit, title: str, roles: list[str], jurisdiction=None) -> Post:
    """Seat a person in a unit with roles and a jurisdiction.

    三权分立: the system, security and audit administrator roles never meet in one person."""
    roles = sorted(set(roles))
    if not roles:
        raise Rejected("post.roles_required", "请至少选择一个角色", field="roles")
    if unknown := set(roles) - set(RoleCode.values):
        raise Rejected("post.role_unknown", f"未知角色：{'、'.join(sorted(unknown))}", field="roles")
    held = set(Role.objects.filter(posts__user=user, posts__is_active=True).values_list("code", flat=True))
    admin_roles = (held | set(roles)) & SEPARATED_ADMIN_ROLES
    if len(admin_roles) > 1:
        labels = "、".join(RoleCode(code).label for code in sorted(admin_roles))
        raise Rejected("post.separation_of_duties", f"系统管理员、安全管理员、安全审计员须由不同人员担任（涉及：{labels}）", field="roles")
    if set(roles) & AREA_ROLES and jurisdiction is None:
        raise Rejected("post.jurisdiction_required", "该岗位的角色需要设定辖区", field="jurisdiction")
    if jurisdiction is not None and not (jurisdiction.path.startswith(unit.area.path) or unit.area.path.startswith(jurisdiction.path)):
        raise Rejected("post.jurisdiction_outside_unit", f"辖区须在「{unit.name}」所在的{unit.area.name}范围内", field="jurisdiction")
    title = (title or "").strip()
    if not title or len(title) > 64:
        raise Rejected("post.title_invalid", "请填写岗位名称(不超过64字)", field="title")
    post = Post.objects.create(user=user, unit=unit, title=title, jurisdiction=jurisdiction)
    post.roles.set(roles)
    journal.record(
        actor=actor, verb="post.grant", subject=f"user:{user.pk}",
        summary=f"{user.display_name} 任 {unit.name}·{title}",
        data={"post": post.pk, "unit": unit.pk, "roles": roles, "jurisdiction": getattr(jurisdiction, "pk", None)},
    )
    return post


@transaction.atomic
def end_post(actor, post: Post) -> Post:
    if not post.is_active:
        raise Conflict("post.already_ended", "该岗位已免职")
    post.is_active = False
    post.save(update_fields=["is_active"])
    journal.record(actor=actor, verb="post.end", subject=f"user:{post.user_id}", summary=f"免去 {post}", data={"post": post.pk})
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
