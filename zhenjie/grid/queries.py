"""Every read of grid data, always for a user, always through jurisdiction.grids_for. Lists
select their related rows here, so pages, exports and the API run a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from zhenjie.accounts.models import Coverage
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import pii
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.models import Attachment
from zhenjie.kernel.scoping import case_is_visible, get_visible_or_404, reach_of
from zhenjie.workbench.excel import Column

from .jurisdiction import MANAGERS, READERS, grid_ids_for, grids_for, may_reveal
from .models import Building, KeyPerson, Organisation, Patrol, PatrolFinding, Referral, Resident, Visit, VisitTask
from .workflow import REFERRAL_WORKFLOW

DUE_SOON_DAYS = 7  # "due soon" on the worker's list: the coming week, which they can plan


# ---- grids and who covers them ------------------------------------------------------------------


def grid_list_for(user) -> QuerySet[Area]:
    return grids_for(user).select_related("parent", "parent__parent").order_by("path")


def get_grid_for(user, pk) -> Area:
    return get_visible_or_404(grid_list_for(user), "grid.not_found", "网格不存在或不在您的辖区内", pk=pk)


def my_grids_for(user) -> QuerySet[Area]:
    """The grids a grid worker works in: by post or by coverage."""
    return grids_for(user, frozenset({R.GRID_WORKER})).live().select_related("parent").order_by("path")


def managed_grids_for(user) -> QuerySet[Area]:
    return grids_for(user, MANAGERS).live().select_related("parent").order_by("path")  # today's grids (区划调整)


def is_grid_worker_only(user) -> bool:
    """A grid worker with no township-wide grid role: they get the phone pages first."""
    reach = reach_of(user)
    return R.GRID_WORKER in reach.roles and not reach.roles & (READERS - {R.GRID_WORKER})


def can_manage(user) -> bool:
    return bool(reach_of(user).roles & MANAGERS)


def current_coverages_for(user, grids=None) -> QuerySet[Coverage]:
    rows = Coverage.objects.filter(grid__in=grid_ids_for(user), ended_at__isnull=True).select_related("worker")
    if grids is not None:
        rows = rows.filter(grid__in=grids)
    return rows.order_by("-is_lead", "started_at")


def coverage_history_for(user, grid: Area) -> QuerySet[Coverage]:
    return (
        Coverage.objects.filter(grid__in=grid_ids_for(user), grid=grid)
        .select_related("worker", "assigned_by", "ended_by")
        .order_by("-started_at", "-pk")
    )


def get_coverage_for(user, pk) -> Coverage:
    rows = Coverage.objects.filter(grid__in=grid_ids_for(user)).select_related("grid", "worker")
    return get_visible_or_404(rows, "grid.coverage_not_found", "该分工记录不存在或不在您的辖区内", pk=pk)


def leads_by_grid(grid_ids) -> dict[int, Coverage]:
    """Current lead of each grid in `grid_ids` (ids already scoped by the caller)."""
    rows = Coverage.objects.filter(grid_id__in=grid_ids, is_lead=True, ended_at__isnull=True).select_related("worker")
    return {row.grid_id: row for row in rows}


def grids_without_lead(grids: QuerySet[Area]) -> QuerySet[Area]:
    return grids.exclude(pk__in=Coverage.objects.filter(is_lead=True, ended_at__isnull=True).values("grid_id"))


@dataclass
class GridCounts:
    residents: int = 0
    buildings: int = 0
    organisations: int = 0
    key_persons: int = 0
    overdue: int = 0
    due_soon: int = 0


def counts_by_grid(user, grids, today: date | None = None) -> dict[int, GridCounts]:
    """The figures of the given grids (those on the page) that the user may see, in four grouped
    queries, so a county-wide page never aggregates the whole county's registers."""
    today = today or timezone.localdate()
    scope = grid_ids_for(user).filter(pk__in=[getattr(g, "pk", g) for g in grids])
    counts: dict[int, GridCounts] = defaultdict(GridCounts)
    for row in Resident.objects.filter(grid__in=scope, status=Resident.Status.PRESENT).values("grid").annotate(n=Count("pk")):
        counts[row["grid"]].residents = row["n"]
    for row in Building.objects.filter(grid__in=scope).values("grid").annotate(n=Count("pk")):
        counts[row["grid"]].buildings = row["n"]
    for row in Organisation.objects.filter(grid__in=scope).exclude(status=Organisation.Status.CLOSED).values("grid").annotate(n=Count("pk")):
        counts[row["grid"]].organisations = row["n"]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    ledger = (
        KeyPerson.objects.filter(grid__in=scope, ended_on__isnull=True)
        .values("grid")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(next_visit_on__lt=today)),
            soon=Count("pk", filter=Q(next_visit_on__gte=today, next_visit_on__lte=soon)),
        )
    )
    for row in ledger:
        counts[row["grid"]].key_persons = row["n"]
        counts[row["grid"]].overdue = row["overdue"]
        counts[row["grid"]].due_soon = row["soon"]
    return counts


