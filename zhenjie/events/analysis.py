"""Analysis and early warning (研判预警, seed 004 §三: 发现问题、流转交办、协调联动、研判预警、督查考核)
and the figures of the command screen (指挥大屏, issue 5 item 7).

Every figure is read for a user through kernel.scoping, as events_for(user) / calls_for(user)
read: event_cases() below are the case headers of events_for's events, with each figure's
conditions inside the scope and the jurisdiction named, so a township's dispatcher counts only
its own events and a department liaison none but its calls. Every figure is one aggregate
query (GROUP BY in the database): the number of queries a page runs does not grow with the
rows, and nothing is counted in Python. bench/dashboard.py times them at 1,000,000 events."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate, TruncWeek
from django.utils import timezone

from zhenjie.areas.models import PATH_LENGTH, Area
from zhenjie.calls.actions import department_figures
from zhenjie.calls.queries import calls_for
from zhenjie.calls.workflow import CALL, CALL_WORKFLOW, CallState
from zhenjie.kernel import supervision
from zhenjie.kernel.models import Case, SupervisionPolicy
from zhenjie.kernel.scoping import jurisdiction_cases, reach_of, visible_areas
from zhenjie.kernel.workflow import WAITING
from zhenjie.units.models import Unit
from zhenjie.workbench.excel import Column

from . import daily
from .models import Category, Channel, EarlyWarning, EventDay
from .workflow import EVENT, EVENT_WORKFLOW, EventState

MAP_POINTS_MAX = 2000


@dataclass(frozen=True)
class Period:
    """Reports from `start` (inclusive) to `end` (exclusive)."""

    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> "Period":
        end = start_of_day(now or timezone.now()) + timedelta(days=1)
        return cls(end - timedelta(days=days), end)

    @classmethod
    def last_weeks(cls, weeks: int, now: datetime | None = None) -> "Period":
        """Whole weeks (Monday to Sunday) ending with the current one, so no bar is a part week."""
        today = timezone.localdate(now or timezone.now())
        monday = today - timedelta(days=today.weekday())
        end = timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min))
        return cls(end - timedelta(weeks=weeks), end)


def start_of_day(moment: datetime) -> datetime:
    return daily.midnight(timezone.localdate(moment))


def event_cases(user, area: Area | None = None, **conditions) -> QuerySet[Case]:
    """The case headers of the user's events in their jurisdiction (kernel.scoping.jurisdiction_cases;
    under `area` when given) that meet `conditions`. Every event has exactly one case, so
    counting these counts the events; and the case carries everything most figures need (area,
    channel, state, opened/closed/due times), so only the category and the map need the event
    row. tests/test_analysis.py holds it to events_for(user)."""
    return jurisdiction_cases(user, area).filter(kind=EVENT, **conditions)


def _reported_in(user, period: Period, area: Area | None = None) -> QuerySet[Case]:
    # The case is opened at the report time (intake.report_event): the (area, opened_at)
    # index answers "these areas, this period" directly.
    return event_cases(user, area, opened_at__gte=period.start, opened_at__lt=period.end)


def _closed_between(user, start: datetime, end: datetime | None = None, area: Area | None = None) -> QuerySet[Case]:
    """Closed in [start, end) in any way; count them with CLOSED_ONLY for 办结 (not rejected or
    merged). The state stays out of the WHERE clause so that SQLite walks (area, kind, closed_at)."""
    conditions = {"closed_at__gte": start}
    if end is not None:
        conditions["closed_at__lt"] = end
    return event_cases(user, area, **conditions)


CLOSED_ONLY = Count("pk", filter=Q(state=EventState.CLOSED))


def _daily(user, period: Period, area: Area | None, dimension: str) -> Counter | None:
    """The figure's counts from the daily rows (events/daily.py), (township id, day, key) →
    count, or None when they cannot say it and the figure counts the events live."""
    first, end = timezone.localdate(period.start), timezone.localdate(period.end)
    if period.start != daily.midnight(first) or period.end != daily.midnight(end):
        return None  # not whole days
    # The townships are read once per user object (a request's), as reach_of is: a screen asks for five figures.
    known = user.__dict__.setdefault("_zhenjie_daily_townships", {})
    if (key := area.path if area is not None else "") not in known:
        known[key] = daily.townships_for(user, area)
    if known[key] is None:
        return None
    return daily.counts(known[key], first, end, dimension)


def _summed(found: Counter, by) -> Counter:
    total: Counter = Counter()
    for (township_id, day, key), count in found.items():
        total[by(township_id, day, key)] += count
    return total


def supervision_policy_for(user) -> SupervisionPolicy:
    """The county's supervision settings (督办提前量) that the user works under."""
    paths = reach_of(user).paths
    return supervision.policy_at(paths[0]) if paths else supervision.DEFAULT_POLICY


