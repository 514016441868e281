import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from zhenjie.testing import PASSWORD, make_grid_world


@pytest.fixture
def gw(db):
    """Two townships; in 甲镇 two grids with a lead worker each, in 乙镇 one."""
    return make_grid_world()


def png_bytes(color="red", size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content[:800]
    return len(queries)


@pytest.fixture
def api(client):
    """The phone's view of the API: bearer tokens per user, like the grid worker's app."""

    class Api:
        def __init__(self):
            self.tokens = {}
            self.headers = {}

        def as_(self, username):
            if username not in self.tokens:
                response = client.post("/api/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json")
                assert response.status_code == 200, response.content
                self.tokens[username] = response.json()["token"]
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}
            return self

        def get(self, path, **params):
            return client.get(path, params, **self.headers)

        def post(self, path, body=None):
            return client.post(path, body or {}, content_type="application/json", **self.headers)

        def post_form(self, path, data):
            return client.post(path, data, **self.headers)

    return Api()
