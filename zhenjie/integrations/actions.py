"""Changes the county administrator makes to how outside systems connect: keys issued and
revoked, alarm types mapped to categories, what the public Open311 feed shows. Each is journaled
on the county-wide rules chain."""

from django.db import transaction
from django.utils import timezone

from zhenjie.events.models import Category
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.scoping import administered_county

from .models import AlarmMapping, IntegrationKey, KeyChannel, Open311Policy

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


POSITION_DECIMALS = (2, 4)  # about 1 km to about 10 m; finer would point at a house


@transaction.atomic
def update_open311_policy(actor, *, withheld_categories, position_decimals: int, publish_text: bool) -> Open311Policy:
    """What the county's public Open311 feed shows (issue 12, item 8; PIPL Art. 6 minimum
    necessary): which categories never appear, how far positions are rounded, whether the citizen's
    own words (description, street address) and a refusal's reason are published."""
    county = administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    low, high = POSITION_DECIMALS
    if isinstance(position_decimals, bool) or not isinstance(position_decimals, int) or not low <= position_decimals <= high:
        raise Rejected("integration.decimals_invalid", f"坐标保留小数位须在{low}至{high}位之间", field="position_decimals")
    categories = list(withheld_categories)
    if any(not isinstance(c, Category) for c in categories):
        raise Rejected("integration.category_invalid", "请选择事件类别", field="withheld_categories")
    policy, _ = Open311Policy.objects.select_for_update().get_or_create(county=county)
    before = {"withheld": sorted(policy.withheld_categories.values_list("code", flat=True)) if policy.pk else [],
              "position_decimals": policy.position_decimals, "publish_text": policy.publish_text}
    policy.position_decimals, policy.publish_text = position_decimals, bool(publish_text)
    policy.save()
    policy.withheld_categories.set(categories)
    after = {"withheld": sorted(c.code for c in categories), "position_decimals": position_decimals, "publish_text": bool(publish_text)}
    journal.record(actor=actor, verb="settings.open311", summary="修改 Open311 公开设置", data={"before": before, "after": after})
    return policy
