"""Issue 12 item 4: TOTP second factor (django-otp), optional for staff, required for the three
administrators, working with no network."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhenjie.accounts.login import AUTH_CHAIN
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def post_login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def code(device, steps_ahead: int = 0) -> str:
    """What the phone shows (steps_ahead=1: the next code, inside the device's tolerance of one step,
    so a second login within the same 30 seconds has a fresh one)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_enrol"), {"token": code(device), "password": PASSWORD})
    assert response.status_code == 200, response.content.decode()[:300]
    codes = [token.token for token in StaticToken.objects.filter(device__user=user)]
    assert all(c in response.content.decode() for c in codes)
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def security_admin(world):
    return make_user("sec_admin", world.police, [R.SECURITY_ADMIN], world.county)


def test_an_administrator_without_an_authenticator_must_enrol_before_anything_else(client, world, security_admin):
    assert post_login(client, "sec_admin").status_code == 302
    home = client.get(reverse("workbench:home"))
    assert home["Location"] == reverse("accounts:otp_enrol")
    assert client.get(reverse("workbench:security"))["Location"] == reverse("accounts:otp_enrol")
    assert client.get("/api/me").json()["code"] == "auth.otp_enrol_required"
    api = client.post("/api/auth/token", {"username": "sec_admin", "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "auth.otp_enrol_required"
    device, _ = enrol(client, security_admin)
    assert device.confirmed
    assert client.get(reverse("workbench:security")).status_code == 200
    assert JournalEntry.objects.filter(chain=AUTH_CHAIN, verb="auth.otp_enrol", actor=security_admin).count() == 1


def test_with_an_authenticator_the_password_alone_does_not_open_the_workbench(client, world, security_admin):
    client.force_login(security_admin)
    device, codes = enrol(client, security_admin)
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin")
    assert client.get(reverse("workbench:home"))["Location"] == reverse("accounts:otp_verify")
    assert client.get("/api/me").json()["code"] == "auth.otp_required"
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device, 1)}).status_code == 302
    assert client.get(reverse("workbench:home")).status_code == 200
    assert JournalEntry.objects.filter(chain=AUTH_CHAIN, verb="auth.otp", actor=security_admin).count() == 1


def test_wrong_codes_throttle_even_the_right_one_for_a_while(client, world, security_admin):
    client.force_login(security_admin)
    device, _ = enrol(client, security_admin)
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin")
    for _ in range(3):
        wrong = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
        assert "动态口令错误" in wrong.content.decode()
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device, 1)}).status_code == 200
    assert JournalEntry.objects.filter(chain=AUTH_CHAIN, verb="auth.otp_failure").count() == 4


def test_a_code_is_accepted_once_and_a_recovery_code_once(client, world, security_admin):
    client.force_login(security_admin)
    device, codes = enrol(client, security_admin)
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin")
    used = code(device, 1)
    assert client.post(reverse("accounts:otp_verify"), {"token": used}).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin")
    assert client.post(reverse("accounts:otp_verify"), {"token": used}).status_code == 200  # replay refused
    client.post(reverse("accounts:logout"))
    # (the refused replay throttles the device for a moment; a recovery code is its own device)
    post_login(client, "sec_admin")
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "sec_admin")
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 200


def test_the_api_token_needs_the_code_too(client, world):
    client.force_login(world.dispatcher_a)  # optional for staff: a dispatcher enrols of their own accord
    device, _ = enrol(client, world.dispatcher_a)
    body = {"username": "dispatcher_a", "password": PASSWORD}
    missing = client.post("/api/auth/token", body, content_type="application/json")
    assert missing.status_code == 403 and missing.json()["code"] == "auth.otp_required"
    ok = client.post("/api/auth/token", {**body, "otp": code(device, 1)}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["token"]


def test_staff_without_an_authenticator_log_in_with_the_password_alone(client, world):
    post_login(client, "clerk_a")
    assert client.get(reverse("workbench:home")).status_code == 200
