"""Logging in, for the web form and the API alike: one lock-out count for both."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from zhenjie.kernel.errors import Forbidden, Unauthenticated

from .models import LoginFailure, User
from .policy import current_policy


def locked_until(username: str):
    """When the account's lock-out ends, or None if it is not locked."""
    policy = current_policy()
    now = timezone.now()
    recent = list(
        LoginFailure.objects.filter(
            username=username, at__gte=now - timedelta(minutes=max(policy.failure_window_minutes, policy.lockout_minutes))
        )
        .order_by("-at")
        .values_list("at", flat=True)[: policy.max_failed_logins]
    )
    if len(recent) < policy.max_failed_logins:
        return None
    if recent[0] - recent[-1] > timedelta(minutes=policy.failure_window_minutes):
        return None
    until = recent[0] + timedelta(minutes=policy.lockout_minutes)
    return until if until > now else None


def _locked_error(until) -> Forbidden:
    return Forbidden(
        "auth.locked",
        f"登录失败次数过多，账号已锁定，请于 {timezone.localtime(until):%H:%M} 后再试，或联系安全管理员解锁",
    )


def log_in(request, username: str, password: str, channel: str = "web") -> User:
    """The user, or Unauthenticated / Forbidden (locked) with a message to show as it is."""
    username = (username or "").strip()
    until = locked_until(username)
    if until:
        raise _locked_error(until)
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(
            username=username[:150], ip_address=client_address(request), channel=channel, at=timezone.now()
        )
        until = locked_until(username)
        if until:
            raise _locked_error(until)
        raise Unauthenticated("auth.invalid", "用户名或密码错误", field="password")
    LoginFailure.objects.filter(username=username).delete()
    return user


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (CLIENT_IP_HEADER)."""
    if request is None:
        return None
    header = settings.CLIENT_IP_HEADER
    address = (header and request.META.get(header, "").split(",")[0].strip()) or request.META.get("REMOTE_ADDR") or None
    return address[:45] if address else None
