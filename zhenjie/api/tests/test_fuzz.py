"""Schema-driven fuzzing: whatever schemathesis sends to any operation of /api/openapi.json, the
answer is never a server error, its status is one the schema declares, and its body matches."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from ninja.responses import NinjaJSONEncoder
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from zhenjie.accounts.models import ApiToken
from zhenjie.api.core import api

# The schema is read from the API object itself: /api/openapi.json is for logged-in staff only.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, so Django's request signals would close the test's
    database connection mid-transaction once CONN_MAX_AGE passes; the test client avoids that
    the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    from datetime import timedelta

    _, token = ApiToken.issue(world.leader_a, timedelta(hours=1))
    from zhenjie.testing import make_task

    make_task(world)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_the_api_fail(case, bearer):
    if case.path == "/api/auth/revoke":
        # Revoking would end this test's own session of requests; it has its own test.
        return
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, status_code_conformance, response_schema_conformance])
