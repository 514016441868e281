"""The second factor (等保 8.1.4.1 d 两种或两种以上组合的鉴别技术; ASVS 6.5): a TOTP authenticator app
(django-otp's otp_totp), with one-time recovery codes (otp_static). It works with no network: the
app computes the code from a shared secret and the time; the secret is shown as a QR code drawn on
the server (segno, SVG) and as text.

Optional for staff, required for the system, security and audit administrators: one of them
logging in without a device is sent to enrol before anything else. Which step a login still owes
is decided once, at the login form (`step_after_password`), and kept in the session; the pages
(accounts.gate) and the token endpoint ask for it. Known risk, accepted and recorded in
docs/SECURITY.md: django-otp keeps the TOTP secret hex-encoded in the database, not sealed."""

import segno
from django.contrib.auth import authenticate
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Rejected, Unauthenticated

from .login import AUTH_CHAIN
from .roles import SEPARATED_ADMIN_ROLES

SESSION_KEY = "second_factor"  # "verify" or "enrol" while owed
VERIFY, ENROL = "verify", "enrol"
RECOVERY_CODES = 10


def required_for(user) -> bool:
    """The three administrators must use a second factor (三权分立 accounts hold the keys)."""
    return user.posts.filter(is_active=True, roles__code__in=SEPARATED_ADMIN_ROLES).exists()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def step_after_password(user) -> str | None:
    if has_device(user):
        return VERIFY
    if required_for(user):
        return ENROL
    return None


def verify(request, user, token: str, *, channel: str = "web"):
    """The device (authenticator or recovery code) that accepts the token, journaled; or
    Unauthenticated. django-otp throttles after failures (OTP_TOTP_THROTTLE_FACTOR) and a TOTP
    code is accepted once only (a higher time step each time)."""
    token = (token or "").strip().replace(" ", "")
    device = None
    if token:
        # Six digits go to the authenticator, anything else to the recovery codes: a wrong guess
        # then throttles only the device it was meant for.
        model = TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
        with transaction.atomic():
            for candidate in model.objects.select_for_update().filter(user=user, confirmed=True):
                if candidate.verify_token(token):
                    device = candidate
                    break
    with transaction.atomic():
        journal.record(
            actor=user if device else None, verb="auth.otp" if device else "auth.otp_failure", chain=AUTH_CHAIN,
            subject=f"user:{user.pk}", data={"channel": channel, "kind": type(device).__name__ if device else None},
            summary="动态口令验证通过" + ("(使用恢复码)" if isinstance(device, StaticDevice) else "") if device else "动态口令错误",
        )
    if device is None:
        raise Unauthenticated("auth.otp_invalid", "动态口令错误或已使用，请稍后重试", field="token")
    if request is not None and channel == "web":
        otp_login(request, device)
        request.session.pop(SESSION_KEY, None)
    return device


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one at a time), created on first ask."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here: nothing is fetched."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps where it is typed in."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def enrol(request, user, password: str, token: str) -> list[str]:
    """Confirm the pending authenticator with a code from it and the account's password
    (re-authentication, ASVS 6.4.3/7.5.1); any earlier device is replaced. Returns the new recovery
    codes, shown once. Journaled."""
    if authenticate(request, username=user.username, password=password) is None:
        raise Rejected("otp.password_wrong", "当前密码不正确", field="password")
    device = pending_device(user)
    if not device.verify_token((token or "").strip()):
        raise Rejected("otp.token_wrong", "动态口令不正确，请核对手机时间后重试", field="token")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    journal.record(actor=user, verb="auth.otp_enrol", chain=AUTH_CHAIN, subject=f"user:{user.pk}", summary="绑定动态口令(身份验证器)")
    if request is not None:
        otp_login(request, device)
        request.session.pop(SESSION_KEY, None)
    return codes
