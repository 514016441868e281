import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from .policy import current_policy

_LAST_SEEN = "last_seen"


class IdleSessionMiddleware:
    """Logs out a staff session that has been idle longer than the security policy allows.

    The last-seen time is written at most once a minute, so ordinary page views do not each
    rewrite the session row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN)
            idle_limit = current_policy().idle_timeout_minutes * 60
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)
                messages.info(request, "由于长时间未操作，您已自动退出，请重新登录。")
                if request.htmx:
                    response = redirect("accounts:login")
                    response["HX-Redirect"] = response["Location"]
                    return response
                return redirect(f"{_login_url()}?next={request.get_full_path()}")
            if last_seen is None or now - last_seen >= 60:
                request.session[_LAST_SEEN] = now
                request.session.set_expiry(idle_limit)
        return self.get_response(request)


def _login_url() -> str:
    from django.urls import reverse

    return reverse("accounts:login")
