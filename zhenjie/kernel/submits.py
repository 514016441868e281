"""Forms filed once (issue 14 item 9). A grid worker's phone without signal keeps what was filed
and sends it when the signal returns — perhaps twice (the first answer lost on the way back, two
tabs flushing at once). Each filled-in form carries a key the phone made (crypto.randomUUID);
the record is made under that key once per user:

    earlier = submits.claim(actor, key, content)   # inside the caller's transaction, first
    if earlier is not None: return earlier          # the same form again: the record it made
    record = … make it …
    submits.settle(actor, key, record)

A repeat with the same key and the same content answers with the earlier record; the same key
with other content is refused (a Conflict, never a second record). Two submits at once: the
unique (user, key) row makes the second wait for the first and then see it."""

import json
import uuid

from django.apps import apps
from django.db import IntegrityError, transaction

from . import pii
from .errors import Conflict, Rejected
from .models import SubmitKey

FIELD = "client_key"


def parse_key(value) -> uuid.UUID | None:
    """The phone's key, or None for a form sent without one (the key is optional)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    value = str(value).strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Rejected("submit.key_invalid", "表单标识无效，请刷新页面后重新填写") from None


def digest(content: dict) -> str:
    """A keyed fingerprint (HMAC, kernel.pii's lookup key): forms carry ID numbers and mobiles,
    and a plain SHA-256 of a form whose other fields are known gives its ID number back to
    anyone who tries the few million that fit (PII.md: never stored in clear)."""
    return pii.lookup_digest("submit", json.dumps(content, sort_keys=True, ensure_ascii=False, default=str))


def claim(actor, key: uuid.UUID | None, content: dict):
    """The record this key already made for this actor (same content), or None once the key is
    held for this submit. Call inside the transaction that makes the record."""
    if key is None or not getattr(actor, "pk", None):
        return None
    fingerprint = digest(content)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on after a clash
            SubmitKey.objects.create(user=actor, key=key, digest=fingerprint)
        return None
    except IntegrityError:
        pass
    return _made_by(SubmitKey.objects.get(user=actor, key=key), fingerprint)


def made(actor, key: uuid.UUID | None, content: dict):
    """The record this key already made, read before the submit's transaction (claim() inside it
    still holds the key): a form sent again finds what it made, whatever has changed since in
    the reporter's reach or the place's grid, as claim() did when it came first. What the sender
    is then shown of it is the caller's to read through the scoping rule (events.api.create_event:
    its number only, to a reporter who has left its place)."""
    if key is None or not getattr(actor, "pk", None):
        return None
    earlier = SubmitKey.objects.filter(user=actor, key=key).first()
    return None if earlier is None else _made_by(earlier, digest(content))


def _made_by(earlier: SubmitKey, fingerprint: str):
    if earlier.digest != fingerprint or not earlier.target:
        raise Conflict("submit.key_reused", "这份表单此前已提交，但内容不同，未再次保存；请重新填写")
    label, pk = earlier.target.rsplit(":", 1)
    return apps.get_model(label).objects.get(pk=pk)


def settle(actor, key: uuid.UUID | None, record) -> None:
    """Name the record the claimed key made."""
    if key is None or not getattr(actor, "pk", None):
        return
    SubmitKey.objects.filter(user=actor, key=key).update(target=f"{record._meta.label_lower}:{record.pk}")