# --- live counts (the command screen's headline) ----------------------------------------------

def live_counts(user, now: datetime | None = None) -> dict[str, int]:
    """Reported today, closed today, open, overdue now and due soon: today's two from the
    townships' ledgers where they have them (events/daily.py), else counted; the open figures in
    one aggregate query (and one for the county's warning period) answered from an index."""
    now = now or timezone.now()
    today = Period.last_days(1, now)
    warn_until = now + timedelta(hours=supervision_policy_for(user).yellow_hours)
    running = Q(paused_at__isnull=True, due_at__isnull=False)
    open_figures = event_cases(user, closed_at__isnull=True).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=running & Q(due_at__lt=now)),
        due_soon=Count("pk", filter=running & Q(due_at__gte=now, due_at__lt=warn_until)),
        waiting=Count("pk", filter=Q(state__in=EVENT_WORKFLOW.phase_states("intake", "dispatch"))),
    )
    if (reported := _daily(user, today, None, EventDay.Dimension.REPORTED)) is not None:
        closed = _daily(user, today, None, EventDay.Dimension.CLOSED)
        return {"reported_today": sum(reported.values()), "closed_today": sum(closed.values()), **open_figures}
    return {
        "reported_today": _reported_in(user, today).count(),
        "closed_today": _closed_between(user, today.start, today.end).aggregate(n=CLOSED_ONLY)["n"],
        **open_figures,
    }


# --- charts --------------------------------------------------------------------------------------

def by_category(user, period: Period, area: Area | None = None) -> list[dict]:
    found = _daily(user, period, area, EventDay.Dimension.CATEGORY)
    if found is not None:
        per_category = _summed(found, lambda township, day, key: int(key))
        names = dict(Category.objects.filter(pk__in=list(per_category)).values_list("pk", "name"))
        rows = sorted(((names[pk], n) for pk, n in per_category.items()), key=lambda r: (-r[1], r[0]))
        return [{"name": name, "value": n} for name, n in rows]
    rows = (
        _reported_in(user, period, area).values("event__category_id", "event__category__name")
        .annotate(count=Count("pk")).order_by("-count", "event__category__name")
    )
    return [{"name": r["event__category__name"], "value": r["count"]} for r in rows]


def by_channel(user, period: Period, area: Area | None = None) -> list[dict]:
    labels = dict(Channel.choices)
    found = _daily(user, period, area, EventDay.Dimension.CHANNEL)
    if found is not None:
        rows = sorted(_summed(found, lambda township, day, key: key).items(), key=lambda r: (-r[1], r[0]))
        return [{"name": labels.get(code, code), "code": code, "value": n} for code, n in rows]
    # The case's channel is the event's (intake.report_event opens it so).
    rows = _reported_in(user, period, area).values("channel").annotate(count=Count("pk")).order_by("-count", "channel")
    return [{"name": labels.get(r["channel"], r["channel"]), "code": r["channel"], "value": r["count"]} for r in rows]


def breakdown_length(user, area: Area | None = None) -> int:
    """How deep the area breakdown goes: one level below the area shown (a county user sees its
    townships, a township user its villages, a village its grids)."""
    if area is not None:
        root = len(area.path)
    else:
        roots = reach_of(user).paths
        root = min((len(p) for p in roots), default=PATH_LENGTH["county"])
    return min(root + 3, PATH_LENGTH["grid"])


def by_area(user, period: Period, area: Area | None = None) -> list[dict]:
    """Events per township or village (one level below the user's jurisdiction), with the
    number still open. An event filed on the township itself (a hotline order naming no
    village) counts under the township's own name."""
    length = breakdown_length(user, area)
    reported = _reported_in(user, period, area)
    open_rows = reported.filter(closed_at__isnull=True).annotate(bucket=Substr("area__path", 1, length)).values("bucket").annotate(open=Count("pk"))
    found = _daily(user, period, area, EventDay.Dimension.PLACE) if length <= PATH_LENGTH["village"] else None
    if found is not None:
        by_id = _summed(found, lambda township, day, key: township if length == PATH_LENGTH["township"] else int(key))
        paths = dict(Area.objects.filter(pk__in=list(by_id)).values_list("pk", "path"))
        rows = [{"bucket": paths[pk], "count": n, "open": 0} for pk, n in by_id.items()]
        still_open = {r["bucket"]: r["open"] for r in open_rows}
        for row in rows:
            row["open"] = still_open.get(row["bucket"], 0)
        rows.sort(key=lambda r: (-r["count"], r["bucket"]))
    else:
        rows = list(
            reported.annotate(bucket=Substr("area__path", 1, length))
            .values("bucket")
            .annotate(count=Count("pk"), open=Count("pk", filter=Q(closed_at__isnull=True)))
            .order_by("-count", "bucket")
        )
    areas = {a.path: a for a in Area.objects.filter(path__in=[r["bucket"] for r in rows]).only("pk", "path", "name")}
    result = []
    for row in rows:
        found_area = areas.get(row["bucket"])
        result.append({
            "id": found_area.pk if found_area else None,
            "name": found_area.name if found_area else row["bucket"],
            "value": row["count"],
            "open": row["open"],
        })
    return result


