"""Logging in, for the web form and the API alike: one lock-out for both, every outcome journaled.

Lock-out is django-axes (settings: AXES_*), counting failures twice (等保 8.1.4.1 b 限制非法登录次数;
ASVS 6.3.1 without letting anyone lock another person out):
- per username AND address: `max_failed_logins` wrong passwords for one username from one address
  lock that pair — the owner logging in from another address is not affected;
- per address across usernames: `address_failed_logins` failures from one address stop that address
  (someone trying many usernames).
Both numbers and the lock-out time are the security administrator's settings (SecurityPolicy),
which axes reads through the callables below on every attempt."""

import re
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpResponse
from django.utils import timezone

from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError, Unauthenticated

from .models import User
from .policy import current_policy

# Login events go on a chain of their own: a burst of failures does not queue the county's rule
# changes behind it, and the audit administrator filters them in one click.
AUTH_CHAIN = "auth"
INITIAL_PASSWORD_LIFETIME = timedelta(hours=72)


class Locked(ActionError):
    """Too many failures: the username from this address, or this address, is locked for a while."""

    status = 429


# ---- axes' callable settings: the numbers come from the security policy -----------------------


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: the per username+address limit (the per-address one is applied in
    LockoutHandler.get_failures)."""
    return current_policy().max_failed_logins


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: failures older than this are forgotten and a lock-out ends."""
    return timedelta(minutes=current_policy().lockout_minutes)


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (CLIENT_IP_HEADER).
    Also AXES_CLIENT_IP_CALLABLE, so the lock-out and the journal name the same address."""
    if request is None:
        return None
    header = settings.CLIENT_IP_HEADER
    address = (header and request.META.get(header, "").split(",")[0].strip()) or request.META.get("REMOTE_ADDR") or None
    return address[:45] if address else None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE. The login page (or the API's JSON) already carries the Chinese
    message log_in raised; axes only needs the status to say "too many" (429)."""
    if original_response is None:
        return HttpResponse("登录失败次数过多，请稍后再试", status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with two limits instead of one.

    AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]: axes compares the larger
    of the two sums with one limit. Here the pair is compared with `max_failed_logins` and the
    address alone with the higher `address_failed_logins`; which of them locked is left on the
    request for the message."""

    def get_failures(self, request, credentials=None) -> int:
        pair, address = (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0 for attempts in self.get_user_attempts(request, credentials))
        policy = current_policy()
        if address >= policy.address_failed_logins:
            request.zhenjie_locked_by = "address"
            return max(pair, policy.max_failed_logins)
        request.zhenjie_locked_by = "account" if pair >= policy.max_failed_logins else None
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """AXES_RESET_ON_SUCCESS clears the pair only: one good password for one account must not
        wipe the address's count of failures on other accounts."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


# ---- the login itself ---------------------------------------------------------------------------


def printable(text: str, limit: int = 64) -> str:
    """What someone typed, safe to write into the journal: control characters (a newline that
    would forge a second line) shown escaped, and cut short (ASVS 16.4.1, 等保 8.1.4.3 b)."""
    text = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", lambda m: m.group().encode("unicode_escape").decode(), text or "")
    return text[:limit]


def log_in(request, username: str, password: str, channel: str = "web") -> User:
    """The user, or Unauthenticated / Locked with a message to show as it is. Journals the outcome:
    success, failure, and the failure that starts a lock-out (等保 8.1.4.3 a)."""
    username = (username or "").strip()
    was_locked = AxesProxyHandler.is_locked(request, {"username": username})
    user = authenticate(request, username=username, password=password)
    address = client_address(request)
    if user is not None and user.must_change_password and user.password_changed_at < timezone.now() - INITIAL_PASSWORD_LIFETIME:
        # ASVS 6.4.1: an initial password nobody used in time is worth nothing to anyone but a
        # guesser. The password was right, so this is not a failure towards the lock-out.
        _journal(None, "auth.failure", user, f"初始密码已过期：{printable(username)}（来自 {address or '未知地址'}）", address, channel,
                 username=printable(username), reason="initial_expired")
        raise Unauthenticated("auth.initial_password_expired", "初始密码已超过72小时未使用而失效，请联系系统管理员重置密码", field="password")
    if user is not None:
        # A citizen's name stays out of the journal (it cannot be erased there): the entry names
        # the account only.
        _journal(user if user.kind == User.Kind.STAFF else None, "auth.login", user, f"登录成功（{_channel_label(channel)}，来自 {address or '未知地址'}）", address, channel)
        return user
    locked = getattr(request, "axes_locked_out", False)
    known = User.objects.filter(username=username).first()
    who = printable(username)
    # A failure is nobody's act yet: no actor, the account (if it exists) as the subject.
    _journal(None, "auth.failure", known, f"登录失败：{who}（来自 {address or '未知地址'}）", address, channel,
             username=who, locked=bool(locked))
    if locked and not was_locked:
        by = getattr(request, "zhenjie_locked_by", None) or "account"
        summary = f"地址 {address} 登录失败次数过多，暂停登录" if by == "address" else f"账号 {who} 在地址 {address} 登录失败次数过多，已锁定"
        _journal(None, "auth.lockout", known, summary, address, channel, username=who, by=by)
    if locked:
        raise _locked_error(request, username, address)
    raise Unauthenticated("auth.invalid", "用户名或密码错误", field="password")


def _channel_label(channel: str) -> str:
    return {"web": "网页", "api": "接口"}.get(channel, channel)


def _journal(actor, verb: str, subject_user, summary: str, address, channel: str, **data) -> None:
    with transaction.atomic():
        journal.record(
            actor=actor, verb=verb, chain=AUTH_CHAIN, subject=f"user:{subject_user.pk}" if subject_user else "",
            summary=summary, data={"ip": address, "channel": channel, **data},
        )


def _locked_error(request, username: str, address) -> Locked:
    by = getattr(request, "zhenjie_locked_by", None) or "account"
    until = locked_until(username=None if by == "address" else username, address=address)
    when = f"请于 {timezone.localtime(until):%H:%M} 后再试" if until else "请稍后再试"
    if by == "address":
        return Locked("auth.address_locked", f"本地址登录失败次数过多，已暂停登录，{when}，或联系安全管理员解除")
    return Locked("auth.locked", f"登录失败次数过多，账号已锁定，{when}，或联系安全管理员解锁")


def locked_until(*, username: str | None = None, address: str | None = None):
    """When the lock-out of a username at an address (or of an address) ends: the last failure
    plus the lock-out time. None if nothing is counted."""
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if username is not None:
        attempts = attempts.filter(username=username)
    last = attempts.aggregate(last=Max("attempt_time"))["last"]
    return last + cool_off() if last else None


def counted_failures(since_hours: int = 24) -> list[dict]:
    """What the security administrator's page lists: each username and address with failures
    still counted, how many, the last, and whether it is locked now (the pair, or the address)."""
    policy = current_policy()
    now = timezone.now()
    threshold = now - cool_off()
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=now - timedelta(hours=since_hours))
        .values("username", "ip_address").annotate(failures=Sum("failures_since_start"), last=Max("attempt_time")).order_by("-last")[:100]
    )
    by_address = dict(
        AccessAttempt.objects.filter(attempt_time__gte=threshold).values("ip_address").annotate(n=Sum("failures_since_start")).values_list("ip_address", "n")
    )
    for row in rows:
        live = row["last"] >= threshold
        row["locked_until"] = row["last"] + cool_off() if live and row["failures"] >= policy.max_failed_logins else None
        row["address_locked"] = live and by_address.get(row["ip_address"], 0) >= policy.address_failed_logins
    return rows
