"""The API's documentation and schema only for logged-in staff (issue 12, item 8): they map every
endpoint, which is of use to whoever probes the platform. And the Swagger page works under the
Content-Security-Policy."""

import pytest

from zhenjie.accounts.models import User
from zhenjie.testing import PASSWORD

pytestmark = pytest.mark.django_db

DOCS = ("/api/docs", "/api/openapi.json")


def test_anonymous_visitors_are_sent_to_log_in_and_see_no_endpoint(client, world):
    for path in DOCS:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
        assert b"/api/events" not in response.content


def test_a_citizen_account_is_refused(client, world):
    citizen = User.objects.create_user("citizen_zhang", password=PASSWORD, kind=User.Kind.CITIZEN)
    client.force_login(citizen)
    for path in DOCS:
        assert client.get(path).status_code == 403


def test_staff_read_the_schema_and_the_swagger_page(client, world):
    client.force_login(world.clerk_a)
    assert "/api/tasks" in client.get("/api/openapi.json").json()["paths"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_swagger_page_draws_under_the_content_security_policy(chromium, live_server, world):
    context = chromium.new_context(locale="zh-CN")
    context.add_init_script("window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) {"
                            " window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')); });")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/api/docs")
    page.fill("#id_username", "clerk_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert page.evaluate("window.__violations") == []
    context.close()
