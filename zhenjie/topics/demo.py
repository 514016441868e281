"""每月一题 in the demo county: 柳湾镇's leader makes last month's most frequent complaint the
month's topic, through the same action a leader uses, and its lead unit reports once. Skipped when
the demo has no events or the topic exists (the demo runs twice unchanged)."""

from datetime import timedelta

from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.areas.models import Area
from zhenjie.demo import county as plan
from zhenjie.units.models import Unit

from . import actions, proposals
from .models import Topic

TOWNSHIP = "柳湾镇"


def build_topics(progress) -> None:
    township = Area.objects.filter(level=Area.Level.TOWNSHIP, name=TOWNSHIP, code__startswith=plan.COUNTY_CODE).first()
    leader = User.objects.filter(username="liuwan.leader").first()
    if township is None or leader is None:
        return
    month = proposals.last_month()
    if Topic.objects.filter(township=township, month=month).exists():
        progress.step("每月一题", 1).finish("已存在，跳过")
        return
    found = proposals.propose(township, month, shown=1)
    lead_unit = Unit.objects.filter(area=township, name__endswith="社会治理办公室").first()
    if not found or lead_unit is None:
        return
    today = timezone.localdate()
    topic = actions.adopt(
        leader, township, month, found[0].key, title=found[0].title, lead_unit=lead_unit,
        plan="一、摸清问题点位和成因；二、牵头单位会同相关村(社区)和县直部门制定整治措施；三、建立长效管护机制，每月公开进展。",
        milestones=[(today + timedelta(days=7), "完成点位排查，形成问题清单"), (today + timedelta(days=30), "集中整治完成"),
                    (today + timedelta(days=90), "建立长效管护机制")],
    )
    reporter = User.objects.filter(posts__unit=lead_unit, posts__is_active=True).first() or leader
    actions.report_progress(reporter, topic, "已组织相关村(社区)开展排查，梳理问题点位，整治方案正在征求意见。")
    progress.step("每月一题", 1).finish(topic.title)
