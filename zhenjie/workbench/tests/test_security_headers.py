"""Every response carries the Content-Security-Policy and the other security headers (issue 12,
item 2; ASVS 3.4; 等保 8.1.4.4), and no template needs the policy loosened: no inline script, no
on…="" handler, no style="" attribute, no <style> element."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhenjie.testing import make_event, make_task

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def assert_protected(response, path: str) -> None:
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"], path
    assert policy["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["style-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"], path
    assert policy["form-action"] == ["'self'"], path
    assert not any("http" in source for sources in policy.values() for source in sources), path  # no outside host
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"], path


def plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the site that takes no parameter (a page, a JSON feed, an export …)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if "<" in route or "(" in route or "[" in route or "\\" in route:
            continue
        if isinstance(entry, URLResolver):
            found += plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


def test_every_page_without_parameters_carries_the_policy_and_headers_for_staff_and_for_anyone(client, world):
    make_task(world)
    make_event(world)
    paths = [p for p in plain_paths() if "logout" not in p]
    assert len(paths) > 40  # the walk really reaches the site
    for path in paths:
        assert_protected(client.get(path), f"anonymous {path}")
    client.force_login(world.leader_a)
    for path in paths:
        assert_protected(client.get(path), f"leader {path}")


def test_downloads_api_answers_errors_redirects_and_static_files_carry_them_too(client, world):
    task = make_task(world)
    client.force_login(world.leader_a)
    responses = {
        "xlsx": client.get(reverse("tasks:list"), {"format": "xlsx"}),
        "api": client.get("/api/tasks"),
        "api 404": client.get("/api/tasks/999999999"),
        "page 404": client.get(reverse("tasks:detail", args=[999999999])),
        "detail": client.get(reverse("tasks:detail", args=[task.case_id])),
        "open311": client.get("/open311/v2/requests.json"),
        "static": client.get("/static/zhenjie/app.js"),
    }
    client.logout()
    responses["redirect to login"] = client.get(reverse("workbench:home"))
    assert responses["xlsx"]["Content-Type"].startswith("application/vnd.openxmlformats")
    assert responses["redirect to login"].status_code == 302 and responses["page 404"].status_code == 404
    for name, response in responses.items():
        assert_protected(response, name)


def templates() -> list[Path]:
    return [path for path in ROOT.rglob("templates/**/*.html")]


@pytest.mark.parametrize("rule, pattern", [
    ("inline <script>", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)),
    ("on…= handler", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)),
    ("style= attribute", re.compile(r"<[^>]*\sstyle\s*=", re.I)),
    ("<style> element", re.compile(r"<style[\s>]", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
])
def test_no_template_needs_unsafe_inline(rule, pattern):
    found = [f"{path.relative_to(ROOT)}" for path in templates() if pattern.search(path.read_text(encoding="utf-8"))]
    assert len(templates()) > 50 and found == [], f"{rule} in {found}"
