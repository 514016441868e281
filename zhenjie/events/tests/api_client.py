"""A small API client for tests: bearer tokens issued directly, JSON or multipart bodies."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from zhenjie.accounts.models import ApiToken, User


def png(colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class Api:
    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def as_(self, username: str) -> "Api":
        if username not in self.tokens:
            _, self.tokens[username] = ApiToken.issue(User.objects.get(username=username), timedelta(hours=1))
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}
        return self

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path, body=None):
        return self.client.post(path, body if body is not None else {}, content_type="application/json", **self.headers)

    def post_form(self, path, data):
        """multipart/form-data, as a phone sends photos."""
        return self.client.post(path, data, **self.headers)


@pytest.fixture
def api(client, world):
    return Api(client)
