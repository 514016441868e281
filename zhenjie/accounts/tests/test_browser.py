"""Issue 12 item 4 in a real browser: an administrator's first login goes through the enrolment of
an authenticator (the QR code drawn by the server, no network), then the second factor on the
next login; a lock-out shows its Chinese page."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.testing import PASSWORD, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def code(device, steps_ahead=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def test_an_administrator_enrols_an_authenticator_then_needs_it_to_log_in(chromium, live_server, artifacts):
    world = make_world()
    admin = make_user("auditor_x", world.police, [R.AUDIT_ADMIN], world.county)
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server, "auditor_x")
    page.wait_for_url(f"{live_server.url}/accounts/otp/")
    expect(page.locator("[data-testid=otp-qr] svg")).to_be_visible()
    assert len(page.get_by_test_id("otp-secret").inner_text().replace(" ", "")) == 32
    page.screenshot(path=str(artifacts / "otp-enrol.png"), full_page=True)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.fill("#id_token", code(device))
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    # count() does not wait for the page the click leads to; expect() does
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_text("我已保存，进入工作台").click()
    page.wait_for_url(f"{live_server.url}/")

    page.context.clear_cookies()
    log_in(page, live_server, "auditor_x")
    page.wait_for_url(f"{live_server.url}/accounts/otp/verify/")
    page.fill("#id_token", code(device, 1))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert not [e for e in errors if "otp" in e.lower()]
    context.close()


def test_a_locked_out_login_says_so_in_chinese(chromium, live_server):
    make_world()
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    for _ in range(5):
        log_in(page, live_server, "leader_a", "wrong-password")
    assert "账号已锁定" in page.get_by_test_id("login-error").inner_text()
    context.close()
