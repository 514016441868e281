"""The Open311 GeoReport v2 endpoint at /open311/v2/ (see open311.py for the spec's rules).

GET methods need no key (spec: "Requires API Key: No"); POST requests needs the county's Open311
integration key, which also decides the county the request is filed into. An empty parameter is
treated exactly like an absent one (spec, conventions)."""

from datetime import datetime, time, timedelta

from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from zhenjie.areas.models import Area
from zhenjie.events.intake import ADDRESS_MAX, Report, command_unit_for, report_event
from zhenjie.events.models import Category, Channel
from zhenjie.kernel import tracking
from zhenjie.kernel.errors import ActionError, Forbidden, NotFound, Unauthenticated

from . import open311
from .auth import IntegrationActor, key_for
from .models import KeyChannel
from .open311 import Open311Error
from .places import Places

NAME_MAX = 32
PHONE_MAX = 20
MEDIA_URL_MAX = 500
FORMAT = r"\.(?P<fmt>json|xml)$"


def _param(data, name: str) -> str:
    return (data.get(name) or "").strip()


def open311_view(methods: tuple[str, ...]):
    """Run the view for the allowed methods; any Open311Error becomes the spec's error body."""

    def decorate(view):
        @csrf_exempt
        def wrapped(request, *args, fmt: str = "xml", **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(400, f"不支持 {request.method} 请求")
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return open311.respond_error(fmt, error.status, error.description)

        wrapped.__name__ = view.__name__
        return wrapped

    return decorate


def _jurisdiction(data) -> Area | None:
    """jurisdiction_id is needed only where one endpoint serves several jurisdictions; ours takes
    the county's division code (12 or 6 digits) and 404s an unknown one."""
    value = _param(data, "jurisdiction_id")
    if not value:
        return None
    county = Area.objects.filter(level=Area.Level.COUNTY, code=value).first() or Area.objects.filter(level=Area.Level.COUNTY, path=value).first()
    if county is None:
        raise Open311Error(404, f"jurisdiction_id「{value[:40]}」不存在")
    return county


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).select_related("parent").first()
    if category is None:
        raise Open311Error(404, f"service_code「{code[:40]}」不存在")
    return category


# ---- discovery and services -------------------------------------------------------------------