def open_by_area(user) -> list[dict]:
    """Open events now per township or village (the map's shading and labels), whenever reported."""
    length = breakdown_length(user)
    rows = list(
        event_cases(user, closed_at__isnull=True).annotate(bucket=Substr("area__path", 1, length))
        .values("bucket").annotate(open=Count("pk")).order_by("bucket")
    )
    ids = dict(Area.objects.filter(path__in=[r["bucket"] for r in rows]).values_list("path", "pk"))
    return [{"id": ids[r["bucket"]], "open": r["open"]} for r in rows if r["bucket"] in ids]


def _series(rows, keys, field: str) -> list[int]:
    found = {row["bucket"]: row[field] for row in rows}
    return [found.get(key, 0) for key in keys]


def _as_date(value):
    return timezone.localdate(value) if isinstance(value, datetime) else value


def weekly_trend(user, period: Period, area: Area | None = None) -> dict:
    """Reported and closed per week (Monday), weeks without any shown as 0."""
    reported_days, closed_days = _daily(user, period, area, EventDay.Dimension.REPORTED), _daily(user, period, area, EventDay.Dimension.CLOSED)
    if reported_days is not None:
        def monday(township, day, key):
            return day - timedelta(days=day.weekday())

        reported = [{"bucket": week, "count": n} for week, n in _summed(reported_days, monday).items()]
        closed = [{"bucket": week, "count": n} for week, n in _summed(closed_days, monday).items()]
    else:
        reported = [
            {"bucket": _as_date(r["bucket"]), "count": r["count"]}
            for r in _reported_in(user, period, area).annotate(bucket=TruncWeek("opened_at")).values("bucket").annotate(count=Count("pk"))
        ]
        closed_rows = _closed_between(user, period.start, period.end, area)
        closed = [
            {"bucket": _as_date(r["bucket"]), "count": r["count"]}
            for r in closed_rows.annotate(bucket=TruncWeek("closed_at")).values("bucket").annotate(count=CLOSED_ONLY)
        ]
    first = timezone.localdate(period.start)
    first -= timedelta(days=first.weekday())
    weeks = []
    while first < timezone.localdate(period.end):
        weeks.append(first)
        first += timedelta(days=7)
    return {
        "labels": [f"{w:%m-%d}" for w in weeks],
        "weeks": [w.isoformat() for w in weeks],
        "reported": _series(reported, weeks, "count"),
        "closed": _series(closed, weeks, "count"),
    }


def daily_trend(user, period: Period) -> dict:
    """Reported and closed per day, for the command screen's trend line."""
    reported_days, closed_days = _daily(user, period, None, EventDay.Dimension.REPORTED), _daily(user, period, None, EventDay.Dimension.CLOSED)
    if reported_days is not None:
        reported = [{"bucket": day, "count": n} for day, n in _summed(reported_days, lambda township, day, key: day).items()]
        closed = [{"bucket": day, "count": n} for day, n in _summed(closed_days, lambda township, day, key: day).items()]
    else:
        reported = [
            {"bucket": r["bucket"], "count": r["count"]}
            for r in _reported_in(user, period).annotate(bucket=TruncDate("opened_at")).values("bucket").annotate(count=Count("pk"))
        ]
        closed = [
            {"bucket": r["bucket"], "count": r["count"]}
            for r in _closed_between(user, period.start, period.end)
            .annotate(bucket=TruncDate("closed_at")).values("bucket").annotate(count=CLOSED_ONLY)
        ]
    days = []
    day = timezone.localdate(period.start)
    while day < timezone.localdate(period.end):
        days.append(day)
        day += timedelta(days=1)
    return {
        "labels": [f"{d:%m-%d}" for d in days],
        "reported": _series(reported, days, "count"),
        "closed": _series(closed, days, "count"),
    }


# --- the departments' response (乡呼县应) -----------------------------------------------------------

