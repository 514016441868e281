import pytest
from django.conf import settings as project_settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts import actions
from zhenjie.accounts.models import LoginFailure
from zhenjie.kernel.errors import Rejected
from zhenjie.testing import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_good_login_lands_on_the_workbench(client, world):
    response = post_login(client, "leader_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")


def test_a_wrong_password_says_so_in_chinese_and_counts(client, world):
    response = post_login(client, "leader_a", "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert LoginFailure.objects.filter(username="leader_a").count() == 1


def test_five_failures_lock_the_account_for_web_and_api_alike(client, world):
    for _ in range(4):
        post_login(client, "leader_a", "wrong")
    response = post_login(client, "leader_a", "wrong")
    assert "账号已锁定" in response.content.decode()
    # The right password does not help while locked, on the page or through the API.
    assert "账号已锁定" in post_login(client, "leader_a", PASSWORD).content.decode()
    api = client.post("/api/auth/token", {"username": "leader_a", "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "auth.locked"


def test_the_security_administrator_can_unlock(client, world):
    for _ in range(5):
        post_login(client, "leader_a", "wrong")
    actions.unlock_user(None, "leader_a")
    assert post_login(client, "leader_a", PASSWORD).status_code == 302


def test_failures_spread_beyond_the_window_do_not_lock(client, world):
    for minutes in (40, 35, 30, 25):
        LoginFailure.objects.create(username="leader_a", at=timezone.now() - timezone.timedelta(minutes=minutes))
    post_login(client, "leader_a", "wrong")
    assert post_login(client, "leader_a", PASSWORD).status_code == 302


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
