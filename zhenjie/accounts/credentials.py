"""Changing and resetting a password, and what must end with the old one.

A new password ends every other way in that was opened with the old one (ASVS 7.4.3, 等保 8.1.4.1):
the user's API tokens are revoked here, and their other browser sessions stop at their next request
(Django keeps a hash of the password in each session; a session whose hash no longer matches is
flushed). The session in which the owner changed it stays open (update_session_auth_hash)."""

import secrets
import string

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Forbidden, Rejected

from .login import AUTH_CHAIN
from .models import ApiToken, User
from .queries import people_administered_by
from .roles import RoleCode


def revoke_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def change_password(user: User, new_password: str, *, request=None) -> None:
    """The owner sets a password of their own: the rules apply, the clock of its maximum age
    starts, an initial password's obligation ends, tokens and other sessions end."""
    if user.check_password(new_password):
        raise Rejected("password.unchanged", "新密码不能与当前密码相同", field="new_password1")
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise Rejected("password.weak", "；".join(error.messages), field="new_password1") from None
    revoked = _replace_password(user, new_password, initial=False)
    journal.record(
        actor=user if user.kind == User.Kind.STAFF else None, verb="auth.password_change", chain=AUTH_CHAIN,
        subject=f"user:{user.pk}", summary="修改密码，其他会话和接口令牌随之失效", data={"tokens_revoked": revoked},
    )
    if request is not None:
        update_session_auth_hash(request, user)


def generate_initial_password(length: int = 16) -> str:
    """A random password that passes every rule: all four classes, no look-alike characters."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
    pool = letters + "23456789" + "#%+=?@"
    while True:
        candidate = "".join(secrets.choice(pool) for _ in range(length))
        if (any(c in string.ascii_uppercase for c in candidate) and any(c in string.ascii_lowercase for c in candidate)
                and any(c.isdigit() for c in candidate) and any(c in "#%+=?@" for c in candidate)):
            try:
                validate_password(candidate)
            except ValidationError:
                continue
            return candidate


def _looks_after(actor, user: User) -> bool:
    return any(people_administered_by(actor, role).filter(pk=user.pk).exists() for role in (RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN))


def _replace_password(user: User, password: str, *, initial: bool) -> int:
    """Set the password, start its age, say whether it is an initial one; end the user's tokens
    (their other sessions end by Django's session hash). Returns the tokens revoked."""
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = initial
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return revoke_tokens(user)


@transaction.atomic
def reset_password(actor, user: User) -> str:
    """An administrator gives the person a new initial password, shown once: it must be changed at
    the next login before anything else (ASVS 6.4.1), and the old password's tokens and sessions
    end. Returns the password to hand over; only its hash is kept."""
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise Rejected("password.reset_self", "不能重置自己的密码，请在“修改密码”中修改")
    if getattr(actor, "pk", None) is not None and not _looks_after(actor, user):
        # The administrator who seats a person resets their password, and no one else (三权分立,
        # 等保 8.1.4.2 c): the system administrator the business side, the security administrator
        # the three administrators; a reset password opens the account to whoever set it.
        raise Forbidden("password.reset_not_yours", "只能重置您管理范围内人员的密码")
    password = generate_initial_password()
    revoked = _replace_password(user, password, initial=True)
    journal.record(
        actor=actor, verb="auth.password_reset", chain=AUTH_CHAIN, subject=f"user:{user.pk}",
        summary=f"重置 {user.username} 的密码(须在下次登录时修改)", data={"tokens_revoked": revoked},
    )
    return password