@open311_view(("GET", "HEAD"))
def discovery(request, fmt):
    root = request.build_absolute_uri("/open311/v2/")
    body = {
        "changeset": open311.CHANGESET,
        "contact": "接入咨询请联系本县县级管理员(编办)",
        "key_service": "提交事件所需的 api_key 由县级管理员在平台「外部接入」页面创建",
        "endpoints": [
            {
                "specification": open311.SPECIFICATION,
                "url": root,
                "changeset": open311.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return open311.respond(fmt, body, "discovery", None)


@open311_view(("GET", "HEAD"))
def services(request, fmt):
    _jurisdiction(request.GET)
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "code")
    return open311.respond(fmt, [open311.service(c) for c in rows], "services", "service")


@open311_view(("GET", "HEAD"))
def service_definition(request, code, fmt):
    _jurisdiction(request.GET)
    category = _category(code)
    return open311.respond(fmt, open311.service_definition(category), "service_definition", None)


# ---- requests ---------------------------------------------------------------------------------


@open311_view(("GET", "HEAD", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


def _moment(value: str, name: str) -> datetime | None:
    if not value:
        return None
    # A "+08:00" offset sent unencoded in a query string arrives as " 08:00".
    text = value.replace(" ", "+") if "T" in value else value
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name} 不是有效的日期时间(如 2026-11-01T00:00:00+08:00)")
    if not 2000 <= moment.year <= 2099:
        raise Open311Error(400, f"{name} 须在2000年至2099年之间")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _list(request, fmt):
    data = request.GET
    county = _jurisdiction(data)
    chosen = open311.publications()
    rows = open311.published_requests(chosen)
    if county is not None:
        rows = rows.filter(case__area__path__startswith=county.path)
    ids = _param(data, "service_request_id")
    if ids:
        # The id list overrides every other argument (spec, GET Service Requests).
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if len(wanted) > open311.LIMIT or not all(part.isdigit() and len(part) <= 18 for part in wanted):
            raise Open311Error(400, "service_request_id 须为以逗号分隔的数字编号(最多1000个)")
        rows = rows.filter(case_id__in=[int(part) for part in wanted])
    else:
        codes = [part.strip() for part in _param(data, "service_code").split(",") if part.strip()]
        if codes:
            rows = rows.filter(category__code__in=codes[:100])
        start, end = _moment(_param(data, "start_date"), "start_date"), _moment(_param(data, "end_date"), "end_date")
        window = timedelta(days=open311.WINDOW_DAYS)
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - window
        if end is None:
            end = start + window
        if start > end:
            raise Open311Error(400, "start_date 不能晚于 end_date")
        if end - start > window:
            raise Open311Error(400, f"start_date 至 end_date 不能超过{open311.WINDOW_DAYS}天")
        rows = rows.filter(reported_at__gte=start, reported_at__lte=end)
        statuses = {part.strip() for part in _param(data, "status").split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed")
        if statuses == {"open"}:
            rows = rows.exclude(case__state__in=open311.CLOSED_STATES)
        elif statuses == {"closed"}:
            rows = rows.filter(case__state__in=open311.CLOSED_STATES)
    records = open311.public_records(rows[: open311.LIMIT], chosen)
    return open311.respond(fmt, records, "service_requests", "request")


@open311_view(("GET", "HEAD"))
def request_detail(request, request_id, fmt):
    county = _jurisdiction(request.GET)
    chosen = open311.publications()
    rows = open311.published_requests(chosen)
    if county is not None:
        rows = rows.filter(case__area__path__startswith=county.path)
    event = rows.filter(case_id=int(request_id)).first() if request_id.isdigit() and len(request_id) <= 18 else None
    if event is None:
        raise Open311Error(404, f"service_request_id「{request_id[:40]}」不存在")
    return open311.respond(fmt, open311.public_records([event], chosen), "service_requests", "request")


def _create(request, fmt):
    data = request.POST
    try:
        key = key_for(_param(data, "api_key"), KeyChannel.OPEN311)
    except (Unauthenticated, Forbidden):
        raise Open311Error(403, "api_key 无效或缺失，不能提交") from None
    county = key.county
    named = _jurisdiction(data)
    if named is not None and named.pk != county.pk:
        raise Open311Error(403, "该 api_key 不能向此 jurisdiction_id 提交")
    code = _param(data, "service_code")
    if not code:
        raise Open311Error(400, "缺少 service_code")
    category = _category(code)

    lat, lng, address = _param(data, "lat"), _param(data, "long"), _param(data, "address_string")
    position = None
    if lat or lng:
        try:
            position = (float(lng), float(lat))
        except ValueError:
            raise Open311Error(400, "lat 和 long 须同时提供，且为数字(WGS84)") from None
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            raise Open311Error(400, "lat 或 long 超出范围")
    if len(address) > ADDRESS_MAX:
        raise Open311Error(400, f"address_string 不能超过{ADDRESS_MAX}字")
    area = None
    if position is None:
        if not address:
            # One location is required: lat + long, or address_string, or address_id (spec, POST).
            hint = "本平台不使用 address_id，" if _param(data, "address_id") else ""
            raise Open311Error(400, f"缺少位置：{hint}请提供 lat 和 long，或 address_string")
        area = Places(county).from_address(address)
        if area is None:
            raise Open311Error(400, "无法从 address_string 确定所在乡镇(街道)，请写明乡镇(街道)或村(社区)名称，或提供 lat 和 long")

    description = _param(data, "description")
    if len(description) > open311.DESCRIPTION_MAX:
        raise Open311Error(400, f"description 不能超过{open311.DESCRIPTION_MAX}字")
    media_url = _param(data, "media_url")
    if media_url:
        if len(media_url) > MEDIA_URL_MAX or not media_url.startswith(("http://", "https://")):
            raise Open311Error(400, "media_url 须为 http(s) 地址，且不超过500字符")
        description = f"{description}\n图片链接：{media_url}".strip()
    first, last = _param(data, "first_name"), _param(data, "last_name")
    # Chinese names read family name first and unspaced; Latin ones "given family".
    name = f"{first} {last}".strip() if (first + last).isascii() else f"{last}{first}"
    phone = _param(data, "phone")
    if len(name) > NAME_MAX or len(phone) > PHONE_MAX:
        raise Open311Error(400, "姓名或电话过长")

    actor = IntegrationActor(key)
    try:
        event = report_event(actor, Report(
            channel=Channel.OPEN311, category=category, description=description or f"{category.name}（上报时未填写描述）",
            lng=position[0] if position else None, lat=position[1] if position else None, address=address, area=area,
            reporter_name=name, reporter_phone=phone,
        ), county=county)
    except ActionError as error:
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, (Forbidden, Unauthenticated)) else 400
        raise Open311Error(status, error.message) from None
    command = command_unit_for(event.case.area)
    # The reporter follows and rates on the citizen portal by the number and a code shown once,
    # as an online report does (issue 14 item 3); only the code's digest is kept.
    code = tracking.issue_code(event.case)
    notice = (f"已转{command.name}受理；{open311.service_notice(category)}；事件编号 {event.case.number}，查询码 {code}"
              f"（凭编号和查询码可在 {reverse('events_public:track')} 查询办理进度，办结后评价）")
    return open311.respond(fmt, [{"service_request_id": str(event.case_id), "service_notice": notice, "account_id": None}],
                           "service_requests", "request")


@open311_view(("GET", "HEAD", "POST"))
def unknown(request, path, fmt):
    raise Open311Error(404, "没有这个资源")


urlpatterns = [
    re_path(r"^discovery" + FORMAT, discovery, name="open311_discovery"),
    re_path(r"^services" + FORMAT, services, name="open311_services"),
    re_path(r"^services/(?P<code>[^/]{1,100})" + FORMAT, service_definition, name="open311_service"),
    re_path(r"^requests" + FORMAT, requests, name="open311_requests"),
    re_path(r"^requests/(?P<request_id>[^/]{1,100})" + FORMAT, request_detail, name="open311_request"),
    re_path(r"^(?P<path>.*?)(?:\.(?P<fmt>json|xml))?$", unknown),
]
