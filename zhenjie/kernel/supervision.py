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
from .assignments import note_sent_outside
from .errors import ActionError, Conflict, Forbidden, NotFound, Rejected
from .models import Assignment, Case, DeadlineUnit, Document, NoticeAnswer, SupervisionPolicy
from .notify import NotificationKind, notify_users, people_to_act
from .scoping import administered_county, reach_of, unscoped
from .workflow import _REGISTRY, KERNEL_TODOS, LONGTEXT, Input, Standing

DEFAULT_POLICY = SupervisionPolicy(yellow_hours=24, notify_leader_on_red=True, call_acknowledge_hours=2, office_after_days=2, notice_answer_days=1)
# What a county may choose (field: lowest, highest, the refusal). 督办: the documents set no number;
# at least an hour's warning, at most a month's. 乡呼县应: seed 003 三(二) asks departments to
# respond within a limit but names none; 1–72 hours is the range the events' county settings
# checked when the value was theirs (until events 0015), kept as it was.
POLICY_LIMITS = {
    "yellow_hours": (1, 720, "黄牌提前量须在1至720小时之间"),
    "call_acknowledge_hours": (1, 72, "乡呼县应响应时限须在1至72小时之间"),
    # The ladder's last rung and the 督办单's answer: the documents name no number either (seed
    # 004 §三 督查考核); two working days red before the county's office hears, one to answer a
    # notice, are the platform's defaults.
    "office_after_days": (1, 30, "报县督查室的红牌天数须在1至30个工作日之间"),
    "notice_answer_days": (1, 10, "督办单反馈时限须在1至10个工作日之间"),
}
_KEEP = object()  # update_policy: a setting the caller leaves as it is
LEVELS = {"": "正常", "yellow": "黄牌", "red": "红牌"}
NOTICE_LEVELS = (("yellow", "黄牌督办"), ("red", "红牌督办"))
NOTICE_MAX = 500
NOTICE_ROLES = frozenset({RoleCode.TOWNSHIP_LEADER, RoleCode.COUNTY_ADMIN})
ANSWER_NOTICE = "answer_notice"  # the kernel's todo: a handler answers a 督办单 (KERNEL_TODOS)
ANSWER_MAX = 1000
ANSWER_INPUTS = (Input("text", "反馈内容", LONGTEXT, required=True, max_length=ANSWER_MAX),)
# The ladder's rungs: who has been told about one assignment (Assignment.alert_rung).
HOLDERS, LEADERS, OFFICE = 1, 2, 3
RUNGS = {0: "未通知", HOLDERS: "承办人", LEADERS: "承办人及领导", OFFICE: "县督查室"}


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
def update_policy(actor, yellow_hours: int, notify_leader_on_red: bool, call_acknowledge_hours: int, *,
                  call_working_hours=_KEEP, office=_KEEP, office_after_days=_KEEP, notice_answer_days=_KEEP) -> SupervisionPolicy:
    """The county administrator sets the warning period, whether red tells the leaders, the
    response time of a call to a county department or stationed unit (on the clock or in working
    hours) and the ladder (the county's supervision office, after how many working days red
    reaches it, how long a 督办单 waits for its answer), for their own county (journaled). A
    setting not given stays as it is."""
    county = administered_county(actor, refuse=("settings.not_allowed", "只有县级管理员可以修改设置"))
    policy, _ = SupervisionPolicy.objects.select_for_update().get_or_create(county=county)
    after = {"yellow_hours": yellow_hours, "notify_leader_on_red": bool(notify_leader_on_red), "call_acknowledge_hours": call_acknowledge_hours}
    for field, value in (("office_after_days", office_after_days), ("notice_answer_days", notice_answer_days)):
        after[field] = getattr(policy, field) if value is _KEEP else value
    if call_working_hours is not _KEEP:
        if not isinstance(call_working_hours, bool):
            raise Rejected("settings.invalid", "乡呼县应响应时限是否按工作时间计须为是或否", field="call_working_hours")
        after["call_working_hours"] = call_working_hours
    for field, (low, high, message) in POLICY_LIMITS.items():
        value = after[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Rejected("settings.invalid", message, field=field)
    if office is not _KEEP:
        # The office is one of the county's own units: another county's (or none of its) is refused.
        if office is not None and (not office.is_active or not office.area.path.startswith(county.path)):
            raise Rejected("settings.office_invalid", "督查室须为本县在用的机构", field="office")
        after["office"] = office
    before = {field: getattr(policy, field) for field in after}
    for field, value in after.items():
        setattr(policy, field, value)
    policy.save()
    named = {field: (value.name if field == "office" and value is not None else value) for field, value in after.items()}
    journal.record(actor=actor, verb="settings.supervision", summary="修改督办设置", data={
        "before": {field: (value.name if field == "office" and value is not None else value) for field, value in before.items()},
        "after": named,
    })
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
    notify_users(_handlers(case), title, reason, case, kind=NotificationKind.SUPERVISION)
    if level == "red" and policy.notify_leader_on_red and not case.alert_leader_notified:
        notify_users(leaders_of(case), title, reason, case, kind=NotificationKind.SUPERVISION)
        Case.objects.filter(pk=case.pk).update(alert_leader_notified=True)
        case.alert_leader_notified = True
    journal.record(actor=None, verb="supervise", case=case, summary=f"{LEVELS[previous]}→{LEVELS[level]}", note=reason, from_state=case.state, to_state=case.state)
    return True


def supervised_todos() -> set[str]:
    """Every todo some kind supervises by its own deadline, and the kernel's own."""
    return set(KERNEL_TODOS).union(*(workflow.supervised for workflow in _REGISTRY.values()))


def leaders_over(assignment: Assignment):
    """Who hears when a piece of work goes red besides its holders: the leaders whose
    jurisdiction contains the case or the holder's unit (for a township's unit, its township's
    leaders; for a county department, the county's), and anyone holding a leader's role in a
    post at the holder's unit itself — the unit model names no head, so a department's leaders
    are its posts with that role."""
    from zhenjie.accounts.models import User

    unit = assignment.unit
    prefixes = sorted(set(ancestor_paths(assignment.case.area.path)) | set(ancestor_paths(unit.area.path)))
    posts = Q(posts__jurisdiction__path__in=prefixes) | Q(posts__unit=unit)
    return list(User.objects.filter(posts, posts__is_active=True, posts__roles__code=RoleCode.TOWNSHIP_LEADER, is_active=True).distinct().order_by("pk"))


def office_staff(policy: SupervisionPolicy):
    return people_to_act(policy.office) if policy.office_id else []


def reaches_office_at(due_at: datetime, policy: SupervisionPolicy) -> datetime:
    """When red work reaches the supervision office: the end of the Nth working day after the
    day it fell due (N the county's setting; kernel.calendar through deadlines)."""
    return deadlines.due_after(due_at, deadlines.Limit(policy.office_after_days, DeadlineUnit.WORKING_DAYS))[0]


def _card_work(work: Assignment, level: str, rung: int, now: datetime, reason: str, policy: SupervisionPolicy) -> bool:
    """Move one assignment to `level` and `rung` if it is still where the sweep found it; tell
    each newly reached rung once; journal on the case's timeline."""
    changed = Assignment.objects.filter(pk=work.pk, state=Assignment.State.OPEN, alert=work.alert, alert_rung=work.alert_rung).update(
        alert=level, alert_rung=rung, alert_since=(work.alert_since if level == work.alert else now) if level else None
    )
    if not changed:
        return False
    case, workflow = work.case, _REGISTRY[work.case.kind]
    label = workflow.todo_label(work.todo)
    if rung > work.alert_rung:
        holders = people_to_act(work.unit, work.role, work.user)
        leaders = leaders_over(work) if policy.notify_leader_on_red and work.alert_rung < LEADERS <= rung else []
        if work.due_at == case.due_at:
            # Work on the case's own deadline: the case's card (above, same sweep) told its holders
            # and its township's leaders already; only those it did not reach hear it again.
            told = {user.pk for user in [*holders, *leaders_of(case)]}
            holders, leaders = [], [user for user in leaders if user.pk not in told]
        title = f"【{LEVELS[level]}督办】{label}：{case.title}"
        if work.alert_rung < HOLDERS <= rung and rung < LEADERS:
            notify_users(holders, title, reason, case, kind=NotificationKind.SUPERVISION)
        if work.alert_rung < LEADERS <= rung:
            notify_users([*holders, *leaders], title, reason, case, kind=NotificationKind.SUPERVISION)
        if work.alert_rung < OFFICE <= rung:
            notify_users(office_staff(policy), f"【报督查室】{label}：{case.title}", reason, case, kind=NotificationKind.SUPERVISION)
    summary = f"「{label}」{LEVELS[work.alert]}→{LEVELS[level]}"
    if rung == OFFICE and work.alert_rung < OFFICE:
        summary += "，已报县督查室"
    journal.record(
        actor=None, verb="supervise_work", case=case, summary=summary, note=reason, from_state=case.state, to_state=case.state,
        data={"assignment": work.pk, "todo": work.todo, "unit": work.unit.name, "level": level, "rung": rung},
    )
    work.alert, work.alert_rung = level, rung
    return True


SWEEP_CHUNK = 500


def _sweep_work(county: Area, policy: SupervisionPolicy, now: datetime, counts: dict[str, int]) -> None:
    """Every open, supervised assignment of the county whose card should change: read through the
    two partial indexes (uncarded by deadline; carded by card, rung and deadline), never the
    closed rows."""
    warn_until = now + timedelta(hours=policy.yellow_hours)
    wanted = Q(alert="", due_at__lt=warn_until) | Q(alert="yellow", due_at__lt=now) | Q(alert="yellow", due_at__gte=warn_until) | Q(alert="red", due_at__gte=now)
    if policy.office_id:
        # N working days are at least N days: the exact moment is checked below, row by row.
        wanted |= Q(alert="red", alert_rung__lt=OFFICE, due_at__lte=now - timedelta(days=policy.office_after_days))
    candidates = unscoped(Assignment, why="the sweep watches every open assignment's deadline in every county").filter(
        wanted, state=Assignment.State.OPEN, due_at__isnull=False, todo__in=sorted(supervised_todos()),
        # Not only on open cases: closing cancels the work then open, so open work on a closed case
        # is work given after it — a follow-up call (回访) after a 差评 or a sample — and is watched too.
        case__area__path__startswith=county.path, case__paused_at__isnull=True,
    ).select_related("case", "case__area", "unit", "unit__area", "user")
    for work in candidates.order_by("pk").iterator(chunk_size=SWEEP_CHUNK):
        workflow = _REGISTRY.get(work.case.kind)
        if workflow is None or not workflow.supervises(work.todo):
            continue
        due = timezone.localtime(work.due_at)
        if work.due_at < now:
            level, rung, reason = "red", max(work.alert_rung, LEADERS), f"已超过办理期限（{due:%m-%d %H:%M}）"
            if policy.office_id and rung < OFFICE and now >= reaches_office_at(work.due_at, policy):
                rung, reason = OFFICE, f"超过办理期限（{due:%m-%d %H:%M}）{policy.office_after_days}个工作日仍未办理"
        elif work.due_at < warn_until:
            level, rung, reason = "yellow", HOLDERS, f"将于 {due:%m-%d %H:%M} 到期"
        else:
            level, rung, reason = "", 0, "期限已延长"
        if (level, rung) == (work.alert, work.alert_rung):
            continue
        with transaction.atomic():
            if _card_work(work, level, rung, now, reason, policy):
                key = "office" if rung == OFFICE and level == "red" else f"work_{level or 'cleared'}"
                counts[key] += 1


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass over every open, running deadline: the cases' own, then every supervised
    assignment's. Returns how many cases and how many assignments changed level."""
    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "cleared": 0, "work_yellow": 0, "work_red": 0, "work_cleared": 0, "office": 0}
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
        _sweep_work(county, policy, now, counts)
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
    _owe_answer(case, notice)
    if level == "red" or case.alert != "red":  # a hand-issued yellow card never softens a red one
        Case.objects.filter(pk=case.pk).update(alert=level, alert_since=timezone.now())
        case.alert = level
    notify_users(_handlers(case), f"【{LEVELS[level]}督办】{case.title}", f"{text}（督办单 {notice.number}）", case, kind=NotificationKind.SUPERVISION)
    journal.record(
        actor=leader, verb="supervise_notice", case=case, summary=f"领导{LEVELS[level]}督办", note=text,
        from_state=case.state, to_state=case.state, data={"number": notice.number},
    )
    return case


