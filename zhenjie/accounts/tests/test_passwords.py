"""Issue 12 item 4: password rules as settings, a new password ends tokens and other sessions,
initial and expired passwords are changed before anything else (pages and API)."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.credentials import reset_password
from zhenjie.accounts.login import AUTH_CHAIN
from zhenjie.accounts.models import ApiToken, User
from zhenjie.kernel.errors import Forbidden
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import PASSWORD, Api

pytestmark = pytest.mark.django_db

NEW = "Kx7-fenlan-Morning!"


def refused(password, user=None) -> str:
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


def system_admin(world):
    """Accounts are created by the system administrator alone (三权分立, accounts.actions)."""
    from zhenjie.accounts.roles import RoleCode
    from zhenjie.testing import make_user

    return make_user("sys_admin", world.police, [RoleCode.SYSTEM_ADMIN], world.county)


@pytest.mark.parametrize("password", ["P@ssw0rd12", "P@ssw0rd1234!", "Admin@12345678", "1qaz@WSX3edc", "Woaini1314!!", "Zhenjie@2026x"])
def test_common_and_local_passwords_are_refused(world, password):
    assert refused(password)


def test_passwords_built_on_the_county_or_a_township_name_are_refused(world):
    # make_world's county is 测试县 (ceshi), its townships 甲镇 and 乙镇 (jiazhen, yizhen).
    assert "拼音" in refused("Jiazhen#2026abc")
    assert "拼音" in refused("MyCeshiXian!99")


def test_the_defaults_satisfy_dengbao_length_twelve_and_three_classes(world):
    assert "至少需要 12 个字符" in refused("Kx7-fenlan!")
    assert "至少三类" in refused("kx7fenlanmorning")
    validate_password(NEW)
    validate_password("x" * 40 + "A1!")  # long passphrases are welcome, never truncated


def test_the_rules_are_the_security_administrators(world):
    actions.update_policy(None, password_min_length=16, password_min_classes=4)
    assert "至少需要 16 个字符" in refused("Kx7-fenlanMor!")
    assert "至少四类" in refused("Kx7fenlanMorningTea")


def test_changing_the_password_revokes_tokens_and_ends_the_other_sessions(client, world):
    user = world.leader_a
    _, token = ApiToken.issue(user, timedelta(hours=1))
    other = Client()
    other.force_login(user)
    assert other.get(reverse("workbench:home")).status_code == 200
    client.force_login(user)
    response = client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    # This session goes on; the other one is sent to the login page; the token no longer works.
    assert client.get(reverse("workbench:home")).status_code == 200
    assert reverse("accounts:login") in other.get(reverse("workbench:home"))["Location"]
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    entry = JournalEntry.objects.get(chain=AUTH_CHAIN, verb="auth.password_change")
    assert entry.actor == user and entry.data["tokens_revoked"] == 1


def test_a_weak_new_password_is_refused_in_chinese_and_nothing_changes(client, world):
    client.force_login(world.leader_a)
    response = client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": "P@ssw0rd12", "new_password2": "P@ssw0rd12"})
    assert response.status_code == 200 and "至少需要 12 个字符" in response.content.decode()
    assert User.objects.get(pk=world.leader_a.pk).check_password(PASSWORD)


def test_an_account_created_by_an_administrator_changes_its_password_before_anything_else(client, world):
    actions.create_staff(system_admin(world), username="newcomer", full_name="新同事", password=PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": "newcomer", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("workbench:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:password_change")
    assert "请先修改管理员设置的初始密码" in client.get(reverse("accounts:password_change")).content.decode()
    # The API refuses a token for the initial password, and refuses the session as well.
    api = client.post("/api/auth/token", {"username": "newcomer", "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "auth.password_change_required"
    assert client.get("/api/me").json()["code"] == "auth.password_change_required"
    client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert client.get(reverse("workbench:home")).status_code == 200
    assert client.get("/api/me").status_code == 200


def test_a_reset_password_is_initial_and_ends_the_old_ones_tokens(client, world):
    api = Api(client).as_("clerk_a")
    assert api.get("/api/me").status_code == 200
    with pytest.raises(Forbidden):  # only the administrator who looks after the person (三权分立)
        reset_password(world.leader_b, world.clerk_a)
    admin = system_admin(world)
    password = reset_password(admin, world.clerk_a)
    assert api.get("/api/me").status_code == 401
    validate_password(password)
    client.post(reverse("accounts:login"), {"username": "clerk_a", "password": password})
    assert client.get(reverse("workbench:home"))["Location"] == reverse("accounts:password_change")
    assert JournalEntry.objects.get(chain=AUTH_CHAIN, verb="auth.password_reset").actor == admin


def test_a_staff_password_older_than_the_maximum_age_must_be_changed(client, world):
    User.objects.filter(pk=world.dispatcher_a.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(world.dispatcher_a)
    assert client.get(reverse("workbench:home"))["Location"] == reverse("accounts:password_change")
    assert client.get("/api/me").json()["code"] == "auth.password_expired"
    # Logout stays reachable; a maximum age of 0 turns the rule off.
    actions.update_policy(None, password_max_age_days=0)
    assert client.get(reverse("workbench:home")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_an_initial_password_unused_for_72_hours_no_longer_logs_in(client, world):
    actions.create_staff(system_admin(world), username="late.comer", full_name="迟到者", password=PASSWORD)
    User.objects.filter(username="late.comer").update(password_changed_at=timezone.now() - timedelta(hours=73))
    response = client.post(reverse("accounts:login"), {"username": "late.comer", "password": PASSWORD})
    assert response.status_code == 200 and "初始密码已超过72小时未使用而失效" in response.content.decode()
    assert "_auth_user_id" not in client.session
