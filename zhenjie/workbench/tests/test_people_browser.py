"""离岗交接 in a real browser: the system administrator opens a person's page from the users list,
reads what will move, picks the colleague, confirms the dialog, and sees the person gone and the
work with the colleague. No console error: the page needs no inline script or style (CSP)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import assignments
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.models import Assignment
from zhenjie.testing import PASSWORD, make_event, make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_hands_a_leavers_work_to_a_colleague_in_the_browser(chromium, live_server, artifacts):
    world = make_world()
    admin = make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    colleague = make_user("dispatcher_a2", world.centre_a, [R.DISPATCHER], world.a)
    case = make_event(world).case
    work = [assignments.create(case, Assign(unit=world.centre_a, user=world.dispatcher_a, todo="核实")) for _ in range(2)]

    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sys_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/otp/verify/")
    page.fill("#id_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/console/users/?q=dispatcher_a")
    page.get_by_test_id("person-link").first.click()
    page.wait_for_url(f"{live_server.url}/console/people/{world.dispatcher_a.pk}/")
    assert "将转交的在办待办：2 项" in page.get_by_test_id("handover-preview").inner_text()
    page.select_option("#id_handover-colleague", str(colleague.pk))
    page.fill("#id_handover-reason", "调离本县")
    page.screenshot(path=str(artifacts / "handover-preview.png"), full_page=True)
    page.get_by_role("button", name="确认离岗交接").click()
    page.get_by_test_id("person-left").wait_for()
    assert "已离岗" in page.get_by_test_id("person-left").inner_text()
    assert "调离本县" in page.get_by_test_id("post-history").inner_text()

    assert not User.objects.get(pk=world.dispatcher_a.pk).is_active
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in work]).values_list("user_id", flat=True)) == {colleague.pk}
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    context.close()