# ---- 督办单 answered (反馈) ---------------------------------------------------------------------


def _owe_answer(case: Case, notice: Document) -> list[Assignment]:
    """The notice puts "answer the notice" in the inbox of whoever holds the case's open work (the
    owning unit when no work is open), due in the county's working days; the ladder watches it."""
    policy = policy_at(case.area.path)
    holders = {}
    for work in Assignment.objects.filter(case=case, state=Assignment.State.OPEN).exclude(todo=ANSWER_NOTICE).select_related("unit").order_by("pk"):
        holders.setdefault((work.unit_id, work.role, work.user_id), work)
    targets = [(work.unit, work.role, work.user) for work in holders.values()]
    if not targets and case.owner_unit_id:
        targets = [(case.owner_unit, "", None)]
    due, uncertain = deadlines.due_after(notice.issued_at, deadlines.Limit(policy.notice_answer_days, DeadlineUnit.WORKING_DAYS))
    owed = []
    for unit, role, user in targets:
        work = Assignment.objects.create(case=case, unit=unit, role=role, user=user, todo=ANSWER_NOTICE, due_at=due, due_uncertain=uncertain)
        note_sent_outside(assignment_id=work.pk)
        NoticeAnswer.objects.create(notice=notice, assignment=work)
        owed.append(work)
    return owed


