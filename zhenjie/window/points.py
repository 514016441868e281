"""Every read of agent points (代办点): for a member of staff through their reach (kernel.scoping),
for an agent their own point, for the public the active points with no personal data; and the
two answers the filing form needs — `points_of(user)` and `items_for_point(point, on)`.

Who sees a point: staff whose jurisdiction contains the point's township (the township's clerks
and leaders, the county administrator), and the agents posted at it. Another township's point
answers 404, as a missing one does."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404, paths_q, reach_of
from zhenjie.lists.layouts import layout_for
from zhenjie.lists.models import ListKind, ServiceItem
from zhenjie.lists.queries import items_in, public_series_of, versions_in_force
from zhenjie.units.models import Unit
from zhenjie.workbench.excel import Column

from .models import AgentPoint, AgentSetting, Application, Direction, DutySlot, PaperTransfer, PointItem, Weekday
from .workflow import State

# Who keeps a township's points and their rosters: its window clerks and leaders, and the
# county administrator (编办) for every township of the county.
MANAGERS = frozenset({R.WINDOW_CLERK, R.TOWNSHIP_LEADER, R.COUNTY_ADMIN})
# Who records a hand-over: the point's own agents, and the centre's front desk that receives the
# originals and hands back the results.
HANDOVER_STAFF = frozenset({R.WINDOW_CLERK, R.TOWNSHIP_LEADER})

# "代办员3个工作日内送交乡镇(街道)便民服务中心" — the demo service guide's village steps
# (lists/demo_data/services.py VILLAGE_STEPS); a county that rules otherwise keeps an AgentSetting.
DEFAULT_CARRY_DAYS = 3


def agent_unit_ids(user) -> list[int]:
    """Units in which the user acts as a village agent (their own posts, or an absent agent's
    today when they stand in for them, AB岗)."""
    reach = reach_of(user)
    return sorted(u for u in reach.unit_ids if R.VILLAGE_AGENT in reach.roles_in_unit(u))


def _with_parts(rows: QuerySet[AgentPoint]) -> QuerySet[AgentPoint]:
    """What every list and page shows, loaded in a fixed number of queries whatever the rows."""
    return rows.select_related("township", "unit").prefetch_related(
        Prefetch("villages", queryset=Area.objects.order_by("path")),
        Prefetch("duty_slots", queryset=DutySlot.objects.select_related("agent").order_by("weekday", "starts", "pk")),
    )


def points_for(user) -> QuerySet[AgentPoint]:
    """Points the user may see: in their jurisdiction's townships, and the point they staff."""
    reach = reach_of(user)
    if not reach.posts:
        return AgentPoint.objects.none()
    visible = paths_q(reach.paths, "township__path") | Q(unit_id__in=agent_unit_ids(user))
    return _with_parts(AgentPoint.objects.filter(visible)).order_by("township__path", "name", "pk")


def get_point_for(user, pk) -> AgentPoint:
    return get_visible_or_404(points_for(user), "agent_point.not_found", "代办点不存在或不在您的辖区内", pk=pk)


def transfer_recorder_unit(user, point: AgentPoint) -> int | None:
    """Who records a line of the point's papers ledger, and in whose name (its 代办件交接单 is
    numbered in that unit's series): its own agents for the point's unit, the township's window
    clerks and leaders (the centre's side of the hand-over) for the unit of their post. None for
    anyone else."""
    if point.unit_id in agent_unit_ids(user):
        return point.unit_id
    return reach_of(user).unit_acting_in(point.township, HANDOVER_STAFF)


def may_record_transfer(user, point: AgentPoint) -> bool:
    return transfer_recorder_unit(user, point) is not None


def can_manage(user, point_or_township) -> bool:
    township = point_or_township.township if isinstance(point_or_township, AgentPoint) else point_or_township
    return bool(reach_of(user).roles_in(township) & MANAGERS)


