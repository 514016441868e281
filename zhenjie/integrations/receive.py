"""Events pushed by outside systems one at a time: a 12345 work order, a video alarm. Each is
turned into a Report and taken in through events.intake.report_event, into the county of the
key that sent it; the place decides the township, and so whose queue it lands in."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.areas.locate import locate
from zhenjie.areas.models import Area
from zhenjie.events.intake import Photo, Report, report_event
from zhenjie.events.models import Category, Channel, Event
from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.intake import NumberTaken
from zhenjie.kernel.scoping import unscoped

from .auth import IntegrationActor
from .models import AlarmMapping
from .places import Places


@dataclass(frozen=True)
class Received:
    event: Event
    duplicate: bool


def category_named(text: str) -> Category | None:
    """A category by its code or its name (outside systems use either)."""
    text = (text or "").strip()
    return (Category.objects.filter(is_active=True, code=text).first()
            or Category.objects.filter(is_active=True, name=text).order_by("sort_order", "code").first())


# Clocks of outside systems drift a little; a time further ahead than this is a wrong time.
CLOCK_SKEW = timedelta(minutes=10)


def _check_time(moment: datetime, field: str) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment.year < 2000 or moment > timezone.now() + CLOCK_SKEW:
        raise Rejected("integration.time_invalid", "时间不正确(早于2000年或晚于当前时间)", field=field)
    return moment


def _earlier(actor: IntegrationActor, channel: str, external_id: str) -> Event | None:
    """The event this outside id already made. Senders retry; a repeat must not make a second
    event, and answers with the first — unless that one is another county's."""
    earlier = unscoped(Event, why="the sender's own earlier order, by its number").filter(case__channel=channel, case__external_id=external_id).select_related("case", "case__area").first()
    if earlier is not None and not earlier.case.area.path.startswith(actor.key.county.path):
        raise Conflict("integration.external_id_taken", "该编号已被其他县的事件使用", field="external_id")
    return earlier


def _take_in(actor: IntegrationActor, report: Report) -> Received:
    """report_event, and if a push of the same id won the race between our check and our insert,
    answer with the event that won. The race ends either way: intake's own check finds the other
    push's committed case (and refuses the number as taken), or both passed it and the
    database's unique index stops the second."""
    try:
        with transaction.atomic():
            return Received(report_event(actor, report, county=actor.key.county), duplicate=False)
    except (IntegrityError, NumberTaken):
        earlier = _earlier(actor, report.channel, report.external_id)
        if earlier is None:
            raise
        return Received(earlier, duplicate=True)


@dataclass
class HotlineOrder:
    order_id: str
    called_at: datetime
    content: str
    category: str
    township: str
    village: str = ""
    address: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    lng: float | None = None
    lat: float | None = None


def receive_hotline_order(actor: IntegrationActor, order: HotlineOrder) -> Received:
    order_id = order.order_id.strip()
    if not order_id:
        raise Rejected("hotline.order_id_required", "请提供工单编号", field="order_id")
    if (earlier := _earlier(actor, Channel.HOTLINE, order_id)) is not None:
        return Received(earlier, duplicate=True)
    called_at = _check_time(order.called_at, "called_at")
    county = actor.key.county
    places = Places(county)
    township = places.township(order.township)
    if township is None:
        raise Rejected("hotline.township_unknown", f"{county.name}没有乡镇(街道)「{order.township.strip()[:64]}」", field="township")
    area: Area = township
    if order.village.strip():
        area = places.village(township, order.village)
        if area is None:
            raise Rejected("hotline.village_unknown", f"{township.name}没有村(社区)「{order.village.strip()[:64]}」", field="village")
    if (order.lng is None) != (order.lat is None):
        raise Rejected("event.position_invalid", "经度和纬度须同时填写", field="lng")
    if order.lng is not None and locate(order.lng, order.lat, area) is None:
        raise Rejected("event.position_outside", f"经纬度不在{area.name}范围内", field="lng")
    return _take_in(actor, Report(
        channel=Channel.HOTLINE, category=category_named(order.category), description=order.content,
        lng=order.lng, lat=order.lat, address=order.address, area=None if order.lng is not None else area,
        reporter_name=order.caller_name, reporter_phone=order.caller_phone, external_id=order_id, reported_at=called_at,
    ))


@dataclass
class VideoAlarm:
    alarm_id: str
    camera_id: str
    alarm_type: str
    lng: float
    lat: float
    occurred_at: datetime
    camera_name: str = ""
    description: str = ""
    snapshot: Photo | None = None
    snapshot_field: str = "snapshot"


def snapshot_from_base64(data: str, name: str = "") -> Photo | None:
    """The snapshot a JSON alarm carries as base64 (a "data:image/jpeg;base64," prefix allowed)."""
    data = (data or "").strip()
    if not data:
        return None
    if data.startswith("data:") and "," in data:
        data = data.split(",", 1)[1]
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected("video.snapshot_invalid", "抓拍图片不是有效的 base64 编码", field="snapshot_base64") from None
    return Photo(name=(name or "snapshot.jpg").strip()[:200] or "snapshot.jpg", content=content)


def category_for_alarm(county: Area, alarm_type: str) -> Category:
    """The county's mapping for this alarm type, else a category of that code or name."""
    mapping = AlarmMapping.objects.filter(county=county, alarm_type=alarm_type.strip()).select_related("category").first()
    category = mapping.category if mapping else category_named(alarm_type)
    if category is None or not category.is_active:
        raise Rejected("video.alarm_type_unknown",
                       f"告警类型「{alarm_type.strip()[:40]}」没有对应的事件类别，请县级管理员在「外部接入」中设置", field="alarm_type")
    return category


def receive_video_alarm(actor: IntegrationActor, alarm: VideoAlarm) -> Received:
    alarm_id = alarm.alarm_id.strip()
    if not alarm_id:
        raise Rejected("video.alarm_id_required", "请提供告警编号", field="alarm_id")
    if (earlier := _earlier(actor, Channel.VIDEO, alarm_id)) is not None:
        return Received(earlier, duplicate=True)
    occurred_at = _check_time(alarm.occurred_at, "occurred_at")
    category = category_for_alarm(actor.key.county, alarm.alarm_type)
    if alarm.snapshot is not None:
        attachments.check_file(alarm.snapshot.content, alarm.snapshot.name, "photo", field=alarm.snapshot_field)
    camera = alarm.camera_name.strip() or alarm.camera_id.strip()
    description = f"视频告警：{alarm.alarm_type.strip()}（摄像头 {camera}）"
    if alarm.description.strip():
        description += f"。{alarm.description.strip()}"
    return _take_in(actor, Report(
        channel=Channel.VIDEO, category=category, description=description, lng=alarm.lng, lat=alarm.lat,
        address=f"摄像头 {camera}"[:200], photos=[alarm.snapshot] if alarm.snapshot else [], external_id=alarm_id,
        reported_at=occurred_at,
    ))
