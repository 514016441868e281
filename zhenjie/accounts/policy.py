"""The security policy in force. Read on every request by the idle-session check, so it is cached
for a minute; the action that changes it clears the cache."""

from django.core.cache import cache

from .models import SecurityPolicy

_CACHE_KEY = "accounts:security-policy"


def current_policy() -> SecurityPolicy:
    policy = cache.get(_CACHE_KEY)
    if policy is None:
        policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
        cache.set(_CACHE_KEY, policy, 60)
    return policy


def forget_policy() -> None:
    cache.delete(_CACHE_KEY)
