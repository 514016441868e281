from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as project_settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.login import AUTH_CHAIN
from zhenjie.accounts.models import SecurityPolicy
from zhenjie.kernel.models import JournalEntry
from zhenjie.kernel.errors import Rejected
from zhenjie.testing import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def login_journal(verb):
    return JournalEntry.objects.filter(chain=AUTH_CHAIN, verb=verb).order_by("seq")


def test_a_good_login_lands_on_the_workbench_and_is_journaled(client, world):
    response = post_login(client, "leader_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    entry = login_journal("auth.login").get()
    assert entry.actor == world.leader_a and entry.subject == f"user:{world.leader_a.pk}" and entry.data["ip"] == "10.0.0.1"


def test_a_wrong_password_says_so_in_chinese_counts_and_is_journaled(client, world):
    response = post_login(client, "leader_a", "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert AccessAttempt.objects.get(username="leader_a").failures_since_start == 1
    entry = login_journal("auth.failure").get()
    assert entry.subject == f"user:{world.leader_a.pk}" and entry.actor is None and entry.data["username"] == "leader_a"
    assert "wrong" not in str(entry.data) + entry.summary  # never the password typed


def test_five_failures_lock_the_username_at_that_address_for_web_and_api_alike(client, world):
    for _ in range(4):
        post_login(client, "leader_a", "wrong")
    response = post_login(client, "leader_a", "wrong")
    assert response.status_code == 429 and "账号已锁定" in response.content.decode()
    # The right password does not help while locked, on the page or through the API.
    response = post_login(client, "leader_a", PASSWORD)
    assert response.status_code == 429 and "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    api = client.post("/api/auth/token", {"username": "leader_a", "password": PASSWORD}, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    assert api.status_code == 429 and api.json()["code"] == "auth.locked"
    assert login_journal("auth.lockout").count() == 1  # one lock-out, however often it is hit
    assert login_journal("auth.failure").count() == 7


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_from_another(client, world):
    for _ in range(6):
        post_login(client, "leader_a", "wrong", address="203.0.113.9")
    assert post_login(client, "leader_a", PASSWORD, address="203.0.113.9").status_code == 429
    assert post_login(client, "leader_a", PASSWORD, address="10.1.2.3").status_code == 302


def test_an_address_trying_many_usernames_is_stopped(client, world):
    policy = SecurityPolicy.objects.get_or_create(pk=1)[0]
    assert policy.address_failed_logins == 20
    for n in range(20):
        post_login(client, f"guess{n}", "Password123!", address="198.51.100.7")
    # Each guessed username failed once, far below five; the address as a whole is stopped,
    # even for a real account with its right password, and says so.
    response = post_login(client, "clerk_a", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429 and "本地址登录失败次数过多" in response.content.decode()
    assert login_journal("auth.lockout").get().data["by"] == "address"
    # Someone else, elsewhere, logs in as usual.
    assert post_login(client, "clerk_a", PASSWORD, address="10.9.9.9").status_code == 302


def test_a_good_login_clears_only_its_own_count_not_the_addresses(client, world):
    for n in range(19):
        post_login(client, f"guess{n}", "Password123!", address="198.51.100.7")
    assert post_login(client, "clerk_a", PASSWORD, address="198.51.100.7").status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "guess19", "Password123!", address="198.51.100.7")
    assert post_login(client, "leader_a", PASSWORD, address="198.51.100.7").status_code == 429


def test_the_numbers_are_the_security_administrators(client, world):
    actions.update_policy(None, max_failed_logins=3, lockout_minutes=10)
    for _ in range(3):
        post_login(client, "leader_a", "wrong")
    assert post_login(client, "leader_a", PASSWORD).status_code == 429
    # The lock-out ends after the policy's ten minutes.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11))
    assert post_login(client, "leader_a", PASSWORD).status_code == 302


def test_the_security_administrator_can_unlock_and_it_is_journaled(client, world):
    for _ in range(5):
        post_login(client, "leader_a", "wrong")
    actions.unlock_user(world.leader_b, "leader_a")
    assert post_login(client, "leader_a", PASSWORD).status_code == 302
    entry = login_journal("auth.unlock").get()
    assert entry.actor == world.leader_b and entry.data["username"] == "leader_a"


def test_a_typed_username_cannot_forge_a_line_in_the_journal(client, world):
    post_login(client, "zhang\n2026-01-01 admin 登录成功", "wrong")
    entry = login_journal("auth.failure").get()
    assert "\n" not in entry.summary and "\\n" in entry.summary


def test_an_idle_session_is_logged_out(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.leader_a)
    assert client.get(reverse("workbench:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - 31 * 60
    session.save()
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused_with_the_rule_named(world):
    with pytest.raises(Rejected) as error:
        actions.create_staff(None, username="weak.user", full_name="弱密码", password="abcdefghij")
    assert "至少三类" in error.value.message


def test_production_hashes_passwords_with_argon2():
    assert project_settings.PASSWORD_HASHERS[-1].endswith("Argon2PasswordHasher")
    from zhenjie import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert identify_hasher(make_password("x", hasher="argon2")).algorithm == "argon2"


def test_the_next_parameter_cannot_send_people_off_site(client, world):
    response = client.post(reverse("accounts:login") + "?next=https://evil.example/", {"username": "leader_a", "password": PASSWORD})
    assert response["Location"] == reverse("workbench:home")
