"""What a logged-in person must still do before using anything else, asked in one place by the
pages (middleware.AccountGateMiddleware) and the API (api/core.py): give the second factor
(等保 8.1.4.1 d), change an initial or expired password (等保 8.1.4.1 a; ASVS 6.4.1), enrol an
authenticator where the role requires one — in that order."""

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.errors import Forbidden

from .policy import current_policy


@dataclass(frozen=True)
class Step:
    code: str
    message: str
    url_name: str


def pending(user, request=None) -> Step | None:
    """The first step the user owes, or None. The second-factor steps live in the session the login
    form opened (second_factor.SESSION_KEY); a bearer token was issued only after them."""
    from .second_factor import ENROL, SESSION_KEY, VERIFY

    owed = request.session.get(SESSION_KEY) if request is not None and hasattr(request, "session") else None
    if owed == VERIFY:
        return Step("auth.otp_required", "请输入手机身份验证器上的动态口令", "accounts:otp_verify")
    step = _password_step(user)
    if step is None and owed == ENROL:
        return Step("auth.otp_enrol_required", "您的岗位须使用双因素认证，请先绑定手机身份验证器", "accounts:otp_enrol")
    return step


def _password_step(user) -> Step | None:
    if user.must_change_password:
        return Step("auth.password_change_required", "请先修改管理员设置的初始密码，再使用系统", "accounts:password_change")
    max_age = current_policy().password_max_age_days
    if max_age and user.kind == user.Kind.STAFF and user.password_changed_at < timezone.now() - timedelta(days=max_age):
        return Step("auth.password_expired", f"密码已超过 {max_age} 天未修改，请先修改密码", "accounts:password_change")
    return None


def require_settled(user, request=None) -> None:
    """For the API: Forbidden with the step's code and message while a step is owed."""
    step = pending(user, request)
    if step is not None:
        raise Forbidden(step.code, step.message)


@lru_cache(maxsize=1)
def reachable_paths() -> frozenset[str]:
    """Pages a person who owes a step may still open: the steps themselves, login and logout."""
    names = ("accounts:login", "accounts:logout", "accounts:password_change", "accounts:otp_verify", "accounts:otp_enrol")
    return frozenset(reverse(name) for name in names)
