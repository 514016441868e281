"""Deployment (issue 12, item 8; security reference §43): Django's deployment check prints no
warning with the production settings docs/DEPLOYMENT.md documents, and can fail; the HTTPS
redirect, HSTS and the proxy header behave as those settings say."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parents[3]


def documented_production_settings() -> dict[str, str]:
    """The ```env block of docs/DEPLOYMENT.md, its two secret placeholders filled in."""
    text = (BASE_DIR / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    block = re.search(r"## Production settings.*?```env\n(.*?)```", text, re.S).group(1)
    values = dict(line.split("=", 1) for line in block.splitlines() if line.strip() and not line.startswith("#"))
    assert values["SECRET_KEY"].startswith("<") and values["FIELD_ENCRYPTION_KEY"].startswith("<")
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    values["FIELD_ENCRYPTION_KEY"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return values


# Each check is a process of its own that reads settings and never the database (`check` without
# --database): the checks run once, on the SQLite pass of the suite, as the bundle's test does.
once = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="does not depend on the suite's database: run on the SQLite pass")


def check_deploy(tmp_path, **overrides) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "DJANGO_"))}  # (the test run allows async-unsafe ORM calls)
    env |= documented_production_settings() | overrides
    env |= {"ZHENJIE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "zhenjie.settings"}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


@once
def test_check_deploy_prints_no_warning_with_the_documented_production_settings(tmp_path):
    result = check_deploy(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "System check identified no issues" in output


@once
@pytest.mark.parametrize("change, warning", [
    ({"DEBUG": "1"}, "security.W018"),
    ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
    ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ({"SECURE_COOKIES": "0"}, "security.W012"),
])
def test_check_deploy_fails_when_one_of_them_is_missing(tmp_path, change, warning):
    result = check_deploy(tmp_path, **change)
    assert result.returncode != 0 and warning in result.stdout + result.stderr


PRODUCTION = {
    "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"), "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_and_https_through_the_proxy_gets_hsts(client):
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301 and redirected["Location"] == "https://testserver/accounts/login/"
    served = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert served.status_code == 200
    assert served["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.get("/healthz").status_code == 200  # the load balancer's check stays on plain HTTP


def test_the_proxy_header_setting_reads_the_header_and_the_value_meaning_https(monkeypatch):
    from zhenjie import settings

    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
    assert settings._proxy_ssl_header() == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "HTTP_X_SCHEME, HTTPS")
    assert settings._proxy_ssl_header() == ("HTTP_X_SCHEME", "HTTPS")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "")
    assert settings._proxy_ssl_header() is None
