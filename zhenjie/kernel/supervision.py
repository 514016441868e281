"""Supervision (督办): deadlines watched for every kind of case.

The sweep (a Huey periodic job, kernel/jobs.py) turns an open case yellow when its deadline is
within the county's warning period and red when it has passed; the people holding its open
assignments are told at each change, and for red the township's leaders once — a case stays red
without telling them again on every sweep. A leader can also card a case by hand; the notice
(督办单) is then issued as a numbered document of the leader's unit (kernel/DOCUMENTS.md)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import ancestor_paths, county_path

from . import deadlines, documents, journal
from .errors import ActionError, Conflict, Forbidden, Rejected
from .models import Assignment, Case, SupervisionPolicy
from .notify import notify_users, people_to_act
from .scoping import administered_county, unscoped
from .workflow import Standing

DEFAULT_POLICY = SupervisionPolicy(yellow_hours=24, notify_leader_on_red=True, call_acknowledge_hours=2)
# What a county may choose (field: lowest, highest, the refusal). 督办: the documents set no number;
# at least an hour's warning, at most a month's. 乡呼县应: seed 003 三(二) asks departments to
# respond within a limit but names none; 1–72 hours is the range the events' county settings
# checked when the value was theirs (until events 0015), kept as it was.
POLICY_LIMITS = {
    "yellow_hours": (1, 720, "黄牌提前量须在1至720小时之间"),
    "call_acknowledge_hours": (1, 72, "乡呼县应响应时限须在1至72小时之间"),
}
LEVELS = {"": "正常", "yellow": "黄牌", "red": "红牌"}
NOTICE_LEVELS = (("yellow", "黄牌督办"), ("red", "红牌督办"))
NOTICE_MAX = 500
NOTICE_ROLES = frozenset({RoleCode.TOWNSHIP_LEADER, RoleCode.COUNTY_ADMIN})


def _notice_values(case: Case) -> dict[str, str]:
    units = list(
        Assignment.objects.filter(case=case, state=Assignment.State.OPEN).order_by("pk").values_list("unit__name", flat=True).distinct()
    )
    handlers = "、".join(dict.fromkeys(units)) or (case.owner_unit.name if case.owner_unit_id else "相关单位")
    due = timezone.localtime(case.due_at) if case.due_at else None
    return {
        "handlers": handlers,
        "due": f"{due.year}年{due.month}月{due.day}日{due:%H:%M}" if due else "未设定",
        "state": case.state_label,
    }


# 督办单: seed 004 §三 names 督查考核 among the command platform's duties and seed 002 the
# 登记督办销号 of petitions; neither prescribes wording, so the default below is a plain one the
# county may rewrite.
SUPERVISION_NOTICE = documents.register_kind(
    documents.DocumentKind(
        code="supervision_notice",
        label="督办单",
        number_series="supervision_notice",
        number_prefix=lambda case, unit: f"{unit.area.name[:2]}督",
        roles=NOTICE_ROLES,
        forbidden_message="只有该辖区的领导可以督办",
        number_rule="按督办领导所在单位、年度连续编号，如 柳湾督〔2026〕第3号",
        fields=(
            documents.DocField("level", "督办级别", supplied=True, max_length=4, sample="红牌"),
            documents.DocField("requirement", "督办要求", supplied=True, max_length=NOTICE_MAX, sample="请于今日下班前反馈办理进展。"),
            documents.DocField("handlers", "承办单位", sample="××镇社会治理办公室"),
            documents.DocField("due", "办理期限", sample="2026年1月8日17:00"),
            documents.DocField("state", "办理状态", sample="处置中"),
        ),
        values=_notice_values,
        default_title="督办单",
        default_body=(
            "{handlers}：\n"
            "\u3000\u3000{case_title}（编号：{case_number}，所属区划：{area}）目前为「{state}」，办理期限为{due}。"
            "现对该事项予以{level}督办。\n"
            "\u3000\u3000督办要求：{requirement}\n"
            "\u3000\u3000请接到本督办单后抓紧办理，并按要求及时反馈办理结果。"
        ),
    )
)


def policy_for(area: Area) -> SupervisionPolicy:
    """The settings of the county containing `area` (a county, or any place in it)."""
    return policy_at(area.path)


def policy_at(path: str) -> SupervisionPolicy:
    """The settings of the county containing the place at `path`."""
    return SupervisionPolicy.objects.filter(county__path=county_path(path)).first() or DEFAULT_POLICY


def call_acknowledge_due(area: Area, start: datetime) -> datetime:
    """When a 乡呼县应 call made at `start` on a case in `area` must be responded to: the county's
    `call_acknowledge_hours` after it, counted on the clock or — where the county sets
    `call_working_hours` — in office hours of working days (deadlines.add_working_hours)."""
    policy = policy_for(area)
    if policy.call_working_hours:
        return deadlines.add_working_hours(start, policy.call_acknowledge_hours)[0]
    return start + timedelta(hours=policy.call_acknowledge_hours)


@transaction.atomic
def update_policy(actor, yellow_hours: int, notify_leader_on_red: bool, call_acknowledge_hours: int, call_working_hours: bool = False) -> SupervisionPolicy:
    """The county administrator sets the warning period, whether red tells the leaders and the
    response time of a call to a county department (on the clock or in working hours), for their
    own county (journaled)."""
    county = administered_county(actor, refuse=("settings.not_allowed", "只有县级管理员可以修改设置"))
    after = {"yellow_hours": yellow_hours, "notify_leader_on_red": bool(notify_leader_on_red), "call_acknowledge_hours": call_acknowledge_hours}
    if not isinstance(call_working_hours, bool):
        raise Rejected("settings.invalid", "乡呼县应响应时限是否按工作时间计须为是或否", field="call_working_hours")
    after["call_working_hours"] = call_working_hours
    for field, (low, high, message) in POLICY_LIMITS.items():
        value = after[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Rejected("settings.invalid", message, field=field)
    policy, _ = SupervisionPolicy.objects.select_for_update().get_or_create(county=county)
    before = {field: getattr(policy, field) for field in after}
    for field, value in after.items():
        setattr(policy, field, value)
    policy.save()
    journal.record(actor=actor, verb="settings.supervision", summary="修改督办设置", data={"before": before, "after": after})
    return policy


def leaders_of(case: Case):
    """Township (or county) leaders whose jurisdiction contains the case."""
    from zhenjie.accounts.models import User

    prefixes = ancestor_paths(case.area.path)
    return list(
        User.objects.filter(
            posts__is_active=True, posts__roles__code=RoleCode.TOWNSHIP_LEADER, posts__jurisdiction__path__in=prefixes
        ).distinct()
    )


def _handlers(case: Case):
    people = []
    for assignment in Assignment.objects.filter(case=case, state=Assignment.State.OPEN).select_related("unit", "user"):
        people.extend(people_to_act(assignment.unit, assignment.role, assignment.user))
    return people


def _set_alert(case: Case, level: str, now: datetime, reason: str, policy: SupervisionPolicy) -> bool:
    """Move one case to `level` if it is still where the sweep found it; notify; journal."""
    changed = Case.objects.filter(pk=case.pk, alert=case.alert, closed_at__isnull=True).update(
        alert=level, alert_since=now if level else None, alert_leader_notified=case.alert_leader_notified if level == "red" else False
    )
    if not changed:
        return False
    previous, case.alert = case.alert, level
    title = f"【{LEVELS[level]}督办】{case.title}" if level else f"督办解除：{case.title}"
    notify_users(_handlers(case), title, reason, case)
    if level == "red" and policy.notify_leader_on_red and not case.alert_leader_notified:
        notify_users(leaders_of(case), title, reason, case)
        Case.objects.filter(pk=case.pk).update(alert_leader_notified=True)
        case.alert_leader_notified = True
    journal.record(actor=None, verb="supervise", case=case, summary=f"{LEVELS[previous]}→{LEVELS[level]}", note=reason, from_state=case.state, to_state=case.state)
    return True


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass over every open, running deadline; returns how many cases changed level."""
    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "cleared": 0}
    for county in Area.objects.filter(level=Area.Level.COUNTY):
        policy = policy_for(county)
        warn_until = now + timedelta(hours=policy.yellow_hours)
        running = unscoped(Case, why="the sweep watches every running deadline of every county").filter(
            closed_at__isnull=True, paused_at__isnull=True, due_at__isnull=False, area__path__startswith=county.path
        ).select_related("area")
        candidates = running.filter(
            Q(due_at__lt=now) & ~Q(alert="red")
            | Q(due_at__gte=now, due_at__lt=warn_until, alert="")
            | Q(due_at__gte=warn_until, alert="yellow")
            | Q(due_at__gte=now, alert="red")  # the deadline was extended past now
        )
        for case in candidates.order_by("pk").iterator(chunk_size=500):
            if case.due_at < now:
                level, reason = "red", f"已超过办理期限（{timezone.localtime(case.due_at):%m-%d %H:%M}）"
            elif case.due_at < warn_until:
                level, reason = "yellow", f"将于 {timezone.localtime(case.due_at):%m-%d %H:%M} 到期"
            else:
                level, reason = "", "期限已延长"
            if level == case.alert:
                continue
            with transaction.atomic():
                if _set_alert(case, level, now, reason, policy):
                    counts[level or "cleared"] += 1
    return counts