@dataclass
class DepartmentRow:
    rank: int
    department_id: int
    name: str
    received: int
    acknowledged_on_time: int
    solved_on_time: int
    solved: int
    average_rating: float | None
    acknowledge_rate: float | None  # of the calls whose response deadline has come
    solve_rate: float | None  # of the calls whose handling deadline has come or that are done
    stationed: bool = False  # a department's unit stationed in a township (派驻机构), ranked with the departments


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def department_ranking(user, period: Period | None = None, now: datetime | None = None, area: Area | None = None) -> list[DepartmentRow]:
    """Per department, and per stationed unit called directly (派驻机构, seed 003 五(一) weighs
    townships' assessment of them 60%): calls received, acknowledged on time, solved on time, average rating
    (calls.actions.department_figures, the figures the assessment reads, seed 003 五(一)).

    Rates count only calls whose deadline has come (or that are done): a call received this
    morning with three days to go is not held against anyone yet. Ranked by the on-time solve
    rate, then the on-time response rate, then the rating."""
    now = now or timezone.now()
    calls = calls_for(user)
    if period is not None:
        calls = calls.filter(case__opened_at__gte=period.start, case__opened_at__lt=period.end)
    if area is not None:
        calls = calls.filter(case__area__path__startswith=area.path)
    rows = department_figures(calls).annotate(
        acknowledge_settled=Count("id", filter=Q(acknowledged_at__isnull=False) | Q(acknowledge_due__lt=now)),
        solve_settled=Count("id", filter=Q(case__state=CallState.CONFIRMED) | Q(case__due_at__lt=now, case__closed_at__isnull=True)),
    )
    result = []
    for row in rows:
        result.append(DepartmentRow(
            rank=0,
            department_id=row["department_id"],
            name=row["department__name"],
            received=row["received"],
            acknowledged_on_time=row["acknowledged_on_time"],
            solved_on_time=row["solved_on_time"],
            solved=row["solved"],
            average_rating=round(float(row["average_rating"]), 1) if row["average_rating"] is not None else None,
            acknowledge_rate=_rate(row["acknowledged_on_time"], row["acknowledge_settled"]),
            solve_rate=_rate(row["solved_on_time"], row["solve_settled"]),
            stationed=row["department__kind"] == Unit.Kind.STATIONED,
        ))
    result.sort(key=lambda r: (
        -(r.solve_rate if r.solve_rate is not None else -1),
        -(r.acknowledge_rate if r.acknowledge_rate is not None else -1),
        -(r.average_rating or 0),
        -r.received,
        r.name,
    ))
    for index, row in enumerate(result, start=1):
        row.rank = index
    return result


DEPARTMENT_COLUMNS = (
    Column("名次", lambda r: r.rank, 6), Column("部门", lambda r: r.name, 28), Column("收到呼叫", lambda r: r.received, 10),
    Column("按时响应", lambda r: r.acknowledged_on_time, 10), Column("按时响应率(%)", lambda r: r.acknowledge_rate, 14),
    Column("办结", lambda r: r.solved, 8), Column("按时办结", lambda r: r.solved_on_time, 10),
    Column("按时办结率(%)", lambda r: r.solve_rate, 14), Column("平均评价", lambda r: r.average_rating, 10),
    Column("类型", lambda r: "派驻机构" if r.stationed else "县直部门", 10),
)  # the ranking's export


# --- early warnings --------------------------------------------------------------------------------

def warnings_for(user) -> QuerySet[EarlyWarning]:
    """Warnings raised on villages in the user's jurisdiction, newest first. A department
    liaison has no jurisdiction and sees none."""
    return (
        EarlyWarning.objects.filter(area__in=visible_areas(user))
        .select_related("category", "area", "area__parent", "acknowledged_by")
        .order_by("-raised_at", "-pk")
    )


