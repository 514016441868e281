"""Who an outside system is: the API key it presents, and the actor it reports as.

An outside system is not a person: it reports as an IntegrationActor, which reaches no
jurisdiction (kernel.scoping gives it nothing to read) and is named on the timeline after its key,
e.g. "12345热线接口：市12345平台"."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from zhenjie.kernel.actors import OutsideActor
from zhenjie.kernel.errors import Forbidden, Unauthenticated

from .models import IntegrationKey

KEY_MAX = 200
# Writing "last used" on every call would turn each read into a write; once a minute is enough
# for an administrator deciding whether a key is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, eq=False)
class IntegrationActor(OutsideActor):
    key: IntegrationKey

    @property
    def display_name(self) -> str:
        return f"{self.key.get_channel_display()}接口：{self.key.name}"[:64]


def key_for(raw: str | None, channel: str) -> IntegrationKey:
    """The active key `raw` names, for `channel`; Unauthenticated (401) or Forbidden (403) if not."""
    raw = (raw or "").strip()
    if not raw:
        raise Unauthenticated("integration.key_missing", "缺少接入密钥", field="api_key")
    key = None
    if len(raw) <= KEY_MAX:
        key = IntegrationKey.objects.select_related("county").filter(digest=IntegrationKey.digest_of(raw), is_active=True).first()
    if key is None:
        raise Unauthenticated("integration.key_invalid", "接入密钥无效或已停用", field="api_key")
    if key.channel != channel:
        raise Forbidden("integration.key_channel", f"该密钥只能用于「{key.get_channel_display()}」渠道", field="api_key")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