def may_issue_notice(standing) -> ActionError | None:
    """Who may card a case by hand, and when: a leader of its township (or the county
    administrator) while it is open. A workflow declares it as a "may" rule (`notice`)."""
    if not standing.holds(NOTICE_ROLES):
        return Forbidden("supervision.not_allowed", "只有该辖区的领导可以督办")
    if standing.case.closed_at is not None:
        return Conflict("supervision.closed", "该事项已办结，无需督办")
    return None


@transaction.atomic
def issue_notice(leader, case: Case, level: str, text: str) -> Case:
    """A leader cards a case by hand (督办单): its handlers are told, and the card stays on it."""
    if problem := may_issue_notice(Standing(leader, case)):
        raise problem
    if level not in dict(NOTICE_LEVELS):
        raise Rejected("supervision.level_invalid", "请选择黄牌或红牌", field="level")
    text = (text or "").strip()
    if not text or len(text) > NOTICE_MAX:
        raise Rejected("supervision.text_invalid", f"请填写督办要求(不超过{NOTICE_MAX}字)", field="text")
    # The document first: rendering takes a moment, and the journal entries below hold the
    # township's chain until commit.
    try:
        notice = documents.issue_document(leader, case, SUPERVISION_NOTICE.code, extra={"level": LEVELS[level], "requirement": text})
    except Rejected as error:
        if error.field == "requirement":  # the page's field for it is "text"
            raise Rejected(error.code, error.message, field="text") from None
        raise
    if level == "red" or case.alert != "red":  # a hand-issued yellow card never softens a red one
        Case.objects.filter(pk=case.pk).update(alert=level, alert_since=timezone.now())
        case.alert = level
    notify_users(_handlers(case), f"【{LEVELS[level]}督办】{case.title}", f"{text}（督办单 {notice.number}）", case)
    journal.record(
        actor=leader, verb="supervise_notice", case=case, summary=f"领导{LEVELS[level]}督办", note=text,
        from_state=case.state, to_state=case.state, data={"number": notice.number},
    )
    return case