def managed_townships(user) -> QuerySet[Area]:
    """Townships in which the user may set up points."""
    reach = reach_of(user)
    paths = tuple(g.path for g in reach.grants if g.roles & MANAGERS)
    if not paths:
        return Area.objects.none()
    return Area.objects.filter(paths_q(paths), level=Area.Level.TOWNSHIP).order_by("path")


# ---- for the filing form (intake) -----------------------------------------------------------


def points_of(user) -> QuerySet[AgentPoint]:
    """The active points at which `user` files as a village agent: the point of each unit where
    they hold the village_agent role. An agent files only here (seed 002 §三(六) 村代办点前台综合受理)."""
    return (
        AgentPoint.objects.filter(unit_id__in=agent_unit_ids(user), is_active=True, unit__is_active=True)
        .select_related("township", "unit__area").order_by("name", "pk")
    )  # fmt: skip


def guide_of_point(point: AgentPoint, on: date | datetime) -> QuerySet[ServiceItem]:
    """Every item of the point's township's published service guide in force on `on` (its own
    and the county's), in guide order, materials prefetched."""
    in_force = versions_in_force(list(public_series_of(point.township, ListKind.SERVICE)), on)
    if not in_force:
        return ServiceItem.objects.none()
    return items_in(layout_for(ListKind.SERVICE), list(in_force.values()))


def point_takes(item: ServiceItem, choices: dict[str, bool]) -> bool:
    """The rule of what a point takes: the township's choice for the point (`PointItem`, by item
    code) where it made one, else the guide's 村级代办点可办 mark (简单事项不出村, seed 001 §四(一)2;
    an entrusted unmarked item is 复杂事项可代办)."""
    return choices.get(item.code, item.agent_point)


def choices_of(point_ids) -> dict[int, dict[str, bool]]:
    """point id → {item code: takes}, for many points in one query."""
    result: dict[int, dict[str, bool]] = {pk: {} for pk in point_ids}
    for point_id, code, takes in PointItem.objects.filter(point_id__in=list(point_ids)).values_list("point_id", "code", "takes"):
        result[point_id][code] = takes
    return result


def items_for_point(point: AgentPoint | None, on: date | datetime) -> QuerySet[ServiceItem]:
    """THE answer to "what may an agent take at this point" — the intake form's item choices and
    its check (actions.intake.guide_items) and the point's page read it: the guide's items in
    force that `point_takes` (as a query: marked and not removed, or entrusted). No point, no items."""
    if point is None:
        return ServiceItem.objects.none()
    choices = choices_of([point.pk])[point.pk]
    removed = [code for code, takes in choices.items() if not takes]
    added = [code for code, takes in choices.items() if takes]
    return guide_of_point(point, on).filter((Q(agent_point=True) & ~Q(code__in=removed)) | Q(code__in=added))


@dataclass
class ItemChoice:
    item: ServiceItem
    takes: bool  # the point takes it
    own: bool  # by the township's choice for this point, against the guide's mark


def item_choices(point: AgentPoint, on: date | datetime) -> list[ItemChoice]:
    """For the point's managers: every item of the guide in force, whether the point takes it
    and whether that is the point's own choice."""
    choices = choices_of([point.pk])[point.pk]
    return [ItemChoice(item, point_takes(item, choices), item.code in choices) for item in guide_of_point(point, on)]


def items_of_points(points: list[AgentPoint], on: date | datetime) -> dict[int, list[ServiceItem]]:
    """point id → the items it takes, for a township's points at once (the public page): the
    township's guide read once, the points' choices in one query."""
    if not points:
        return {}
    guide = list(guide_of_point(points[0], on).prefetch_related(None))
    choices = choices_of([p.pk for p in points])
    return {p.pk: [item for item in guide if point_takes(item, choices[p.pk])] for p in points}


# ---- duty -----------------------------------------------------------------------------------


