"""The JSON API (Django Ninja) under /api/: token login, bearer auth, and one error shape.

Every error is {code, message, fields} with a Chinese message: 400 bad input, 401 not logged in,
403 not allowed, 404 missing or outside the jurisdiction, 409 conflict. Endpoints live in each
app's api.py and call the same queries and actions as the pages."""

from datetime import datetime
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from zhenjie.accounts.gate import require_settled
from zhenjie.accounts.models import ApiToken
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.prepared import Prepared


def _token_in_force(digest: str, now: datetime):
    return ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now)[:1]


_TOKEN_IN_FORCE = Prepared(_token_in_force, digest=str, now=datetime)  # every API request asks (kernel.prepared)


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        row = _TOKEN_IN_FORCE.first(digest=ApiToken.digest_of(token), now=timezone.now())
        if row is None or not row.user.is_active:
            return None
        require_settled(row.user)  # an initial or expired password is changed first
        request.user = row.user
        request.api_token = row
        return row.user


class SessionCookieAuth(APIKeyCookie):
    """The logged-in browser session (pages calling the API); CSRF-checked for writes."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        require_settled(request.user, request)
        return request.user


def staff_only_docs(view):
    """The API's documentation and OpenAPI schema for logged-in staff only (issue 12, item 8;
    ASVS 13.4 "no documentation of the attack surface to anyone"): a map of every endpoint is of use
    to whoever probes the platform. Anonymous visitors are sent to log in; citizens get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_active or user.kind != user.Kind.STAFF:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class ZhenjieAPI(NinjaAPI):
    """The schema is built once per process and path prefix: Ninja walks every router and model
    on each call (about a second here, more with every endpoint added), and the schema cannot
    change while the process runs — a staff member reloading /api/docs should not cost a second
    of a worker's time."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        key = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            cache[key] = super().get_openapi_schema(path_prefix=key)
        return cache[key]


api = ZhenjieAPI(
    title="镇街综合治理平台 API",
    version="1.0",
    description="乡镇(街道)综合治理平台接口。先用 POST /api/auth/token 取得令牌，再以 `Authorization: Bearer <令牌>` 访问。"
    "错误统一返回 {code, message, fields}。",
    urls_namespace="api",
    auth=[BearerAuth(), SessionCookieAuth()],
    docs_decorator=staff_only_docs,
)

# Pydantic error types → what a person should be told.
_MESSAGES = {
    "missing": "必填",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "too_long": "条目过多",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为文本",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "timezone_aware": "须带时区，如 2026-11-23T09:30:00+08:00",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "须为 JSON 对象",
    "dict_type": "须为 JSON 对象",
    "list_type": "须为列表",
    "value_error": "取值不正确",
}


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(ActionError)
def _action_error(request, error: ActionError):
    return error_response(request, error.status, error.code, error.message, error.fields)


@api.exception_handler(ValidationError)
def _validation_error(request, error: ValidationError):
    fields = {}
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "payload", "form", "file")]
        name = ".".join(location) or "body"
        fields.setdefault(name, _MESSAGES.get(item.get("type", ""), "格式不正确"))
    summary = "；".join(f"{name}：{message}" for name, message in list(fields.items())[:5])
    return error_response(request, 400, "invalid", f"输入有误（{summary}）", fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return error_response(request, 401, "auth.required", "请先登录，或提供有效的令牌")


@api.exception_handler(AuthorizationError)
def _forbidden(request, error):
    return error_response(request, 403, "auth.forbidden", "您没有权限执行此操作")


@api.exception_handler(Http404)
def _not_found(request, error):
    return error_response(request, 404, "not_found", "记录不存在或不在您的辖区内")


@api.exception_handler(MultiPartParserError)
def _broken_upload(request, error):
    return error_response(request, 400, "upload.malformed", "上传的表单数据不完整或格式不正确，请重新上传")


@api.exception_handler(RawPostDataException)
def _form_where_json_is_expected(request, error):
    # A form body sent to an endpoint that reads JSON: the NUL check has parsed the form already,
    # so the body cannot be read again. The sender's mistake, not the server's (issue 12 item 6).
    return error_response(request, 400, "request.json_expected", "该接口须以 JSON 格式提交(Content-Type: application/json)")


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    messages = {400: "请求格式不正确", 401: "请先登录，或提供有效的令牌", 403: "您没有权限执行此操作", 405: "不支持该请求方法", 429: "请求过于频繁，请稍后再试"}
    return error_response(request, error.status_code, "http.error", messages.get(error.status_code, str(error)))
