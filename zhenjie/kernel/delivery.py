"""Messages leave the platform (kernel/NOTIFY.md): each person's e-mail address and group robot
(消息接收设置), the deliveries queued when an action commits, and the sending, with retries and
back-off, by the job queue. The in-app list (kernel/notify.py) never waits for any of this."""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import journal, pii
from .errors import NotFound, Rejected
from .models import Delivery, Notification, NotificationChannels, NotificationKind
from .prepared import INTS, Prepared

logger = logging.getLogger(__name__)

EMAIL_CONTEXT = "kernel.notification_channels.email"
WEBHOOK_CONTEXT = "kernel.notification_channels.webhook"
SECRET_CONTEXT = "kernel.notification_channels.webhook_secret"
EMAIL_MAX = 254  # RFC 5321's limit for a path, Django's EmailField's
WEBHOOK_MAX = 500
SECRET_MAX = 128
CHANNELS = (Delivery.Channel.EMAIL, Delivery.Channel.WEBHOOK)
LEASE = timedelta(minutes=5)  # a try that has not come back by then may be tried again
SWEEP_BATCH = 200


class DeliveryFailed(Exception):
    """A channel's answer or silence that means "not delivered"; the message is kept on the
    delivery (no address or secret in it)."""


# ---- 消息接收设置 --------------------------------------------------------------------------


def channels_of(user) -> NotificationChannels:
    """The person's own settings (an unsaved blank one until they save any)."""
    return NotificationChannels.objects.filter(user=user).first() or NotificationChannels(user=user)


def mask_email(address: str) -> str:
    """The first character of the mailbox and the whole domain: z***@example.gov.cn."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_webhook(url: str) -> str:
    """Scheme and host, and the last four characters of the robot's key: enough to tell two
    robots apart, not enough to post to one."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…{url[-4:]}"


def normalise_email(value: str) -> str:
    address = (value or "").strip()
    if len(address) > EMAIL_MAX:
        raise Rejected("notify.email_too_long", f"电子邮件地址不能超过{EMAIL_MAX}个字符", field="email")
    try:
        validate_email(address)
    except ValidationError:
        raise Rejected("notify.email_invalid", "电子邮件地址格式不正确，应形如 name@example.gov.cn", field="email") from None
    return address


def normalise_webhook(value: str) -> str:
    url = (value or "").strip()
    if len(url) > WEBHOOK_MAX:
        raise Rejected("notify.webhook_too_long", f"机器人地址不能超过{WEBHOOK_MAX}个字符", field="webhook")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Rejected("notify.webhook_scheme", "机器人地址须以 http:// 或 https:// 开头", field="webhook")
    if not parts.hostname or any(c.isspace() for c in url) or parts.username or parts.password:
        raise Rejected("notify.webhook_invalid", "机器人地址格式不正确，请从群机器人设置中复制完整的 Webhook 地址", field="webhook")
    allowed = settings.NOTIFY_WEBHOOK_HOSTS
    if allowed and parts.hostname.lower() not in allowed:
        raise Rejected("notify.webhook_host", "本平台只允许向以下主机发送机器人消息：" + "、".join(allowed), field="webhook")
    return url


def normalise_secret(value: str) -> str:
    secret = (value or "").strip()
    if len(secret) > SECRET_MAX:
        raise Rejected("notify.secret_too_long", f"加签密钥不能超过{SECRET_MAX}个字符", field="secret")
    if not secret.isascii() or not secret.isprintable():
        raise Rejected("notify.secret_invalid", "加签密钥只能包含英文字母、数字和符号", field="secret")
    return secret