@dataclass
class GridLine:
    """A grid of the grid list: its figures and its current lead."""

    grid: Area
    counts: GridCounts
    lead: Coverage | None


def grid_lines(user, grids, today: date | None = None) -> list[GridLine]:
    """The grids with their figures and leads, in a few grouped queries (counts_by_grid)."""
    grids = list(grids)
    counts = counts_by_grid(user, grids, today)
    leads = leads_by_grid([g.pk for g in grids])
    return [GridLine(g, counts.get(g.pk, GridCounts()), leads.get(g.pk)) for g in grids]


GRID_COLUMNS = (
    Column("乡镇(街道)", lambda l: l.grid.parent.parent.name, 14), Column("村(社区)", lambda l: l.grid.parent.name, 14),
    Column("网格", lambda l: l.grid.name, 18), Column("网格代码", lambda l: l.grid.code, 18),
    Column("责任网格员", lambda l: l.lead.worker.display_name if l.lead else "未配备", 12), Column("实有人口", lambda l: l.counts.residents, 10),
    Column("房屋", lambda l: l.counts.buildings, 8), Column("单位组织", lambda l: l.counts.organisations, 10),
    Column("重点人群", lambda l: l.counts.key_persons, 10), Column("超期未走访", lambda l: l.counts.overdue, 12),
)  # the grid list's export, over grid_lines


@dataclass
class CoverageLine:
    """A grid of the coverage page: its current lead and helpers."""

    grid: Area
    lead: Coverage | None
    helpers: list[Coverage]


def coverage_lines(user, grids) -> list[CoverageLine]:
    """The grids with their current stints, read in one query."""
    grids = list(grids)
    stints: dict[int, list[Coverage]] = defaultdict(list)
    for c in current_coverages_for(user, grids=[g.pk for g in grids]):
        stints[c.grid_id].append(c)
    return [CoverageLine(g, next((c for c in stints[g.pk] if c.is_lead), None), [c for c in stints[g.pk] if not c.is_lead]) for g in grids]


COVERAGE_COLUMNS = (
    Column("村(社区)", lambda l: l.grid.parent.name, 14), Column("网格", lambda l: l.grid.name, 18), Column("网格代码", lambda l: l.grid.code, 18),
    Column("责任网格员", lambda l: l.lead.worker.display_name if l.lead else "未配备", 12),
    Column("任职起始", lambda l: l.lead.started_at if l.lead else None, 18),
    Column("协助网格员", lambda l: "、".join(c.worker.display_name for c in l.helpers), 30),
)  # the coverage page's export, over coverage_lines