def get_warning_for(user, pk) -> EarlyWarning:
    from zhenjie.kernel.errors import NotFound

    try:
        return warnings_for(user).get(pk=pk)
    except (EarlyWarning.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("warning.not_found", "预警不存在或不在您的辖区内") from None


def open_warning_count(user) -> int:
    return warnings_for(user).filter(acknowledged_by__isnull=True).count()


# --- cases likely to go overdue ---------------------------------------------------------------------

def due_soon_for(user, now: datetime | None = None, overdue: bool = False) -> QuerySet[Case]:
    """Events and calls that are likely to go overdue (将超期), soonest deadline first.

    Likely to go overdue: the clock is running (not paused), the handler has not reported back
    yet — an event dispatched, acknowledged or being handled; a call waiting for the department's
    response or result — the deadline has not passed, and it falls within the county's
    supervision warning period (督办黄牌提前量, kernel SupervisionPolicy), or a leader has carded
    it yellow. With `overdue`, the same cases whose deadline has already passed."""
    now = now or timezone.now()
    warn_until = now + timedelta(hours=supervision_policy_for(user).yellow_hours)
    # The events and calls of calls_for(user) / events_for(user), read as their common header,
    # in their workflows' waiting phases (a paused event's clock is stopped: not likely to be late).
    waiting = Q(kind=EVENT, state__in=EVENT_WORKFLOW.states_in(WAITING)) | Q(kind=CALL, state__in=CALL_WORKFLOW.states_in(WAITING))
    rows = jurisdiction_cases(user).filter(waiting, closed_at__isnull=True, paused_at__isnull=True, due_at__isnull=False)
    if overdue:
        rows = rows.filter(due_at__lt=now)
    else:
        rows = rows.filter(Q(due_at__lt=warn_until) | Q(alert="yellow"), due_at__gte=now)
    return rows.select_related("area", "owner_unit", "event__category", "call__department").order_by("due_at", "pk")


def subject_of(case: Case) -> str:
    """What a due-soon case is about: an event's category, a call's department."""
    if case.kind == EVENT and hasattr(case, "event"):
        return case.event.category.name
    if case.kind == CALL and hasattr(case, "call"):
        return case.call.department.name
    return ""


def remaining_hours(case: Case, now: datetime) -> float:
    return round((case.due_at - now).total_seconds() / 3600, 1)


def due_soon_columns(now: datetime) -> tuple[Column, ...]:
    """The export of due_soon_for's cases, the hours left counted from `now`."""
    return (
        Column("类型", lambda c: c.kind_label, 8), Column("编号", lambda c: c.number, 24), Column("标题", lambda c: c.title, 40),
        Column("类别/被呼叫部门", subject_of, 16), Column("所属区划", lambda c: c.area.name, 16),
        Column("责任单位", lambda c: c.owner_unit.name if c.owner_unit else "", 22), Column("办理期限", lambda c: c.due_at, 18),
        Column("剩余(小时)", lambda c: remaining_hours(c, now), 12), Column("督办", lambda c: {"yellow": "黄牌", "red": "红牌"}.get(c.alert, ""), 8),
        Column("状态", lambda c: c.state_label, 10),
    )


# --- the map ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float


def map_points(user, box: Box | None = None, now: datetime | None = None, limit: int = MAP_POINTS_MAX) -> list[dict]:
    """The latest `limit` open events with a position, in the user's jurisdiction (and the
    viewport, when given): what the map can show without sending a million points."""
    now = now or timezone.now()
    # Newest first by the case's opened time (= the report time): a jurisdiction's open events
    # come from the partial index case_event_open (migration 0002).
    rows = event_cases(user, closed_at__isnull=True, event__lng__isnull=False, event__lat__isnull=False).order_by("-opened_at", "-pk")
    if box is not None:
        rows = rows.filter(event__lng__gte=box.west, event__lng__lte=box.east, event__lat__gte=box.south, event__lat__lte=box.north)
    # The clock's two facts come from the database as booleans: 2,000 rows' datetimes parsed
    # into Python, only to be compared, were a fifth of the request at a million events.
    values = rows.values(
        "pk", "number", "state", "alert", "opened_at",
        lng=F("event__lng"), lat=F("event__lat"), category_name=F("event__category__name"),
        paused=ExpressionWrapper(Q(paused_at__isnull=False), output_field=BooleanField()),
        overdue=ExpressionWrapper(Q(due_at__lt=now, paused_at__isnull=True), output_field=BooleanField()),
    )[:limit]
    here = timezone.get_current_timezone()
    labels = {state: (EVENT_WORKFLOW.state_label(state), EVENT_WORKFLOW.phase_of(state)) for state in EVENT_WORKFLOW.states}
    points = []
    for row in values:
        label, phase = labels.get(row["state"], (row["state"], ""))
        reported = row["opened_at"].astimezone(here)
        points.append({
            "id": row["pk"],
            "lng": round(row["lng"], 6),
            "lat": round(row["lat"], 6),
            "number": row["number"],
            "category": row["category_name"],
            "state": row["state"],
            "state_label": label,
            # Coloured by phase as in the list's tabs, a paused event apart (its clock is stopped).
            "group": "paused" if row["paused"] else phase,
            "overdue": bool(row["overdue"]),
            "alert": row["alert"],
            "reported_at": f"{reported.month:02d}-{reported.day:02d} {reported.hour:02d}:{reported.minute:02d}",
        })
    return points