def save_channels(
    user,
    *,
    email: str = "",
    clear_email: bool = False,
    robot: str = "",
    webhook: str = "",
    secret: str = "",
    clear_webhook: bool = False,
    wanted: dict[str, list[str]] | None = None,
) -> NotificationChannels:
    """The person's own settings: only `user`'s row is ever read or written here. Blank address
    fields keep what is stored (it is shown masked and never sent back to the page)."""
    settings_row = channels_of(user)
    if clear_email:
        settings_row.email_cipher = settings_row.email_masked = ""
    elif (email or "").strip():
        address = normalise_email(email)
        settings_row.email_cipher, settings_row.email_masked = pii.encrypt(address, EMAIL_CONTEXT), mask_email(address)
    if robot and robot not in NotificationChannels.Robot.values:
        raise Rejected("notify.robot_unknown", "请选择机器人类型", field="robot")
    if clear_webhook:
        settings_row.robot = ""
        settings_row.webhook_cipher = settings_row.webhook_masked = settings_row.webhook_secret_cipher = ""
    else:
        if (webhook or "").strip():
            url = normalise_webhook(webhook)
            if not robot:
                raise Rejected("notify.robot_required", "请选择机器人类型（政务微信/企业微信或钉钉）", field="robot")
            settings_row.webhook_cipher, settings_row.webhook_masked = pii.encrypt(url, WEBHOOK_CONTEXT), mask_webhook(url)
        if robot:
            settings_row.robot = robot
        if (secret or "").strip():
            settings_row.webhook_secret_cipher = pii.encrypt(normalise_secret(secret), SECRET_CONTEXT)
    chosen = {}
    for kind, channels in (wanted or {}).items():
        if kind not in NotificationKind.values:
            raise Rejected("notify.kind_unknown", "消息类别不存在", field="wanted")
        picked = sorted({c for c in channels})
        for channel in picked:
            if channel not in CHANNELS:
                raise Rejected("notify.channel_unknown", "接收渠道不存在", field="wanted")
        if picked:
            chosen[kind] = picked
    used = {c for channels in chosen.values() for c in channels}
    if Delivery.Channel.EMAIL in used and not settings_row.email_cipher:
        raise Rejected("notify.email_missing", "选择用电子邮件接收前，请先填写电子邮件地址", field="email")
    if Delivery.Channel.WEBHOOK in used and not settings_row.webhook_cipher:
        raise Rejected("notify.webhook_missing", "选择用群机器人接收前，请先填写机器人地址", field="webhook")
    settings_row.wanted = chosen
    settings_row.save()
    return settings_row


# ---- queueing (inside the action's transaction) ---------------------------------------------


# Every notification written asks (kernel.prepared).
_CHANNELS_CHOSEN = Prepared(lambda users: NotificationChannels.objects.filter(user_id__in=users).exclude(wanted={}), users=INTS)


def queue_for(notes: list[Notification]) -> int:
    """Deliveries for the notifications just written, by what each recipient chose for the
    message's kind; the sending is handed to the job queue when the transaction commits, so a
    rolled-back action sends nothing and a slow receiver never holds the action up."""
    if not notes:
        return 0
    users = {note.user_id for note in notes}
    chosen = {row.user_id: row for row in _CHANNELS_CHOSEN(users=sorted(users))}
    if not chosen:
        return 0
    now = timezone.now()
    rows = []
    for note in notes:
        row = chosen.get(note.user_id)
        for channel in (row.wanted.get(note.kind, []) if row else []):
            if (channel == Delivery.Channel.EMAIL and row.email_cipher) or (channel == Delivery.Channel.WEBHOOK and row.webhook_cipher):
                rows.append(Delivery(notification=note, channel=channel, next_try_at=now, created_at=now))
    if rows:
        Delivery.objects.bulk_create(rows)
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return len(rows)


def _enqueue(ids: list[int]) -> None:
    from .jobs import send_deliveries

    try:
        send_deliveries(ids)
    except Exception:  # the queue itself down: the sweep (jobs.retry_deliveries) finds them pending
        logger.warning("could not queue deliveries %s; the retry sweep will send them", ids, exc_info=True)


# ---- sending (in the job queue) --------------------------------------------------------------


def _claim(pk: int, now) -> bool:
    """Take one due delivery for this try, so the commit's job and the sweep never both send it."""
    return bool(
        Delivery.objects.filter(pk=pk, state__in=[Delivery.State.PENDING, Delivery.State.RETRYING], next_try_at__lte=now).update(next_try_at=now + LEASE)
    )


def attempt(pk: int) -> str:
    """Try one delivery once; record the outcome. Returns the new state ("" when not due)."""
    now = timezone.now()
    if not _claim(pk, now):
        return ""
    delivery = Delivery.objects.select_related("notification__case", "notification__user__notification_channels").get(pk=pk)
    error = ""
    try:
        send(delivery)
    except DeliveryFailed as failure:
        error = str(failure)
    except pii.DecryptionFailed:
        error = "接收地址无法解密（字段加密密钥已更换？），请接收人重新填写消息接收设置"
    except Exception as failure:  # a bug or an unreadable sealed value: recorded, never raised into the queue
        logger.exception("delivery %s failed unexpectedly", pk)
        error = f"内部错误：{type(failure).__name__}"
    attempts = delivery.attempts + 1
    if not error:
        Delivery.objects.filter(pk=pk).update(state=Delivery.State.SENT, attempts=attempts, sent_at=timezone.now(), next_try_at=None, last_error="")
        return Delivery.State.SENT
    delays = settings.NOTIFY_RETRY_MINUTES
    if attempts > len(delays):
        state, next_try = Delivery.State.FAILED, None
    else:
        state, next_try = Delivery.State.RETRYING, timezone.now() + timedelta(minutes=delays[attempts - 1])
    logger.warning("delivery %s (%s) try %s failed: %s", pk, delivery.channel, attempts, error)
    Delivery.objects.filter(pk=pk).update(state=state, attempts=attempts, last_error=error[:500], next_try_at=next_try)
    return state


