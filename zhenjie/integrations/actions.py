"""Changes the county administrator makes to how outside systems connect: keys issued and
revoked, alarm types mapped to categories. Each is journaled on the county-wide rules chain."""

from django.db import transaction
from django.utils import timezone

from zhenjie.events.models import Category
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.scoping import administered_county

from .models import AlarmMapping, IntegrationKey, KeyChannel

NAME_MAX = 64
ALARM_TYPE_MAX = 40


NOT_COUNTY_ADMIN = ("integration.not_county_admin", "只有县级管理员可以管理外部接入")


@transaction.atomic
def issue_key(actor, name: str, channel: str) -> tuple[IntegrationKey, str]:
    """A new key for `channel` in the actor's county. The key is returned once and never stored."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    name = (name or "").strip()
    if not name:
        raise Rejected("integration.name_required", "请填写接入系统名称", field="name")
    if len(name) > NAME_MAX:
        raise Rejected("integration.name_too_long", f"名称不能超过{NAME_MAX}字", field="name")
    if channel not in KeyChannel.values:
        raise Rejected("integration.channel_invalid", "请选择渠道", field="channel")
    raw = IntegrationKey.new_key()
    key = IntegrationKey.objects.create(name=name, channel=channel, county=county, prefix=raw[:10],
                                        digest=IntegrationKey.digest_of(raw), created_by=actor)
    journal.record(actor=actor, verb="integration_key_issue", subject=f"integration_key:{key.pk}",
                   summary=f"新建接入密钥：{name}（{key.get_channel_display()}）", data={"channel": channel, "prefix": key.prefix})
    return key, raw


@transaction.atomic
def revoke_key(actor, key: IntegrationKey) -> IntegrationKey:
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    if key.county_id != county.pk:
        raise Forbidden("integration.other_county", "不能停用其他县的密钥")
    if not IntegrationKey.objects.filter(pk=key.pk, is_active=True).update(is_active=False, revoked_at=timezone.now(), revoked_by=actor):
        raise Conflict("integration.key_revoked", "该密钥已停用")
    journal.record(actor=actor, verb="integration_key_revoke", subject=f"integration_key:{key.pk}",
                   summary=f"停用接入密钥：{key.name}", data={"prefix": key.prefix})
    key.refresh_from_db()
    return key


@transaction.atomic
def map_alarm_type(actor, alarm_type: str, category: Category | None) -> AlarmMapping:
    """Say which category a video-alarm type means in the actor's county (replacing any earlier)."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    alarm_type = (alarm_type or "").strip()
    if not alarm_type:
        raise Rejected("integration.alarm_type_required", "请填写告警类型", field="alarm_type")
    if len(alarm_type) > ALARM_TYPE_MAX:
        raise Rejected("integration.alarm_type_too_long", f"告警类型不能超过{ALARM_TYPE_MAX}字", field="alarm_type")
    if category is None or not category.is_active:
        raise Rejected("integration.category_unknown", "事件类别不存在或已停用", field="category")
    mapping, _ = AlarmMapping.objects.update_or_create(county=county, alarm_type=alarm_type, defaults={"category": category})
    journal.record(actor=actor, verb="alarm_mapping_set", subject=f"alarm_mapping:{mapping.pk}",
                   summary=f"视频告警「{alarm_type}」对应{category.name}", data={"category": category.code})
    return mapping


@transaction.atomic
def unmap_alarm_type(actor, mapping: AlarmMapping) -> None:
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    if mapping.county_id != county.pk:
        raise Forbidden("integration.other_county", "不能修改其他县的设置")
    journal.record(actor=actor, verb="alarm_mapping_remove", subject=f"alarm_mapping:{mapping.pk}",
                   summary=f"删除视频告警「{mapping.alarm_type}」的对应")
    mapping.delete()
