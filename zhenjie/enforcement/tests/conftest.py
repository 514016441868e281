"""Fixtures every enforcement test file shares: the two townships' enforcement world, a case under
investigation, the server's clock set by hand, and the API client signed in as officers."""

import pytest
from django.utils import timezone

from zhenjie.enforcement.testing import at, make_enforcement_case, make_enforcement_world
from zhenjie.enforcement.workflow import State
from zhenjie.testing import Api


@pytest.fixture
def ew():
    return make_enforcement_world()


@pytest.fixture
def case(ew):
    return make_enforcement_case(ew, state=State.INVESTIGATING)


@pytest.fixture
def clock(monkeypatch):
    """Sets the server's clock: clock(2026, 9, 30, 10)."""

    def set_to(*parts):
        moment = at(*parts)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def api(client, ew):
    # Tokens issued on the real clock: one issued at a test's moment would expire when it moves on.
    api = Api(client)
    api.as_("officer_b1")
    return api.as_("officer_a1")
