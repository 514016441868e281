"""The API fuzz (api/tests/test_fuzz.py) on the window's operations alone, as a person with work
in them — township A's window clerk, with an application and an agent point there — so the
fuzzer's ids sometimes hit a real record: never a server error, always a declared status."""

import pytest
from hypothesis import HealthCheck, settings

from zhenjie.accounts.models import ApiToken
from zhenjie.api.tests.test_fuzz import _keep_the_test_connection, schema  # noqa: F401  (the fixture is used by name)

WINDOW = schema.include(path_regex=r"^/api/(applications|window/|agent-points)")


@pytest.fixture
def window_bearer(db):
    from datetime import timedelta

    from zhenjie.window.testing import make_application, make_point, make_window_world
    from zhenjie.window.workflow import State

    ww = make_window_world()
    make_point(ww)
    make_application(ww, state=State.REVIEWING)
    make_application(ww, at_agent_point=True)
    _, token = ApiToken.issue(ww.clerk_a, timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@WINDOW.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_a_window_endpoint_fail(case, window_bearer):
    from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

    case.call_and_validate(headers=window_bearer, checks=[not_a_server_error, status_code_conformance, response_schema_conformance])
