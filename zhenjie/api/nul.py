"""Requests carrying a NUL character (U+0000) are refused before any view sees them.

PostgreSQL text cannot hold NUL: a filter or a field containing one would fail in the database
with a 500 instead of telling the sender what is wrong (found by the schema fuzzer on /api/events).
Django's forms refuse NUL field by field; query strings, API form fields and JSON bodies are
checked here once for every view. File contents are not looked at (they are bytes, not text)."""

import json

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "请求中含有不允许的空字符(NUL)，请检查输入"


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            if request.path.startswith(("/api/", "/open311/")):
                return JsonResponse({"code": "request.nul_character", "message": MESSAGE, "fields": {}}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if _has_nul(request.GET):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            try:
                return _has_nul(request.POST)
            except Exception:  # a malformed body: the view's own parsing answers it
                return False
        if content_type.endswith("json"):
            try:
                body = request.body
            except Exception:
                return False
            return b"\x00" in body or (b"\\u0000" in body and _text_has_nul(_loads(body)))
        return False


def _text_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_text_has_nul(k) or _text_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_text_has_nul(item) for item in value)
    return False


def _loads(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
