"""What people do with 每月一题: a township leader adopts one of the month's proposals (names the
lead unit, the plan and its milestones), the lead unit reports progress each month and marks
milestones done, and the leader closes the topic. Each is one transaction, journaled on the
township's chain (the topic is not a case)."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel import inputs, journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.notify import notify_users, people_to_act
from zhenjie.kernel.scoping import reach_of
from zhenjie.units.models import Unit

from . import proposals
from .models import Milestone, Progress, Topic

TITLE_MAX, PLAN_MAX, TEXT_MAX, MILESTONE_MAX, NOTE_MAX = 100, 5000, 2000, 200, 500
MILESTONES_MAX = 12
HORIZON = timedelta(days=366)  # a month's topic is planned within the year


def leads(actor, township: Area) -> bool:
    return R.TOWNSHIP_LEADER in reach_of(actor).roles_in(township)


def _text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    return inputs.text(value, field=field, label=label, max_length=limit, required=required, code="topic")


def _check_lead_unit(township: Area, unit: Unit | None) -> None:
    """A unit of the township (its offices, centres, stationed units, village committees), or a
    department of its county."""
    if unit is None:
        raise Rejected("topic.lead_unit_required", "请选择牵头单位", field="lead_unit")
    in_township = unit.area.path.startswith(township.path)
    county_department = unit.kind == Unit.Kind.DEPARTMENT and unit.area.path == county_path(township.path)
    if not (in_township or county_department) or unit.kind == Unit.Kind.COUNTY_LEADERSHIP or not unit.is_active:
        raise Rejected("topic.lead_unit_outside", "牵头单位须为本乡镇(街道)的单位或县直部门", field="lead_unit")


def _milestones(items, today: date) -> list[tuple[date, str]]:
    if not isinstance(items, list | tuple) or not items:
        raise Rejected("topic.milestones_required", "请至少填写一个工作节点", field="milestones")
    if len(items) > MILESTONES_MAX:
        raise Rejected("topic.too_many_milestones", f"工作节点最多{MILESTONES_MAX}个", field="milestones")
    cleaned = []
    for number, item in enumerate(items, 1):
        due_on, text = item if isinstance(item, list | tuple) and len(item) == 2 else (None, None)
        if not isinstance(due_on, date):
            raise Rejected("topic.milestone_date", f"第{number}个工作节点的日期不正确", field="milestones")
        if not today <= due_on <= today + HORIZON:
            raise Rejected("topic.milestone_date", f"第{number}个工作节点的日期须在今天到一年之内", field="milestones")
        cleaned.append((due_on, _text(text, "milestones", f"第{number}个工作节点的内容", MILESTONE_MAX)))
    return sorted(cleaned)


@transaction.atomic
def adopt(actor, township: Area, month: date, key: str, *, title: str, lead_unit: Unit | None, plan: str, milestones, is_public: bool = True) -> Topic:
    """A leader of the township makes one proposal of `month` its topic: one per township and
    month. The complaints behind it stay linked to it."""
    if not leads(actor, township):
        raise Forbidden("topic.not_allowed", "只有本乡镇(街道)的领导可以确定每月一题")
    proposal = proposals.proposal_by_key(township, month, key or "")
    if proposal is None:
        raise Rejected("topic.proposal_unknown", "该建议题目已不在本月建议中，请刷新后重新选择", field="key")
    title = _text(title or proposal.title, "title", "题目", TITLE_MAX)
    plan = _text(plan, "plan", "工作方案", PLAN_MAX)
    _check_lead_unit(township, lead_unit)
    steps = _milestones(milestones, timezone.localdate())
    try:
        with transaction.atomic():
            topic = Topic.objects.create(
                township=township, month=month, category=proposal.category, title=title, complaint_count=proposal.count,
                lead_unit=lead_unit, plan=plan, is_public=bool(is_public), adopted_by=actor,
            )
    except IntegrityError:
        raise Conflict("topic.month_taken", f"{township.name}{month.year}年{month.month}月的每月一题已确定") from None
    topic.places.set(proposal.places)
    Milestone.objects.bulk_create(Milestone(topic=topic, due_on=due_on, text=text) for due_on, text in steps)
    behind = proposals.complaints(township, month, proposals.add_months(month, 1)).filter(category=proposal.category, case__area__in=proposal.places)
    topic.events.add(*behind.values_list("pk", flat=True))
    journal.record(
        actor=actor, verb="topic_adopt", subject=f"topic:{topic.pk}", chain=township.path,
        summary=f"确定每月一题：{title}", note=plan[:500],
        data={"topic": topic.pk, "month": month.isoformat(), "category": proposal.category.pk, "places": [place.pk for place in proposal.places],
              "lead_unit": lead_unit.pk, "complaints": proposal.count},
    )
    notify_users(people_to_act(lead_unit), f"【每月一题】{title}", f"{township.name}确定由贵单位牵头，请按工作方案推进并每月报告进展。", kind="new_work")
    return topic


def may_report(actor, topic: Topic) -> bool:
    return topic.lead_unit_id in reach_of(actor).unit_ids or leads(actor, topic.township)


@transaction.atomic
def report_progress(actor, topic: Topic, text: str, month: date | None = None) -> Progress:
    """The lead unit (or a leader of the township) reports the month's progress, once a month."""
    if not may_report(actor, topic):
        raise Forbidden("topic.progress_not_allowed", "只有牵头单位或本乡镇(街道)领导可以报告进展")
    if topic.state != Topic.State.ACTIVE:
        raise Conflict("topic.finished", "该题目已完成，不再报告进展")
    text = _text(text, "text", "进展情况", TEXT_MAX)
    month = month or proposals.month_start(timezone.localdate())
    try:
        with transaction.atomic():
            progress = Progress.objects.create(topic=topic, month=month, text=text, reported_by=actor)
    except IntegrityError:
        raise Conflict("topic.progress_reported", f"{month.year}年{month.month}月的进展已报告") from None
    journal.record(actor=actor, verb="topic_progress", subject=f"topic:{topic.pk}", chain=topic.township.path,
                   summary=f"报告每月一题进展：{topic.title}", note=text[:500], data={"topic": topic.pk, "month": month.isoformat()})
    return progress


