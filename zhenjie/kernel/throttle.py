"""Abuse limits for pages open without an account (the citizens' portals, the hall's kiosk, the
rating page): count a kind of request per client and refuse past a limit within a window.

Kept in Django's cache: per process with the default cache, shared by every web process when a
shared cache is configured (docs/DEPLOYMENT.md; events/tests/test_portal.py checks the production
settings share it without Redis). Logins have their own, stricter lock (accounts.login)."""

from django.core.cache import cache


def allow(kind: str, client: str, limit: int, seconds: int) -> bool:
    """Count one more `kind` for `client`; False once `limit` is passed within `seconds`."""
    key = f"portal:{kind}:{client}"  # the key kept from events.portal, its first home
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return True
