import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty

from . import gate
from .policy import current_policy

_LAST_SEEN = "last_seen"
_LOGGED_IN_AT = "logged_in_at"


@receiver(user_logged_in)
def _start_the_clocks(sender, request, user, **kwargs):
    """Both clocks start at login (等保 8.1.4.1 b 登录连接超时自动退出): the idle one, so the first
    idle period counts too, and the absolute one. A receiver, not the login view, because every
    login() stamps them — the form, the second-factor step, and the test client's force_login."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[_LAST_SEEN] = now
        request.session[_LOGGED_IN_AT] = now


class IdleSessionMiddleware:
    """Logs out a session that has been idle longer than the security policy allows, or that is
    older than its absolute lifetime however busy (ASVS 7.3.1, 7.3.2).

    The last-seen time is written at most once a minute, so ordinary page views do not each
    rewrite the session row. A session without the login stamps (opened before they existed) is
    treated as expired: failing closed costs one login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user here is the session's user: a bearer token is read later, by the API.
        request.user = _unwrapped(request.user)
        if request.user.is_authenticated:
            now = int(time.time())
            policy = current_policy()
            last_seen, logged_in_at = request.session.get(_LAST_SEEN), request.session.get(_LOGGED_IN_AT)
            idle_limit = policy.idle_timeout_minutes * 60
            if last_seen is None or logged_in_at is None or now - last_seen > idle_limit:
                return _ended(request, "由于长时间未操作，您已自动退出，请重新登录。")
            if now - logged_in_at > policy.session_max_hours * 3600:
                return _ended(request, f"登录已超过 {policy.session_max_hours} 小时，请重新登录。")
            if now - last_seen >= 60:
                request.session[_LAST_SEEN] = now
                request.session.set_expiry(idle_limit)
        return self.get_response(request)


def _unwrapped(user):
    """The user behind the lazy wrappers of Django's and django-otp's middleware. This middleware
    reads the user on every request anyway; unwrapped, the page's few hundred reads of it
    (permissions, templates) are plain attribute reads instead of two proxies' each (issue 11)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def _ended(request, message: str):
    logout(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "auth.session_expired", "message": message, "fields": {}}, status=401)
    messages.info(request, message)
    if request.htmx:
        response = redirect("accounts:login")
        response["HX-Redirect"] = response["Location"]
        return response
    return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")


class AccountGateMiddleware:
    """Sends a logged-in person to the one step they still owe before using anything else: the
    change of an initial or expired password (gate.pending). Logout, the step's own page and
    static files stay reachable; the API answers 403 with the code instead (api/core.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(("/api/", "/static/")):
            step = gate.pending(request.user, request)
            if step is not None and request.path not in gate.reachable_paths():
                url = reverse(step.url_name)
                if request.htmx:
                    response = redirect(url)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        return self.get_response(request)
