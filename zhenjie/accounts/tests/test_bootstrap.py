"""Issue 13 item 1: an empty start for production. `manage.py bootstrap` on a migrated database
with no data creates the county and the three separated administrators, each with a one-time
password that must be changed at first login; nothing else. Run twice, it refuses."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhenjie.accounts.models import Post, SecurityPolicy, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.kernel.models import Case, JournalEntry
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

NEW = {"sysadmin": "Kx7-fenlan-Morning!", "secadmin": "Qz9-beishan-Evening?", "auditor": "Wm4-nanhe-Noon#ok"}


def bootstrap(*args) -> str:
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"用户名 (\S+)\s+初始密码 (\S+)", output))


def first_login(username: str, password: str) -> Client:
    """Log in with the printed password: the password change comes first, then the authenticator."""
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code == 302
    home = client.get(reverse("workbench:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:password_change")
    assert "请先修改管理员设置的初始密码" in client.get(reverse("accounts:password_change")).content.decode()
    changed = client.post(reverse("accounts:password_change"), {"old_password": password, "new_password1": NEW[username], "new_password2": NEW[username]})
    assert changed.status_code == 302, changed.content.decode()[:500]
    # The three administrators must bind an authenticator before anything else (accounts.gate).
    assert client.get(reverse("workbench:home"))["Location"] == reverse("accounts:otp_enrol")
    client.get(reverse("accounts:otp_enrol"))
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:otp_enrol"), {"token": code, "password": NEW[username]}).status_code == 200
    assert client.get(reverse("workbench:home")).status_code == 200
    return client


def test_bootstrap_on_an_empty_database_creates_the_county_and_three_administrators_and_nothing_else():
    assert not Area.objects.exists() and not User.objects.exists()
    output = bootstrap("--county-code", "371083", "--county-name", "禾山县")

    county = Area.objects.get()
    assert (county.code, county.path, county.name, county.level) == ("371083000000", "371083", "禾山县", "county")
    assert list(Unit.objects.values_list("name", "kind")) == [("禾山县人民政府", Unit.Kind.COUNTY_LEADERSHIP)]
    passwords = printed_passwords(output)
    assert set(passwords) == {"sysadmin", "secadmin", "auditor"}
    roles = {p.user.username: set(p.roles.values_list("code", flat=True)) for p in Post.objects.select_related("user")}
    assert roles == {"sysadmin": {R.SYSTEM_ADMIN}, "secadmin": {R.SECURITY_ADMIN}, "auditor": {R.AUDIT_ADMIN}}
    assert all(post.jurisdiction == county for post in Post.objects.all())
    for user in User.objects.all():
        assert user.must_change_password and user.check_password(passwords[user.username])
        assert passwords[user.username] not in JournalEntry.objects.filter(subject=f"user:{user.pk}").values_list("summary", flat=True)
    # Nothing else is pre-filled: no demo people, no cases; the security policy row at its defaults.
    assert User.objects.count() == 3 and not Case.objects.exists()
    assert SecurityPolicy.objects.get().password_min_length == 12
    # Journaled through the ordinary actions, plus the installation's own entry; the chain verifies.
    verbs = set(JournalEntry.objects.values_list("verb", flat=True))
    assert {"area.create", "unit.create", "user.create", "post.grant", "install.bootstrap"} <= verbs
    assert journal.verify() == []


def test_each_administrator_must_change_the_printed_password_and_the_consoles_work():
    passwords = printed_passwords(bootstrap("--county-code", "371083000000", "--county-name", "禾山县"))
    system = first_login("sysadmin", passwords["sysadmin"])
    security = first_login("secadmin", passwords["secadmin"])
    audit = first_login("auditor", passwords["auditor"])

    # The system administrator's console: the page, and a first person created and seated there.
    assert system.get(reverse("workbench:users")).status_code == 200
    created = system.post(reverse("workbench:users"), {"staff-username": "zhang.san", "staff-full_name": "张三", "staff-password": "Rb8-dongcun-Spring!"})
    assert created.status_code == 302, created.content.decode()[:800]
    unit = Unit.objects.get()
    seated = system.post(reverse("workbench:users"), {
        "post-username": "zhang.san", "post-unit": unit.pk, "post-title": "编办业务科", "post-roles": [R.COUNTY_ADMIN],
        "post-jurisdiction": Area.objects.get().pk,
    })
    assert seated.status_code == 302, seated.content.decode()[:800]
    assert Post.objects.filter(user__username="zhang.san", roles__code=R.COUNTY_ADMIN).exists()
    for url_name in ("workbench:home", "workbench:inbox", "workbench:areas", "workbench:units", "workbench:notifications"):
        assert system.get(reverse(url_name)).status_code == 200, url_name
    for url_name in ("workbench:security", "workbench:admins"):
        assert security.get(reverse(url_name)).status_code == 200, url_name
    assert audit.get(reverse("workbench:journal")).status_code == 200
    assert "install.bootstrap" in audit.get(reverse("workbench:journal") + "?verb=install.bootstrap").content.decode()
    # The new county administrator, once their password is theirs, reaches the county's settings.
    newcomer = Client()
    newcomer.post(reverse("accounts:login"), {"username": "zhang.san", "password": "Rb8-dongcun-Spring!"})
    newcomer.post(reverse("accounts:password_change"), {"old_password": "Rb8-dongcun-Spring!", "new_password1": "Ty5-xicun-Autumn?", "new_password2": "Ty5-xicun-Autumn?"})
    for url_name in ("workbench:home", "workbench:calendar", "workbench:supervision", "workbench:areas"):
        assert newcomer.get(reverse(url_name)).status_code == 200, url_name
    # Every page the county administrator and the three administrators are offered opens on a
    # county that has nothing yet but itself: no settings row or demo record is missing.
    for client in (newcomer, system, security, audit):
        home = client.get(reverse("workbench:home")).content.decode()
        links = sorted(set(re.findall(r'href="(/[^"#?]*)"', home)) - {reverse("accounts:logout")})
        assert len(links) > 5
        for link in links:
            if link.startswith("/static/"):
                continue
            assert client.get(link).status_code < 500, link


def test_running_it_twice_is_refused_in_chinese_and_changes_nothing():
    bootstrap("--county-code", "371083", "--county-name", "禾山县")
    before = (Area.objects.count(), User.objects.count(), JournalEntry.objects.count())
    with pytest.raises(CommandError, match="初始化只能在空数据库上执行一次"):
        bootstrap("--county-code", "371084", "--county-name", "另一县")
    assert (Area.objects.count(), User.objects.count(), JournalEntry.objects.count()) == before


@pytest.mark.parametrize(("code", "reason"), [
    ("37108", "应为6位数字"),
    ("3710830", "应为6位数字"),
    ("37A083", "应为6位数字"),
    ("371083001000", "后6位应为000000"),
    ("991083", "不是省级区划代码"),
    ("370083", "地市级"),
    ("371000", "以00结尾的是地市级代码"),
])
def test_a_county_code_not_shaped_like_gbt_2260_is_refused_and_nothing_is_written(code, reason):
    with pytest.raises(CommandError, match=reason):
        bootstrap("--county-code", code, "--county-name", "禾山县")
    assert not Area.objects.exists() and not User.objects.exists() and not JournalEntry.objects.exists()


def test_a_missing_name_is_refused():
    with pytest.raises(CommandError, match="请填写县"):
        bootstrap("--county-code", "371083", "--county-name", "  ")
    assert not Area.objects.exists()


def test_the_documented_reset_of_the_security_administrators_expired_password_works():
    """DEPLOYMENT.md step 7: the one command line that gives the security administrator a new
    initial password, journaled with no person as actor."""
    import contextlib
    from pathlib import Path

    from django.conf import settings

    bootstrap("--county-code", "371083", "--county-name", "禾山县")
    text = (Path(settings.BASE_DIR) / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    command = re.search(r'manage\.py shell -v 0 -c "(.*?)"\n', text).group(1)
    out = StringIO()
    with contextlib.redirect_stdout(out):
        call_command("shell", command=command, verbosity=0)
    password = out.getvalue().strip()
    user = User.objects.get(username="secadmin")
    assert user.check_password(password) and user.must_change_password
    assert JournalEntry.objects.filter(verb="auth.password_reset", subject=f"user:{user.pk}", actor=None).exists()
