"""Answers back to the 12345 hotline (issue 14, item 4): when an event that came from the hotline
is closed or refused, its result goes back to the hotline's callback URL, so the hotline can
close its own work order (工单) and call the citizen back.

- `owe(event)` runs inside the transaction that closed, refused or merged the event (one line in
  events/actions.py). It writes the answer row (HotlineAnswer) with the body fixed then, and asks
  for the job **after commit**: the user's request never waits on the hotline, and a rolled-back
  close owes nothing.
- The job (jobs.deliver_hotline_answer → `attempt`) POSTs the body, signed, and retries with
  back-off until the hotline answers 2xx; after MAX_ATTEMPTS it stays 失败 until the county
  administrator re-sends it by hand (`resend`). `sweep` (every 10 minutes) re-asks for the job of
  any pending answer whose scheduled try was lost (a queue restarted without its schedule).

Merged duplicates: a hotline order merged into another event is answered with that event's
result when that event is closed or refused (or at once, if it already was) — the citizen who
called 12345 is owed the same answer as the reporter of the event their call duplicated.

Only a county that has set a callback (HotlineCallback, 外部接入 page) is owed answers; events
closed before it was set are not answered afterwards."""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.events.models import Channel, Event
from zhenjie.events.workflow import EventState
from zhenjie.kernel import journal, pii
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.scoping import administered_county

from .models import HotlineAnswer, HotlineCallback

log = logging.getLogger(__name__)

SECRET_CONTEXT = "integrations.hotlinecallback.secret"
SIGNATURE_HEADER = "X-Zhenjie-Signature"
URL_MAX = 500
SECRET_MIN, SECRET_MAX = 16, 128
TIMEOUT = 10  # seconds the hotline has to answer one POST
MAX_ATTEMPTS = 8  # about 4 hours of tries (1, 2, 4 … 60 minutes apart), then 失败 until re-sent by hand
LEASE = timedelta(minutes=10)  # a try still running after this is taken as lost by the sweep
OUTCOMES = {EventState.CLOSED: "办结", EventState.REJECTED: "不予受理"}

NOT_COUNTY_ADMIN = ("integration.not_county_admin", "只有县级管理员可以管理外部接入")


def backoff(attempts: int) -> timedelta:
    """The wait before try number attempts+1: one minute, doubling, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# ---- the county's callback ------------------------------------------------------------------


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise Rejected("hotline_callback.url_required", "请填写回传地址", field="url")
    if len(url) > URL_MAX:
        raise Rejected("hotline_callback.url_too_long", f"回传地址不能超过{URL_MAX}个字符", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise Rejected("hotline_callback.url_invalid", "回传地址格式不正确", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise Rejected("hotline_callback.url_invalid", "回传地址须以 http:// 或 https:// 开头，并写明主机名", field="url")
    return url


@transaction.atomic
def set_callback(actor, *, url: str, secret: str, is_active: bool) -> HotlineCallback:
    """Set the county's callback. A blank secret keeps the one saved before (it is never shown)."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    url = check_url(url)
    secret = (secret or "").strip()
    callback = HotlineCallback.objects.select_for_update().filter(county=county).first()
    if secret and not SECRET_MIN <= len(secret) <= SECRET_MAX:
        raise Rejected("hotline_callback.secret_length", f"签名密钥须为{SECRET_MIN}至{SECRET_MAX}个字符", field="secret")
    if not secret and callback is None:
        raise Rejected("hotline_callback.secret_required", "请填写签名密钥(与12345平台约定)", field="secret")
    before = {"url": callback.url, "is_active": callback.is_active} if callback else None
    if callback is None:
        callback = HotlineCallback(county=county)
    callback.url, callback.is_active = url, bool(is_active)
    if secret:
        callback.secret_cipher = pii.encrypt(secret, SECRET_CONTEXT)
    callback.save()
    journal.record(actor=actor, verb="settings.hotline_callback", summary="修改12345办理结果回传设置",
                   data={"before": before, "after": {"url": url, "is_active": bool(is_active), "secret_changed": bool(secret)}})
    return callback


# ---- owing an answer --------------------------------------------------------------------------


def _is_hotline(event: Event) -> bool:
    return event.channel == Channel.HOTLINE and bool(event.case.external_id)


def _county_of(event: Event) -> Area | None:
    return Area.objects.filter(path=county_path(event.case.area.path), level=Area.Level.COUNTY).first()


def payload_for(event: Event, finished: Event) -> dict:
    """The body of the answer for hotline `event`, whose outcome is `finished`'s (itself, or the
    event it was merged into)."""
    case = finished.case
    unit = finished.handling_unit or case.owner_unit
    result = finished.result if case.state == EventState.CLOSED else finished.rejection_reason
    return {
        "order_id": event.case.external_id,
        "outcome": OUTCOMES[case.state],
        "result": result,
        "finished_at": timezone.localtime(case.closed_at).isoformat(timespec="seconds") if case.closed_at else None,
        "handling_unit": unit.name if unit else "",
        "event_number": event.case.number,
        "merged_into": finished.case.number if finished.pk != event.pk else None,
    }


def _owe_one(event: Event, finished: Event) -> None:
    county = _county_of(event)
    if county is None or not HotlineCallback.objects.filter(county=county, is_active=True).exists():
        return
    payload = payload_for(event, finished)
    answer, _ = HotlineAnswer.objects.update_or_create(event=event, defaults={
        "county": county, "order_id": payload["order_id"], "outcome": payload["outcome"], "payload": payload,
        "state": HotlineAnswer.State.PENDING, "attempts": 0, "last_error": "", "next_try_at": timezone.now() + LEASE,
        "delivered_at": None,
    })
    transaction.on_commit(lambda: _enqueue(answer.pk))


