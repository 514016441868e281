"""Every read of events, for a user (kernel.scoping)."""

import math
from datetime import timedelta

from django.db.models import Q, QuerySet

from zhenjie.areas.paths import village_path
from zhenjie.kernel import parties
from zhenjie.kernel.models import Case
from zhenjie.kernel.prepared import Prepared
from zhenjie.kernel.scoping import case_is_visible, get_on_visible_case, visible_cases
from zhenjie.workbench.paging import capped_count_of_parts
from zhenjie.workbench.excel import Column

from .models import Category, Event
from .policy import policy_for
from .workflow import EVENT, EVENT_WORKFLOW


def events_for(user) -> QuerySet[Event]:
    return (
        Event.objects.filter(case_is_visible(user))
        .select_related("case", "case__area", "category", "handling_unit")
        .order_by("-reported_at", "-pk")
    )


def with_parties(rows: QuerySet[Event]) -> QuerySet[Event]:
    # and the 12345 hotline's return visit (integrations.HotlineSatisfaction), in the same query
    return rows.prefetch_related(parties.prefetch_for_cases()).select_related("hotline_satisfaction")


def _hotline_visit(event: Event) -> str:
    visit = getattr(event, "hotline_satisfaction", None)  # a missing reverse one-to-one is an AttributeError
    return f"{visit.get_result_display()} {visit.comment}".strip() if visit else ""


COLUMNS = (
    Column("编号", lambda e: e.case.number, 22), Column("类别", lambda e: e.category.name, 10), Column("渠道", lambda e: e.get_channel_display(), 10),
    Column("描述", lambda e: e.description, 40), Column("地址", lambda e: e.address, 24), Column("所属区划", lambda e: e.case.area.name, 16),
    Column("状态", lambda e: EVENT_WORKFLOW.state_label(e.case.state), 10), Column("督办", lambda e: {"yellow": "黄牌", "red": "红牌"}.get(e.case.alert, ""), 6),
    Column("上报时间", lambda e: e.reported_at), Column("处置单位", lambda e: e.handling_unit.name if e.handling_unit else "", 20),
    Column("办理期限", lambda e: e.case.due_at), Column("办结时间", lambda e: e.case.closed_at), Column("评价", lambda e: e.case.rating, 6),
    Column("当事人", lambda e: "；".join(parties.masked_line(link) for link in e.case.parties.all()), 30),
    # the 12345 hotline's (issue 14, item 4): its order number, what it was answered, its return visit
    Column("工单编号", lambda e: e.case.external_id if e.channel == "hotline" else "", 22),
    Column("办理结果", lambda e: e.result or e.rejection_reason, 40), Column("回访结果", _hotline_visit, 16),
)  # the export's, on the page and over the API (rows through with_parties)


def in_states(rows: QuerySet[Event], states) -> QuerySet[Event]:
    """Events in one of `states`, newest first. One state is walked in its case's index (kind,
    state, opened_at), which stops at the page: reported_at lives on the event and the state on
    the case, so no index holds both, and SQLite would otherwise read every case of the state and
    sort them (issue 11). An event's case opens when it is reported (intake.report_event sets
    reported_at from opened_at), so the order is the one the list shows."""
    rows = rows.filter(case__state__in=states)
    if len(states) == 1:
        rows = rows.filter(case__kind=EVENT).order_by("-case__opened_at", "-case__id")
    return rows


def counted_in(parts: list[QuerySet[Case]], states=None, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped) of the event cases in `states` (every one when None) over the parts of
    kernel.scoping.counting_parts, no further than `cap` (the lists' COUNT_CAP)."""
    return capped_count_of_parts([part.filter(state_condition(states)) for part in parts], cap)


def state_condition(states=None) -> Q:
    """Events in `states`, said so that the (area, kind, closed_at, …) index answers (Workflow.state_q)."""
    return EVENT_WORKFLOW.state_q(states)


def event_cases_for(user) -> QuerySet[Case]:
    """The cases of events_for(user), one per event: counting them counts the events. For counts
    by state, whose every condition then sits on the case row and can start from its indexes
    (the (kind, state) one) instead of joining every event (docs/PERFORMANCE.md)."""
    return visible_cases(user).filter(kind=EVENT)


def get_event_for(user, case_id) -> Event:
    return get_on_visible_case(_EVENT, user, "event.not_found", "事件不存在或不在您的辖区内", case_id=case_id)


# Only what every page of an event shows: each join costs PostgreSQL's planner more than the row
# costs to read (1.2 ms against 0.2 at nine tables); a merged event's duplicate_of is read when
# its page shows it. Every page and answer of an event reads it: compiled once (kernel.prepared).
_EVENT = Prepared(
    lambda case_id: Event.objects.select_related("case__owner_unit", "case__area", "category", "handling_unit", "lead_department").filter(case_id=case_id),
    case_id=int,
)


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


METRES_PER_DEGREE = 6_371_000 * math.pi / 180  # of latitude, on the sphere _metres_between uses


def _metres_between(lng1, lat1, lng2, lat2) -> float:
    # Equirectangular approximation: exact enough over a few hundred metres.
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def suggested_duplicates(user, event: Event, limit: int = 5) -> list[Event]:
    """Same category, near the same place, within the county's window: candidates to merge.

    Read on every page of an event waiting to be registered — the dispatcher's most opened page —
    so it reads only what the panel shows (number, description, time) and, for a report with a
    position, only rows inside the square around it that holds the county's radius; the circle is
    then drawn in Python. A report without a position matches any place in the village, and
    one with a position matches those without (they may be the same thing)."""
    policy = policy_for(event.case.area)
    window = timedelta(hours=policy.duplicate_window_hours)
    nearby = events_for(user).filter(
        category=event.category,
        case__area__path__startswith=village_path(event.case.area.path),
        reported_at__gte=event.reported_at - window,
        reported_at__lte=event.reported_at + window,
    ).exclude(pk=event.pk).exclude(case__state__in=["rejected", "merged"])
    if event.lng is not None:
        lat_span = 1.01 * policy.duplicate_radius_m / METRES_PER_DEGREE  # a margin: the circle's latitude is the pair's mean
        lng_span = lat_span / max(math.cos(math.radians(event.lat)), 0.01)
        square = Q(lng__range=(event.lng - lng_span, event.lng + lng_span), lat__range=(event.lat - lat_span, event.lat + lat_span))
        nearby = nearby.filter(square | Q(lng=None))
    # The square's corners outside the circle are a fifth of it: four times the rows shown is plenty.
    nearby = nearby.select_related(None).select_related("case").only(
        "case_id", "description", "reported_at", "lng", "lat", "case__number"
    )[: limit * 4]
    result = []
    for other in nearby:
        if event.lng is None or other.lng is None or _metres_between(event.lng, event.lat, other.lng, other.lat) <= policy.duplicate_radius_m:
            result.append(other)
    return result[:limit]