def roster_weekday(on: date) -> int | None:
    """Which line of the 周一至周五 roster (seed 001 §四(一)3) holds on `on`: its own weekday on a
    working weekday; none on a weekend or a statutory holiday; Monday's on a make-up working day
    (调休上班, e.g. Sunday 2026-09-20 before 国庆). The State Council's notice (国办发明电〔2025〕7号)
    makes such a day a full working day but names no weekday it stands for, so the point keeps
    the week's first roster — as the service hall keeps Monday's hours (hall_hours.py)."""
    if not current_calendar().is_workday(on):
        return None
    return on.weekday() if on.weekday() <= Weekday.FRIDAY else Weekday.MONDAY


def on_duty(point: AgentPoint, on: date) -> list[DutySlot]:
    """Who is on duty at the point on `on` (`roster_weekday`). Reads the prefetched slots: no
    query per point."""
    weekday = roster_weekday(on)
    return [slot for slot in point.duty_slots.all() if slot.weekday == weekday] if weekday is not None else []


def agents_of(point: AgentPoint) -> QuerySet:
    """The people posted at the point as village agents now."""
    posts = Post.objects.filter(unit_id=point.unit_id, is_active=True, roles__code=R.VILLAGE_AGENT)
    return User.objects.filter(is_active=True, pk__in=posts.values("user_id")).order_by("full_name", "pk")


# ---- the papers ledger (代办件流转台账) ------------------------------------------------------


def carry_days(county: Area) -> int:
    setting = AgentSetting.objects.filter(county=county).only("carry_days").first()
    return setting.carry_days if setting else DEFAULT_CARRY_DAYS


def setting_county(point: AgentPoint) -> Area:
    return Area.objects.get(path=county_path(point.township.path))


# Closed without a result to carry: nothing of these waits at the point.
_NO_PAPERS = (State.NOT_ACCEPTED, State.WITHDRAWN, State.DELIVERED)


@dataclass
class Held:
    """An application whose originals the point still holds, and by when they must reach the centre."""

    application: Application
    carry_by: datetime
    overdue: bool


@dataclass
class Ledger:
    held: list[Held]  # originals at the point, not yet carried to the centre
    to_bring: list[Application]  # decided; the result is still at the centre
    waiting: list[Application]  # the result is at the point, for the applicant to collect
    carry_days: int

    @property
    def overdue(self) -> list[Held]:
        return [h for h in self.held if h.overdue]


def applications_at(user, point: AgentPoint) -> QuerySet[Application]:
    """Applications filed at the point, or to be collected there, that the user may see
    (kernel.scoping), with whether each has been carried each way — one query."""
    handovers = PaperTransfer.objects.filter(application=OuterRef("pk"))
    return (
        Application.objects.filter(case_is_visible(user))
        .filter(Q(intake_unit_id=point.unit_id) | Q(delivery_point_id=point.unit_id))
        .annotate(
            sent=Exists(handovers.filter(direction=Direction.TO_CENTRE)),
            returned_at=Subquery(handovers.filter(direction=Direction.TO_POINT).values("handed_at")[:1]),
        )
        .select_related("case")
        .order_by("received_at", "pk")
    )


def ledger_for(user, point: AgentPoint, now: datetime | None = None) -> Ledger:
    """What the point holds now: originals to carry (with their working-day limit from the
    county's setting, counted by the kernel's calendar — holidays skipped, make-up days counted,
    行政许可法 Art. 82), results to bring from the centre, results waiting at the point."""
    now = now or timezone.now()
    days = carry_days(setting_county(point))
    open_rows = applications_at(user, point).exclude(case__state__in=_NO_PAPERS).filter(Q(sent=False) | Q(case__state=State.DECIDED))
    held, to_bring, waiting = [], [], []
    for application in open_rows:
        # Only what was filed here has originals here; a result to collect here was filed at the window.
        filed_here = application.intake_unit_id == point.unit_id
        if filed_here and not application.sent and application.case.state != State.DECIDED:
            carry_by, _ = due_after(application.received_at, Limit(days))
            held.append(Held(application, carry_by, now > carry_by))
        if application.case.state == State.DECIDED:
            (waiting if application.returned_at else to_bring).append(application)
    return Ledger(held=held, to_bring=to_bring, waiting=waiting, carry_days=days)