def _owed_to(standing) -> list[Assignment]:
    """The open "answer the notice" work on the case addressed to the actor."""
    reach = standing.reach
    return [
        work for work in standing.open_work
        if work.todo == ANSWER_NOTICE and work.unit_id in reach.unit_ids
        and (work.user_id is None or work.user_id in reach.user_ids)
        and (not work.role or work.role in reach.roles_in_unit(work.unit_id))
    ]


def may_answer_notice(standing) -> ActionError | None:
    """Who answers a 督办单: whoever its "answer the notice" assignment is addressed to, while it
    is open. A workflow declares it as a "may" rule (`answer_notice`)."""
    if _owed_to(standing):
        return None
    if any(work.todo == ANSWER_NOTICE for work in standing.open_work):
        return Forbidden("supervision.answer_not_allowed", "督办单须由承办单位反馈")
    return Conflict("supervision.nothing_to_answer", "没有待反馈的督办单")


@transaction.atomic
def answer_notice(actor, case: Case, text: str) -> NoticeAnswer:
    """The handler answers the oldest 督办单 they owe on the case: the answer and its time are
    kept with the notice, the assignment is done, the leader who issued it is told, and the
    case's timeline records it."""
    if not isinstance(text, str) and text is not None:
        raise Rejected("supervision.answer_invalid", "反馈内容须为文本", field="text")
    text = (text or "").strip()
    if not text or len(text) > ANSWER_MAX:
        raise Rejected("supervision.answer_invalid", f"请填写反馈内容(不超过{ANSWER_MAX}字)", field="text")
    standing = Standing(actor, case)
    if problem := may_answer_notice(standing):
        raise problem
    work = _owed_to(standing)[0]
    now = timezone.now()
    if not Assignment.objects.filter(pk=work.pk, state=Assignment.State.OPEN).update(state=Assignment.State.DONE, done_at=now, done_by=actor):
        raise Conflict("supervision.answer_conflict", "该督办单刚被反馈，请刷新后查看")
    answer = NoticeAnswer.objects.select_related("notice").get(assignment=work)
    answer.text, answer.answered_at, answer.answered_by = text, now, actor
    answer.save(update_fields=["text", "answered_at", "answered_by"])
    notice = answer.notice
    if notice.issued_by_id:
        notify_users([notice.issued_by], f"督办单已反馈：{case.title}", f"{notice.number}：{text[:100]}", case, kind=NotificationKind.RESULT)
    journal.record(
        actor=actor, verb="notice_answer", case=case, summary=f"反馈督办单 {notice.number}", note=text,
        from_state=case.state, to_state=case.state, data={"number": notice.number, "assignment": work.pk},
    )
    return answer


def answers_of(case: Case) -> list[NoticeAnswer]:
    """The answers owed to and given on the case's notices, newest notice first (one query)."""
    return list(
        NoticeAnswer.objects.filter(notice__case=case).select_related("notice", "assignment__unit", "answered_by").order_by("-notice__issued_at", "pk")
    )


# ---- the county supervision office's page ----------------------------------------------------


def offices_of(user) -> list[SupervisionPolicy]:
    """The counties whose supervision office the user works in (an active post there)."""
    units = reach_of(user).unit_ids
    return list(SupervisionPolicy.objects.filter(office_id__in=units).select_related("county", "office")) if units else []


def escalated_for(user):
    """What has reached the user's supervision office: open assignments of the office's county on
    the last rung, longest overdue first. Refused (404) to anyone not in a county's office."""
    offices = offices_of(user)
    if not offices:
        raise NotFound("supervision.not_office", "您不是县督查室的工作人员")
    where = Q(pk__in=[])
    for policy in offices:
        where |= Q(case__area__path__startswith=policy.county.path)
    return (
        Assignment.objects.filter(where, state=Assignment.State.OPEN, alert="red", alert_rung=OFFICE)
        .select_related("case", "case__area", "unit")
        .order_by("due_at", "id")
    )
