"""Webhooks for outside systems (Django Ninja, under /api/integrations/): one 12345 work order,
one video alarm. Authenticated by the county's integration key in the X-Api-Key header, never by
a person's token; the key decides the county and the channel."""

from datetime import datetime

from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.security import APIKeyHeader

from zhenjie.api.schemas import ERRORS
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_of
from zhenjie.events.intake import ADDRESS_MAX, DESCRIPTION_MAX, Photo
from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Rejected

from . import receive
from .auth import IntegrationActor, key_for
from .models import KeyChannel

router = Router(tags=["外部接入(12345热线、视频告警)"])

# base64 grows a file by a third: room for a 10 MB snapshot.
SNAPSHOT_BASE64_MAX = 14 * 1024 * 1024


class IntegrationKeyHeader(APIKeyHeader):
    """The county's integration key for one channel (县级管理员在「外部接入」中创建)."""

    param_name = "X-Api-Key"

    def __init__(self, channel: str):
        self.channel = channel
        super().__init__()

    def authenticate(self, request, key):
        if not key:
            return None
        return IntegrationActor(key_for(key, self.channel))


class ReceivedOut(Schema):
    event_id: int = Field(description="事件ID")
    number: str = Field(description="事件编号")
    state: str
    township: str = Field(description="所在乡镇(街道)，事件进入其指挥中心待受理")
    duplicate: bool = Field(description="true 表示该编号此前已接收，未重复建件")


def _received(result: receive.Received):
    case = result.event.case
    township = case.area if case.area.level == Area.Level.TOWNSHIP else township_of(case.area)
    body = {"event_id": case.pk, "number": case.number, "state": case.state, "township": township.name, "duplicate": result.duplicate}
    return Status(200 if result.duplicate else 201, body)


class HotlineOrderIn(Schema):
    order_id: str = Field(min_length=1, max_length=64, description="工单编号")
    called_at: datetime = Field(description="来电时间(带时区，如 2026-11-23T09:30:00+08:00)")
    content: str = Field(min_length=1, max_length=DESCRIPTION_MAX, description="诉求内容")
    category: str = Field(min_length=1, max_length=40, description="事件类别的名称或代码")
    township: str = Field(min_length=1, max_length=64, description="所属镇街的名称或区划代码")
    village: str = Field("", max_length=64, description="所属村社区的名称或区划代码")
    address: str = Field("", max_length=ADDRESS_MAX, description="事发地址")
    caller_name: str = Field("", max_length=32, description="诉求人")
    caller_phone: str = Field("", max_length=20, description="联系电话(只保存脱敏号码)")
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


@router.post("/integrations/hotline/orders", auth=IntegrationKeyHeader(KeyChannel.HOTLINE),
             response={200: ReceivedOut, 201: ReceivedOut, **ERRORS}, summary="12345热线推送一张工单")
def hotline_order(request, payload: HotlineOrderIn):
    """新建返回201；同一工单编号重复推送返回200和此前建立的事件(duplicate=true)，不重复建件。"""
    return _received(receive.receive_hotline_order(request.auth, receive.HotlineOrder(**payload.dict())))


class VideoAlarmFields(Schema):
    alarm_id: str = Field(min_length=1, max_length=64, description="告警编号")
    camera_id: str = Field(min_length=1, max_length=64, description="摄像头编号")
    camera_name: str = Field("", max_length=64)
    alarm_type: str = Field(min_length=1, max_length=40, description="告警类型(按县级设置对应事件类别，或直接填类别代码/名称)")
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    occurred_at: datetime = Field(description="告警时间(带时区)")
    description: str = Field("", max_length=1000)


class VideoAlarmIn(VideoAlarmFields):
    snapshot_base64: str = Field("", max_length=SNAPSHOT_BASE64_MAX, description="抓拍图片(base64，JPG/PNG，不超过10 MB)")
    snapshot_name: str = Field("", max_length=200)


def _alarm(fields: VideoAlarmFields, snapshot: Photo | None, snapshot_field: str) -> receive.VideoAlarm:
    values = fields.dict(include=set(VideoAlarmFields.model_fields))
    return receive.VideoAlarm(**values, snapshot=snapshot, snapshot_field=snapshot_field)


@router.post("/integrations/video/alarms", auth=IntegrationKeyHeader(KeyChannel.VIDEO),
             response={200: ReceivedOut, 201: ReceivedOut, **ERRORS}, summary="视频告警推送(JSON，抓拍图片为base64)")
def video_alarm(request, payload: VideoAlarmIn):
    snapshot = receive.snapshot_from_base64(payload.snapshot_base64, payload.snapshot_name)
    return _received(receive.receive_video_alarm(request.auth, _alarm(payload, snapshot, "snapshot_base64")))


@router.post("/integrations/video/alarms/upload", auth=IntegrationKeyHeader(KeyChannel.VIDEO),
             response={200: ReceivedOut, 201: ReceivedOut, **ERRORS}, summary="视频告警推送(multipart，抓拍图片为文件)")
def video_alarm_upload(request, payload: Form[VideoAlarmFields], snapshot: File[UploadedFile] = None):
    photo = None
    if snapshot is not None:
        limit = attachments.max_bytes("photo")
        if snapshot.size is not None and snapshot.size > limit:
            raise Rejected("file.too_large", f"抓拍图片过大，上限为 {limit // 1048576} MB", field="snapshot")
        photo = Photo(name=(snapshot.name or "snapshot.jpg")[:200], content=snapshot.read())
    return _received(receive.receive_video_alarm(request.auth, _alarm(payload, photo, "snapshot")))