# ---- registers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """What a register's search box asked for. A full ID number or phone is looked up by its
    keyed digest (never by decrypting rows); anything else searches names and addresses."""

    text: str = ""
    id_digest: str = ""
    phone_digest: str = ""
    credit_code: str = ""

    @classmethod
    def parse(cls, raw: str) -> "Search":
        raw = (raw or "").strip()[:50]
        if not raw:
            return cls()
        for parse in (cls._as_id_number, cls._as_phone, cls._as_credit_code):
            found = parse(raw)
            if found:
                return found
        return cls(text=raw)

    @classmethod
    def _as_id_number(cls, raw):
        try:
            return cls(text=raw, id_digest=pii.lookup_digest(pii.ID_NUMBER, pii.normalise_citizen_id(raw)))
        except ActionError:
            return None

    @classmethod
    def _as_phone(cls, raw):
        try:
            return cls(text=raw, phone_digest=pii.lookup_digest(pii.PHONE, pii.normalise_mobile(raw)))
        except ActionError:
            return None

    @classmethod
    def _as_credit_code(cls, raw):
        try:
            return cls(text=raw, credit_code=pii.normalise_credit_code(raw))
        except ActionError:
            return None

    @property
    def kind(self) -> str:
        if self.id_digest:
            return "身份证号"
        if self.phone_digest:
            return "手机号"
        if self.credit_code:
            return "统一社会信用代码"
        return "名称或地址" if self.text else ""


def residents_for(user) -> QuerySet[Resident]:
    return Resident.objects.filter(grid__in=grid_ids_for(user)).select_related("grid", "grid__parent", "building").order_by("-pk")


def search_residents(rows: QuerySet[Resident], search: Search) -> QuerySet[Resident]:
    if search.id_digest:
        return rows.filter(id_number_digest=search.id_digest)
    if search.phone_digest:
        return rows.filter(phone_digest=search.phone_digest)
    if search.text:
        return rows.filter(Q(name__contains=search.text) | Q(address__contains=search.text) | Q(building__address__contains=search.text))
    return rows


def grid_name(grid) -> str:
    return f"{grid.parent.name} {grid.name}" if grid.parent_id else grid.name


def birth_date_seen_by(user, resident: Resident, grid: Area | None = None):
    """The resident's birth date as `user` may see it beside the masked ID number: the date for
    those who may reveal the number in the grid (`grid`, else the resident's), None for anyone
    else — the date is the mask's hidden middle (issue 12 item 3). Pages, API and exports ask here."""
    return resident.birth_date if may_reveal(user, grid or resident.grid) else None


def resident_columns(user) -> tuple[Column, ...]:
    """The register's export, for `user`: the birth date only where they may reveal."""
    return (
        Column("网格", lambda r: grid_name(r.grid), 22), Column("姓名", lambda r: r.name, 10), Column("性别", lambda r: r.get_sex_display(), 6),
        Column("出生日期", lambda r: birth_date_seen_by(user, r) or "", 12), Column("身份证号(脱敏)", lambda r: r.id_number_masked, 22),
        Column("手机号(脱敏)", lambda r: r.phone_masked, 14), Column("人口类型", lambda r: r.get_residence_kind_display(), 14),
        Column("居住地址", lambda r: r.address_text, 30), Column("状态", lambda r: r.get_status_display(), 8),
    )


def get_resident_for(user, pk) -> Resident:
    return get_visible_or_404(residents_for(user), "grid.resident_not_found", "该人员不存在或不在您的辖区内", pk=pk)


def buildings_for(user) -> QuerySet[Building]:
    return Building.objects.filter(grid__in=grid_ids_for(user)).select_related("grid", "grid__parent").order_by("-pk")


def search_buildings(rows: QuerySet[Building], search: Search) -> QuerySet[Building]:
    if search.phone_digest:
        return rows.filter(owner_phone_digest=search.phone_digest)
    if search.text:
        return rows.filter(Q(address__contains=search.text) | Q(owner_name__contains=search.text))
    return rows


BUILDING_COLUMNS = (
    Column("网格", lambda b: grid_name(b.grid), 22), Column("门牌地址", lambda b: b.address, 30), Column("房屋类型", lambda b: b.get_kind_display(), 12),
    Column("使用情况", lambda b: b.get_use_display(), 10), Column("层数", lambda b: b.floors, 6), Column("安全状况", lambda b: b.get_safety_display(), 10),
    Column("产权人", lambda b: b.owner_name, 10), Column("产权人电话(脱敏)", lambda b: b.owner_phone_masked, 14),
)  # the register's export


def get_building_for(user, pk) -> Building:
    return get_visible_or_404(buildings_for(user), "grid.building_not_found", "该房屋不存在或不在您的辖区内", pk=pk)


def organisations_for(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(grid__in=grid_ids_for(user)).select_related("grid", "grid__parent", "building").order_by("-pk")


def search_organisations(rows: QuerySet[Organisation], search: Search) -> QuerySet[Organisation]:
    if search.credit_code:
        return rows.filter(credit_code=search.credit_code)
    if search.phone_digest:
        return rows.filter(contact_phone_digest=search.phone_digest)
    if search.text:
        return rows.filter(Q(name__contains=search.text) | Q(address__contains=search.text) | Q(contact_name__contains=search.text))
    return rows


ORGANISATION_COLUMNS = (
    Column("网格", lambda o: grid_name(o.grid), 22), Column("名称", lambda o: o.name, 28), Column("类型", lambda o: o.get_kind_display(), 12),
    Column("统一社会信用代码", lambda o: o.credit_code, 22), Column("地址", lambda o: o.address_text, 28), Column("负责人", lambda o: o.contact_name, 10),
    Column("负责人电话(脱敏)", lambda o: o.contact_phone_masked, 14), Column("从业人数", lambda o: o.employees, 8),
    Column("重点场所", lambda o: "是" if o.is_key_site else "", 8), Column("状态", lambda o: o.get_status_display(), 8),
)  # the register's export


def get_organisation_for(user, pk) -> Organisation:
    return get_visible_or_404(organisations_for(user), "grid.organisation_not_found", "该单位不存在或不在您的辖区内", pk=pk)


# ---- ledgers and visits -------------------------------------------------------------------------

DUE_FILTERS = {"all": "全部", "overdue": "已超期", "soon": f"{DUE_SOON_DAYS}日内到期", "due": "待走访(含超期)", "ended": "已退出"}


def key_persons_for(user) -> QuerySet[KeyPerson]:
    # resident__grid: whether the birth date may be shown is decided in the resident's grid.
    return KeyPerson.objects.filter(grid__in=grid_ids_for(user)).select_related("resident__grid", "grid", "grid__parent").order_by("next_visit_on", "pk")


def filter_due(rows: QuerySet[KeyPerson], due: str, today: date | None = None) -> QuerySet[KeyPerson]:
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    if due == "ended":
        return rows.filter(ended_on__isnull=False).order_by("-ended_on", "-pk")
    rows = rows.filter(ended_on__isnull=True)
    if due == "overdue":
        return rows.filter(next_visit_on__lt=today)
    if due == "soon":
        return rows.filter(next_visit_on__gte=today, next_visit_on__lte=soon)
    if due == "due":
        return rows.filter(next_visit_on__lte=soon)
    return rows


def ledger_columns(specs, today: date, user) -> tuple[Column, ...]:
    """A ledger's export for `user`: the kind's own particulars (`specs`, populations.LEDGERS)
    among the common columns, the days overdue counted on `today`, the birth date only where the
    user may reveal (birth_date_seen_by)."""
    return (
        Column("网格", lambda p: grid_name(p.grid)), Column("姓名", lambda p: p.resident.name), Column("性别", lambda p: p.resident.get_sex_display()),
        Column("出生日期", lambda p: birth_date_seen_by(user, p.resident, p.grid) or ""), Column("身份证号(脱敏)", lambda p: p.resident.id_number_masked),
        Column("人群类别", lambda p: p.get_kind_display()), Column("纳入日期", lambda p: p.since),
        *[Column(s.label, lambda p, key=s.key: p.particulars.get(key, "")) for s in specs],
        Column("联系人", lambda p: p.contact_name), Column("联系人电话(脱敏)", lambda p: p.contact_phone_masked),
        Column("最近走访", lambda p: p.last_visited_at), Column("应走访日期", lambda p: p.next_visit_on),
        Column("超期天数", lambda p: p.days_overdue(today) if p.is_active else ""),
        Column("状态", lambda p: "在册" if p.is_active else f"已退出({p.end_reason})"),
    )


@dataclass
class OverduePerson:
    """A person of the overdue list, with the lead worker of their grid."""

    person: KeyPerson
    lead: Coverage | None
    days: int


def overdue_people(persons, today: date) -> list[OverduePerson]:
    """The persons (already scoped) with their grids' leads, read in one query."""
    persons = list(persons)
    leads = leads_by_grid({p.grid_id for p in persons})
    return [OverduePerson(p, leads.get(p.grid_id), p.days_overdue(today)) for p in persons]


OVERDUE_COLUMNS = (
    Column("网格", lambda l: grid_name(l.person.grid), 24), Column("姓名", lambda l: l.person.resident.name, 10),
    Column("人群类别", lambda l: l.person.get_kind_display(), 12), Column("最近走访", lambda l: l.person.last_visited_at, 18),
    Column("应走访日期", lambda l: l.person.next_visit_on, 12), Column("超期天数", lambda l: l.days, 10),
    Column("责任网格员", lambda l: l.lead.worker.display_name if l.lead else "未配备", 12),
)  # the overdue list's export, over overdue_people


def get_key_person_for(user, pk) -> KeyPerson:
    return get_visible_or_404(key_persons_for(user), "grid.key_person_not_found", "该台账对象不存在或不在您的辖区内", pk=pk)


def visits_for(user) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(grid__in=grid_ids_for(user))
        .select_related("key_person", "key_person__resident", "grid", "grid__parent", "visitor", "referral__case", "referral__unit")
        .prefetch_related(Prefetch("photos", queryset=Attachment.objects.select_related("blob")))
        .order_by("-visited_at", "-pk")
    )


VISIT_COLUMNS = (
    Column("走访时间", lambda v: v.visited_at, 18), Column("网格", lambda v: grid_name(v.grid), 22), Column("走访对象", lambda v: v.key_person.resident.name, 10),
    Column("人群类别", lambda v: v.key_person.get_kind_display(), 12), Column("走访人", lambda v: v.visitor.display_name, 10),
    Column("走访结论", lambda v: v.get_situation_display(), 10), Column("走访情况", lambda v: v.findings, 60),
    Column("照片数", lambda v: len(v.photos.all()), 8),  # prefetched by visits_for
)  # the visits' export


def get_visit_for(user, pk) -> Visit:
    return get_visible_or_404(visits_for(user), "grid.visit_not_found", "该走访记录不存在或不在您的辖区内", pk=pk)


@dataclass
class OverdueLine:
    """One row of an overdue summary: a worker's or a township's figures."""

    key: object
    label: str
    detail: str = ""
    active: int = 0
    overdue: int = 0
    due_soon: int = 0
    grids: list = field(default_factory=list)

    @property
    def overdue_share(self) -> str:
        return f"{self.overdue * 100 / self.active:.0f}%" if self.active else "—"


def count_overdue_for(user, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return KeyPerson.objects.filter(grid__in=grid_ids_for(user), ended_on__isnull=True, next_visit_on__lt=today).count()


def overdue_summary_for(user, today: date | None = None, grid=None) -> tuple[list[OverdueLine], list[OverdueLine]]:
    """Overdue and due-soon figures per lead worker and per township, from one grouped query
    over the ledger and one over current leads; a grid without a lead shows as such."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    rows = KeyPerson.objects.filter(grid__in=grid_ids_for(user), ended_on__isnull=True)
    if grid is not None:
        rows = rows.filter(grid=grid)
    per_grid = list(
        rows.values("grid", "grid__path", "grid__name", "grid__parent__parent__name").annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=Q(next_visit_on__lt=today)),
            soon=Count("pk", filter=Q(next_visit_on__gte=today, next_visit_on__lte=soon)),
        ).order_by("grid__path")
    )
    leads = leads_by_grid([row["grid"] for row in per_grid])
    workers: dict[object, OverdueLine] = {}
    townships: dict[str, OverdueLine] = {}
    if grid is None:
        # Every township in reach gets a line, a township with nothing overdue included.
        for town in Area.objects.filter(level=Area.Level.TOWNSHIP, children__children__in=grid_ids_for(user)).distinct().order_by("path"):
            townships[town.path] = OverdueLine(town.path, town.name)
    for row in per_grid:
        lead = leads.get(row["grid"])
        key = lead.worker_id if lead else None
        line = workers.setdefault(key, OverdueLine(key, lead.worker.display_name if lead else "未配备责任网格员", lead.worker.username if lead else ""))
        town_path = township_path(row["grid__path"])
        town = townships.setdefault(town_path, OverdueLine(town_path, row["grid__parent__parent__name"]))
        for target in (line, town):
            target.active += row["active"]
            target.overdue += row["overdue"]
            target.due_soon += row["soon"]
            target.grids.append(row["grid__name"])
    by_worker = sorted(workers.values(), key=lambda line: (-line.overdue, line.label))
    by_township = sorted(townships.values(), key=lambda line: line.key)
    return by_worker, by_township


# ---- patrols ------------------------------------------------------------------------------------


def patrols_for(user) -> QuerySet[Patrol]:
    return (
        Patrol.objects.filter(grid__in=grid_ids_for(user))
        .select_related("worker", "grid", "grid__parent")
        .annotate(finding_count=Count("findings"))
        .order_by("-started_at", "-pk")
    )


PATROL_COLUMNS = (
    Column("开始时间", lambda p: p.started_at, 18), Column("结束时间", lambda p: p.ended_at, 18), Column("网格", lambda p: grid_name(p.grid), 22),
    Column("巡查人", lambda p: p.worker.display_name, 10), Column("时长(分钟)", lambda p: p.duration_minutes, 10), Column("里程(米)", lambda p: p.distance_m, 10),
    Column("轨迹点数", lambda p: p.point_count, 10), Column("发现", lambda p: p.finding_count, 6), Column("巡查情况", lambda p: p.summary, 40),
)  # the patrols' export


def get_patrol_for(user, pk) -> Patrol:
    return get_visible_or_404(patrols_for(user), "grid.patrol_not_found", "该巡查记录不存在或不在您的辖区内", pk=pk)


def open_patrol_of(user) -> Patrol | None:
    return Patrol.objects.filter(worker_id=user.pk, ended_at__isnull=True).select_related("grid").first()


def findings_of(patrol: Patrol) -> QuerySet[PatrolFinding]:
    """Findings of a patrol already fetched through patrols_for (so already in reach)."""
    return (
        PatrolFinding.objects.filter(patrol=patrol)
        .select_related("reported_by")
        .prefetch_related(Prefetch("photos", queryset=Attachment.objects.select_related("blob")))
        .order_by("created_at", "pk")
    )


def findings_for(user) -> QuerySet[PatrolFinding]:
    """Every finding in reach: the events app reads its intake queue from here."""
    return PatrolFinding.objects.filter(grid__in=grid_ids_for(user)).select_related("patrol", "grid", "reported_by", "case").order_by("-created_at", "-pk")


def get_photo_for(user, pk) -> Attachment:
    """A photo, if it belongs to a visit or a patrol finding the user may see."""
    scope = grid_ids_for(user)
    visible = Q(pk__in=Visit.photos.through.objects.filter(visit__grid__in=scope).values("attachment_id")) | Q(
        pk__in=PatrolFinding.photos.through.objects.filter(patrolfinding__grid__in=scope).values("attachment_id")
    )
    rows = Attachment.objects.filter(visible, purpose="photo").select_related("blob")
    return get_visible_or_404(rows, "grid.photo_not_found", "照片不存在或不在您的辖区内", pk=pk)


# ---- visit tasks and referrals (issue 14 item 5) ----------------------------------------------


def visit_tasks_for(user) -> QuerySet[VisitTask]:
    """Visit tasks in the grids the user reads (the key person's data is the grid's)."""
    return VisitTask.objects.filter(grid__in=grid_ids_for(user)).select_related("case", "key_person").order_by("-pk")


def get_visit_task_for(user, case_id) -> VisitTask:
    return get_visible_or_404(visit_tasks_for(user), "grid.visit_task_not_found", "走访任务不存在或不在您的辖区内", case_id=case_id)


def open_visit_task_of(user, person: KeyPerson) -> VisitTask | None:
    return visit_tasks_for(user).filter(key_person=person, is_open=True).first()


def referrals_for(user) -> QuerySet[Referral]:
    """Referrals whose case the user sees: the grid's people, and the unit it was referred to."""
    return (
        Referral.objects.filter(case_is_visible(user))
        .select_related("case", "case__area", "unit", "visit", "visit__visitor", "key_person", "key_person__resident", "key_person__grid")
        .order_by("-case__opened_at", "-case_id")
    )


def get_referral_for(user, case_id) -> Referral:
    return get_visible_or_404(referrals_for(user), "grid.referral_not_found", "转介事项不存在或不在您的辖区内", case_id=case_id)


REFERRAL_COLUMNS = (
    Column("编号", lambda r: r.case.number, 24), Column("帮扶需求", lambda r: r.get_need_display(), 16),
    Column("承办单位", lambda r: r.unit.name, 20), Column("状态", lambda r: REFERRAL_WORKFLOW.state_label(r.case.state), 10),
    Column("转介时间", lambda r: r.case.opened_at), Column("办结时间", lambda r: r.case.closed_at),
)  # the export's: no personal data (the person is read on the page, by whoever may)