def send(delivery: Delivery) -> None:
    note = delivery.notification
    row = getattr(note.user, "notification_channels", None)
    if row is None:
        raise DeliveryFailed("接收人已删除消息接收设置")
    if delivery.channel == Delivery.Channel.EMAIL:
        if not row.email_cipher:
            raise DeliveryFailed("接收人已清除电子邮件地址")
        send_email(pii.decrypt(row.email_cipher, EMAIL_CONTEXT), note)
    else:
        if not row.webhook_cipher:
            raise DeliveryFailed("接收人已清除机器人地址")
        secret = pii.decrypt(row.webhook_secret_cipher, SECRET_CONTEXT) if row.webhook_secret_cipher else ""
        post_to_robot(pii.decrypt(row.webhook_cipher, WEBHOOK_CONTEXT), row.robot, text_of(note), secret)


def text_of(note: Notification) -> str:
    lines = [f"【{settings.SITE_NAME}·{note.get_kind_display()}】{note.title}"]
    if note.body:
        lines.append(note.body)
    if note.case_id:
        lines.append(f"编号：{note.case.number}")
    lines.append("详情请登录平台查看。")
    return "\n".join(lines)


def send_email(address: str, note: Notification) -> None:
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST:
        raise DeliveryFailed("平台未配置邮件服务器（EMAIL_HOST）")
    message = EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{note.title}",
        body=text_of(note),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        message.send()
    except Exception as error:  # smtplib's, socket's and ssl's errors alike
        # smtplib names refused recipients in its message: mask the address.
        raise DeliveryFailed(f"邮件发送失败：{error}".replace(address, mask_email(address))) from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot answers where it is asked; a redirect elsewhere is a failure, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def dingtalk_signed(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """钉钉 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, Base64, URL-encoded,
    appended with the millisecond timestamp (open.dingtalk.com, 自定义机器人安全设置)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}timestamp={timestamp}&sign={sign}"


def robot_payload(text: str) -> dict:
    """The text message both robots take: 企业微信/政务微信 and 钉钉 share this shape."""
    return {"msgtype": "text", "text": {"content": text}}


def post_to_robot(url: str, robot: str, text: str, secret: str = "") -> None:
    if robot == NotificationChannels.Robot.DINGTALK and secret:
        url = dingtalk_signed(url, secret)
    body = json.dumps(robot_payload(text), ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _OPENER.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:  # noqa: S310 - http(s) only, checked on save
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"机器人返回 HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise DeliveryFailed(f"无法连接机器人：{error.reason}") from None
    except (OSError, ValueError) as error:
        raise DeliveryFailed(f"无法连接机器人：{error}") from None
    # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; another errcode is a refusal
    # (bad key, wrong signature, too many messages).
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(data, dict) and data.get("errcode", 0) != 0:
        raise DeliveryFailed(f"机器人拒收：errcode {data.get('errcode')} {str(data.get('errmsg', ''))[:200]}")


def sweep(limit: int = SWEEP_BATCH) -> int:
    """Every minute (jobs.retry_deliveries): deliveries due again, oldest first, by the partial
    index delivery_due; and any whose commit-time job never ran."""
    due = list(
        Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.RETRYING], next_try_at__lte=timezone.now())
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if attempt(pk))


# ---- the system administrator's page ----------------------------------------------------------


def troubled_for(admin) -> QuerySet[Delivery]:
    """Deliveries retrying or failed, of the people this system administrator looks after
    (三权分立: the business side of their jurisdiction, accounts.queries.people_administered_by)."""
    from zhenjie.accounts.queries import people_administered_by
    from zhenjie.accounts.roles import RoleCode

    people = people_administered_by(admin, RoleCode.SYSTEM_ADMIN).values("pk")
    return (
        Delivery.objects.filter(state__in=[Delivery.State.RETRYING, Delivery.State.FAILED], notification__user__in=people)
        .select_related("notification__user__notification_channels")
        .order_by("-id")
    )


def resend(admin, pk: int) -> Delivery:
    """Try a failed or retrying delivery again now, with a fresh count of tries; journaled."""
    with transaction.atomic():
        delivery = troubled_for(admin).select_for_update(of=("self",)).filter(pk=pk).first()
        if delivery is None:
            raise NotFound("delivery.not_found", "该投递记录不存在，或不在您的管理范围内")
        Delivery.objects.filter(pk=pk).update(state=Delivery.State.PENDING, attempts=0, next_try_at=timezone.now(), last_error="")
        journal.record(
            actor=admin, verb="delivery.resend", summary=f"重新发送消息（{delivery.get_channel_display()}）",
            data={"delivery": delivery.pk, "recipient": delivery.notification.user_id},
        )
        transaction.on_commit(lambda: _enqueue([pk]))
    return delivery