def owe(event: Event) -> None:
    """Called in the transaction that closed, refused or merged `event`: owe the hotline an
    answer for it, and for the hotline orders merged into it."""
    event = Event.objects.select_related("case", "case__area", "case__owner_unit", "handling_unit", "duplicate_of__case").get(pk=event.pk)
    if event.duplicate_of_id is not None:
        target = Event.objects.select_related("case", "case__owner_unit", "handling_unit").get(pk=event.duplicate_of_id)
        if _is_hotline(event) and target.case.state in OUTCOMES:
            _owe_one(event, target)
        return
    if event.case.state not in OUTCOMES:
        return
    if _is_hotline(event):
        _owe_one(event, event)
    for duplicate in event.duplicates.filter(channel=Channel.HOTLINE).exclude(case__external_id="").select_related("case", "case__area"):
        _owe_one(duplicate, event)


def _enqueue(answer_id: int) -> None:
    from .jobs import deliver_hotline_answer

    deliver_hotline_answer(answer_id)


# ---- sending ------------------------------------------------------------------------------------


def body_of(answer: HotlineAnswer) -> bytes:
    return json.dumps({"answer_id": answer.pk, **answer.payload}, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is not an acceptance; the hotline must answer at its own URL


_opener = urllib.request.build_opener(_NoRedirect)


def _post(callback: HotlineCallback, body: bytes, answer: HotlineAnswer) -> str:
    """'' when the hotline accepted (2xx), else what went wrong, in Chinese."""
    try:
        secret = pii.decrypt(callback.secret_cipher, SECRET_CONTEXT)
    except pii.DecryptionFailed:
        return "签名密钥无法解密，请县级管理员重新填写"
    request = urllib.request.Request(callback.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: signature(secret, body),
        "X-Zhenjie-Answer": str(answer.pk), "X-Zhenjie-Attempt": str(answer.attempts + 1),
    })
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:  # noqa: S310 - the county administrator's http(s) URL
            if 200 <= response.status < 300:
                return ""
            return f"对方返回 HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"对方返回 HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"无法连接回传地址：{reason}"[:300]


def attempt(answer_id: int) -> str:
    """One try of one answer (the job). Claims the try by its count, so two runs of the same
    answer never both send; schedules the next try, or gives up after MAX_ATTEMPTS."""
    answer = HotlineAnswer.objects.filter(pk=answer_id, state=HotlineAnswer.State.PENDING).first()
    if answer is None:
        return "not pending"
    if not HotlineAnswer.objects.filter(pk=answer.pk, state=HotlineAnswer.State.PENDING, attempts=answer.attempts).update(
        attempts=F("attempts") + 1, next_try_at=timezone.now() + LEASE
    ):
        return "taken"
    callback = HotlineCallback.objects.filter(county_id=answer.county_id, is_active=True).first()
    error = "未设置回传地址或已停用" if callback is None else _post(callback, body_of(answer), answer)
    now = timezone.now()
    attempts = answer.attempts + 1
    if not error:
        HotlineAnswer.objects.filter(pk=answer.pk).update(state=HotlineAnswer.State.DELIVERED, attempts=attempts, last_error="",
                                                          next_try_at=None, delivered_at=now)
        log.info("hotline answer %s (order %s) delivered", answer.pk, answer.order_id)
        return HotlineAnswer.State.DELIVERED
    log.warning("hotline answer %s (order %s) try %s failed: %s", answer.pk, answer.order_id, attempts, error)
    if attempts >= MAX_ATTEMPTS:
        HotlineAnswer.objects.filter(pk=answer.pk).update(state=HotlineAnswer.State.FAILED, attempts=attempts, last_error=error[:300],
                                                          next_try_at=None)
        return HotlineAnswer.State.FAILED
    wait = backoff(attempts)
    HotlineAnswer.objects.filter(pk=answer.pk).update(attempts=attempts, last_error=error[:300], next_try_at=now + wait)
    from .jobs import deliver_hotline_answer

    deliver_hotline_answer.schedule((answer.pk,), delay=wait.total_seconds())
    return HotlineAnswer.State.PENDING


@transaction.atomic
def resend(actor, answer: HotlineAnswer) -> HotlineAnswer:
    """The county administrator sends a failed answer again: MAX_ATTEMPTS more tries."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    if answer.county_id != county.pk:
        raise Forbidden("hotline_answer.other_county", "不能重发其他县的回传")
    if not HotlineAnswer.objects.filter(pk=answer.pk, state=HotlineAnswer.State.FAILED).update(
        state=HotlineAnswer.State.PENDING, attempts=0, next_try_at=timezone.now() + LEASE
    ):
        raise Conflict("hotline_answer.not_failed", "只有发送失败的回传可以重发(该回传正在发送或已送达)")
    journal.record(actor=actor, verb="hotline_answer_resend", case=answer.event.case,
                   summary=f"重发12345办理结果回传(工单 {answer.order_id})", data={"answer": answer.pk})
    transaction.on_commit(lambda: _enqueue(answer.pk))
    answer.refresh_from_db()
    return answer


SWEEP_GRACE = timedelta(minutes=5)  # a scheduled try this late is taken as lost


def sweep(now=None, chunk: int = 500) -> int:
    """Pending answers whose try is overdue (their scheduled job was lost): ask for the job again.
    A try that runs twice is harmless: `attempt` claims each try by its count."""
    now = now or timezone.now()
    ids = list(HotlineAnswer.objects.filter(state=HotlineAnswer.State.PENDING, next_try_at__lte=now - SWEEP_GRACE)
               .order_by("next_try_at").values_list("pk", flat=True)[:chunk])
    for answer_id in ids:
        _enqueue(answer_id)
    return len(ids)