@transaction.atomic
def complete_milestone(actor, milestone: Milestone, note: str = "") -> Milestone:
    topic = milestone.topic
    if not may_report(actor, topic):
        raise Forbidden("topic.progress_not_allowed", "只有牵头单位或本乡镇(街道)领导可以报告进展")
    note = _text(note, "note", "完成说明", NOTE_MAX, required=False)
    now = timezone.now()
    if not Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(done_at=now, done_by=actor, note=note):
        raise Conflict("topic.milestone_done", "该工作节点已完成")
    milestone.done_at, milestone.done_by, milestone.note = now, actor, note
    journal.record(actor=actor, verb="topic_milestone", subject=f"topic:{topic.pk}", chain=topic.township.path,
                   summary=f"完成工作节点：{milestone.text}", note=note, data={"topic": topic.pk, "milestone": milestone.pk})
    return milestone


@transaction.atomic
def finish(actor, topic: Topic, summary: str) -> Topic:
    """A leader of the township closes the topic with what was achieved."""
    if not leads(actor, topic.township):
        raise Forbidden("topic.not_allowed", "只有本乡镇(街道)的领导可以确认完成")
    summary = _text(summary, "summary", "完成情况", TEXT_MAX)
    now = timezone.now()
    if not Topic.objects.filter(pk=topic.pk, state=Topic.State.ACTIVE).update(state=Topic.State.DONE, finished_at=now, summary=summary):
        raise Conflict("topic.finished", "该题目已完成")
    topic.state, topic.finished_at, topic.summary = Topic.State.DONE, now, summary
    journal.record(actor=actor, verb="topic_finish", subject=f"topic:{topic.pk}", chain=topic.township.path,
                   summary=f"每月一题完成：{topic.title}", note=summary[:500], data={"topic": topic.pk})
    return topic


def remind_progress(today: date | None = None) -> int:
    """On the first of a month: the lead units of active topics that reported nothing for the
    month just ended are told to. Returns how many topics were reminded."""
    today = today or timezone.localdate()
    ended = proposals.add_months(proposals.month_start(today), -1)
    waiting = Topic.objects.filter(state=Topic.State.ACTIVE, month__lt=proposals.month_start(today)).exclude(progress__month=ended).select_related("lead_unit")
    count = 0
    for topic in waiting.iterator(chunk_size=200):
        notify_users(people_to_act(topic.lead_unit), f"【每月一题】请报告{ended.month}月进展：{topic.title}", "每月一题须每月报告推进情况。", kind="supervision")
        count += 1
    return count