@dataclass
class AgentPanel:
    """An application's agent-point panel (`_panel_agents.html` on its detail page)."""

    point: AgentPoint
    carry_days: int
    carry_by: datetime  # the originals' limit to reach the centre
    to_centre: PaperTransfer | None
    to_point: PaperTransfer | None
    carry_overdue: bool  # still at the point past the limit
    may_send: bool  # the user may record the originals' trip now
    may_return: bool  # the user may record the result's trip back now


def panel_for(user, application: Application, now: datetime | None = None) -> dict:
    """The agent panel's context for an application filed at a point (channel agent_point; the
    result comes back there to be handed over, 统一窗口出件): the point, the originals' carry limit
    (AgentSetting, working days) and whether they reached the centre, the result's trip back, and
    which transfer the user may record now. `{"agent_panel": None}` for any other application.
    The caller has read the application through the scoped read (queries.get_application_for)."""
    point = AgentPoint.objects.filter(unit_id=application.intake_unit_id).select_related("township").first()
    if point is None:
        return {"agent_panel": None}
    days = carry_days(setting_county(point))
    carry_by, _ = due_after(application.received_at, Limit(days))
    lines = {t.direction: t for t in PaperTransfer.objects.filter(application=application).select_related("recorded_by", "slip")}
    state, may = application.case.state, may_record_transfer(user, point)
    to_centre, to_point = lines.get(Direction.TO_CENTRE), lines.get(Direction.TO_POINT)
    return {"agent_panel": AgentPanel(
        point=point, carry_days=days, carry_by=carry_by, to_centre=to_centre, to_point=to_point,
        carry_overdue=to_centre is None and (now or timezone.now()) > carry_by and state not in (*_NO_PAPERS, State.DECIDED),
        may_send=may and to_centre is None and state not in (State.NOT_ACCEPTED, State.WITHDRAWN),
        may_return=may and to_point is None and state == State.DECIDED,
    )}  # fmt: skip


def handovers_of(user, point: AgentPoint) -> QuerySet[PaperTransfer]:
    return (
        PaperTransfer.objects.filter(case_is_visible(user, "application__case_id"), point=point)
        .select_related("application", "application__case", "recorded_by", "slip")
        .order_by("-handed_at", "-pk")
    )


# ---- public (no login): no personal data ----------------------------------------------------


def public_points(township: Area) -> QuerySet[AgentPoint]:
    return _with_parts(AgentPoint.objects.filter(township=township, is_active=True)).order_by("name", "pk")


# ---- export ---------------------------------------------------------------------------------


def _villages(point) -> str:
    return "、".join(v.name for v in point.villages.all())


def _roster(point) -> str:
    return "；".join(f"{s.get_weekday_display()} {s.starts:%H:%M}-{s.ends:%H:%M} {s.agent.display_name}" for s in point.duty_slots.all())


COLUMNS = (
    Column("乡镇(街道)", lambda p: p.township.name, 14),
    Column("代办点", lambda p: p.name, 24),
    Column("所在机构", lambda p: p.unit.name, 24),
    Column("服务村(社区)", _villages, 30),
    Column("联系电话", lambda p: p.phone, 16),
    Column("地址", lambda p: p.address, 30),
    Column("开放时间", lambda p: p.hours, 24),
    Column("值班表", _roster, 40),
    Column("在用", lambda p: "是" if p.is_active else "否", 6),
)


# ---- choices for the managers' forms --------------------------------------------------------


def point_unit_choices(user) -> QuerySet:
    """Units a manager may set a point up in: active village committees and centres of the
    townships they manage."""
    townships = managed_townships(user)
    paths = tuple(t.path for t in townships)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(paths_q(paths, "area__path"), kind__in=[Unit.Kind.VILLAGE_COMMITTEE, Unit.Kind.CENTRE], is_active=True).order_by("area__path", "name")


def village_choices(townships) -> QuerySet[Area]:
    return Area.objects.filter(level=Area.Level.VILLAGE, parent__in=list(townships)).order_by("path")
