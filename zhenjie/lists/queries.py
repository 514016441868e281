"""Every read of the lists. Staff reads go "for a user" through kernel.scoping; public reads see
published versions only; `may_exercise` answers whether a unit may exercise a power on a day.

What a member of staff sees: the lists of every area in their jurisdiction (a county
administrator: the county's and every township's), and the lists of the areas above it (a
township clerk: the county's lists and their own township's; a department liaison: the lists of
their department's county). Another township's list answers 404, as a missing one does."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, path_at, reaches_level
from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of
from zhenjie.units.models import Unit

from .layouts import Layout, layout_for
from .models import (
    Delegation,
    DelegationBatch,
    DelegationTarget,
    ImportJob,
    ListKind,
    ListSeries,
    ListVersion,
    PowerItem,
    ServiceMaterial,
)
from .search import search_q

PUBLISHED = ListVersion.State.PUBLISHED

# Which lists a township's public pages show: its own power list; the county's local-duty,
# village and purchased-services lists; service catalogues of both.
TOWNSHIP_OWN_KINDS = {ListKind.POWER}
COUNTY_WIDE_KINDS = {ListKind.LOCAL_DUTY, ListKind.VILLAGE_DUTY, ListKind.VILLAGE_ASSISTANCE, ListKind.PURCHASED_SERVICE}


# ---- staff: scoping -------------------------------------------------------------------------


def _list_area_q(user, field: str) -> Q:
    reach = reach_of(user)
    if not reach.posts:
        return Q(pk__in=[])
    anchors = set(reach.paths)
    # Posts without a jurisdiction (department liaisons) still read their county's lists.
    cached = getattr(user, "_zhenjie_unit_paths", None)
    if cached is None:
        cached = set(Unit.objects.filter(pk__in=reach.unit_ids).values_list("area__path", flat=True))
        user._zhenjie_unit_paths = cached
    anchors |= cached
    above = {path_at(path, level) for path in anchors for level in (Area.Level.COUNTY, Area.Level.TOWNSHIP) if reaches_level(path, level)}
    condition = paths_q(reach.paths, field)
    if above:
        condition |= Q(**{f"{field}__in": sorted(above)})
    return condition


def series_for(user) -> QuerySet[ListSeries]:
    return ListSeries.objects.filter(_list_area_q(user, "area__path")).select_related("area").order_by("area__path", "kind", "pk")


def get_series_for(user, pk) -> ListSeries:
    return get_visible_or_404(series_for(user), "list.not_found", "清单不存在或不在您的辖区内", pk=pk)


def versions_for(user) -> QuerySet[ListVersion]:
    return (
        ListVersion.objects.filter(_list_area_q(user, "series__area__path"))
        .select_related("series", "series__area", "published_by", "created_by")
    )


def get_version_for(user, pk) -> ListVersion:
    return get_visible_or_404(versions_for(user), "list.version_not_found", "清单版本不存在或不在您的辖区内", pk=pk)


def can_edit(user, series: ListSeries) -> bool:
    """County administrators (编办) keep the lists of the areas in their jurisdiction."""
    return RoleCode.COUNTY_ADMIN in reach_of(user).roles_in(series.area)


def is_county_admin(user) -> bool:
    return RoleCode.COUNTY_ADMIN in reach_of(user).roles


def import_jobs_for(user) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(version__in=versions_for(user)).select_related("version", "version__series", "created_by")


def get_import_job_for(user, pk) -> ImportJob:
    return get_visible_or_404(import_jobs_for(user).defer("content"), "list.import_not_found", "导入记录不存在或不在您的辖区内", pk=pk)


# ---- items of a version ---------------------------------------------------------------------


def items_of(version: ListVersion, search: str = "", **filters) -> QuerySet:
    """Items of a version already fetched through a scoped or public query, in list order, with
    what each row shows loaded up front (a fixed number of queries whatever the size)."""
    return items_in(layout_for(version.series.kind), [version], search, **filters)


def items_in(layout: Layout, versions, search: str = "", **filters) -> QuerySet:
    rows = layout.model.objects.filter(version__in=[v.pk for v in versions], **filters)
    if layout.unit_fields:
        rows = rows.select_related(*(f"{name}__area" for name in layout.unit_fields))
    if layout.has_categories:
        rows = rows.prefetch_related("categories")
    if layout.has_materials:
        rows = rows.prefetch_related(Prefetch("materials", queryset=ServiceMaterial.objects.order_by("position")))
    if search:
        rows = rows.filter(search_q(search))
    return rows.order_by("version_id", "position", "code") if len(versions) > 1 else rows.order_by("position", "code")


def item_of(version: ListVersion, code: str):
    return get_visible_or_404(items_of(version), "list.item_not_found", "事项不存在", code=code)


def item_by_id(version: ListVersion, pk):
    return get_visible_or_404(items_of(version), "list.item_not_found", "事项不存在", pk=pk)


def item_count(version: ListVersion) -> int:
    if not version.is_draft:
        return version.item_count
    return layout_for(version.series.kind).model.objects.filter(version=version).count()


def layout_of(version: ListVersion) -> Layout:
    return layout_for(version.series.kind)


# ---- versions in force ----------------------------------------------------------------------


def _as_date(on) -> date:
    if isinstance(on, datetime):
        return on.date()
    if not isinstance(on, date):
        raise TypeError("on must be a date")
    return on


def version_in_force(series: ListSeries, on: date) -> ListVersion | None:
    """The published version with the latest effective date not after `on` (ties: the later one)."""
    return (
        ListVersion.objects.filter(series=series, state=PUBLISHED, effective_from__lte=_as_date(on))
        .select_related("series", "series__area", "published_by")
        .order_by("-effective_from", "-number")
        .first()
    )


def versions_in_force(series_rows, on: date) -> dict[int, ListVersion]:
    """series id → version in force, for many lists in one query."""
    ids = [s.pk for s in series_rows]
    result: dict[int, ListVersion] = {}
    rows = (
        ListVersion.objects.filter(series_id__in=ids, state=PUBLISHED, effective_from__lte=_as_date(on))
        .select_related("series", "series__area", "published_by")
        .order_by("series_id", "-effective_from", "-number")
    )
    for version in rows:
        result.setdefault(version.series_id, version)
    return result


def latest_published(series: ListSeries) -> ListVersion | None:
    return ListVersion.objects.filter(series=series, state=PUBLISHED).order_by("-number").first()


# ---- public reads (no login): published versions only ---------------------------------------


def public_townships() -> QuerySet[Area]:
    return Area.objects.filter(level=Area.Level.TOWNSHIP).select_related("parent").order_by("path")


def get_public_township(code: str) -> Area:
    return get_visible_or_404(public_townships(), "area.not_found", "乡镇(街道)不存在", code=str(code)[:15])


def public_series_of(township: Area, kind: str | None = None) -> QuerySet[ListSeries]:
    """Lists that apply to a township: its own, and the county-wide ones of its county."""
    county = county_path(township.path)
    own = Q(area=township) & ~Q(kind__in=COUNTY_WIDE_KINDS)
    county_wide = Q(area__path=county) & ~Q(kind__in=TOWNSHIP_OWN_KINDS)
    rows = ListSeries.objects.filter(own | county_wide).select_related("area")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("kind", "-area__path", "pk")


def public_versions_of(township: Area, on: date, kind: str | None = None) -> list[ListVersion]:
    series = list(public_series_of(township, kind))
    in_force = versions_in_force(series, on)
    return [in_force[s.pk] for s in series if s.pk in in_force]


def get_public_version(pk) -> ListVersion:
    return get_visible_or_404(ListVersion.objects.select_related("series", "series__area", "published_by"), "list.version_not_found", "清单版本不存在或尚未发布", pk=pk, state=PUBLISHED)


def delegations_in_force_for(township: Area, on: date) -> QuerySet[DelegationTarget]:
    """Powers delegated to a township and exercisable on `on` (the public delegation list)."""
    on = _as_date(on)
    return (
        DelegationTarget.objects.filter(
            township=township,
            delegation__in_force_at__isnull=False,
            delegation__effective_from__lte=on,
            valid_from__lte=on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .select_related("delegation", "delegation__batch", "delegation__department", "receiving_unit")
        .order_by("delegation__batch__number", "delegation__power_code")
    )


# ---- delegations (staff) --------------------------------------------------------------------


def delegation_batches_for(user) -> QuerySet[DelegationBatch]:
    return DelegationBatch.objects.filter(_list_area_q(user, "county__path")).select_related("county").order_by("county__path", "-number")


def get_delegation_batch_for(user, pk) -> DelegationBatch:
    return get_visible_or_404(delegation_batches_for(user), "delegation.batch_not_found", "赋权批次不存在或不在您的辖区内", pk=pk)


def delegations_for(user) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(batch__in=delegation_batches_for(user))
        .select_related("batch", "batch__county", "department")
        .prefetch_related(Prefetch("targets", queryset=DelegationTarget.objects.select_related("township", "receiving_unit")))
        .order_by("batch__county__path", "-batch__number", "pk")
    )


def get_delegation_for(user, pk) -> Delegation:
    return get_visible_or_404(delegations_for(user), "delegation.not_found", "赋权事项不存在或不在您的辖区内", pk=pk)


def held_power(department: Unit, code: str, on: date) -> PowerItem | None:
    """The department's item with this code in its county's power list in force on `on`."""
    county = department.area
    series = list(ListSeries.objects.filter(kind=ListKind.POWER, area=county))
    versions = versions_in_force(series, on)
    if not versions:
        return None
    return (
        PowerItem.objects.filter(version__in=list(versions.values()), code=code, implementing_unit=department)
        .select_related("version")
        .order_by("version__series_id")
        .first()
    )


def holder_of(county: Area, code: str, on: date) -> PowerItem | None:
    """The county power list's item with this code in force on `on`: its implementing unit is the
    department that holds the power, to which a township that may not exercise it transfers a case
    (the enforcement app's registration names it)."""
    series = list(ListSeries.objects.filter(kind=ListKind.POWER, area=county))
    versions = versions_in_force(series, _as_date(on))
    if not versions:
        return None
    return (
        PowerItem.objects.filter(version__in=list(versions.values()), code=(code or "").strip())
        .select_related("implementing_unit").order_by("version__series_id").first()
    )  # fmt: skip


def item_behind(basis: "ExerciseBasis", township: Area, code: str, on: date) -> PowerItem | None:
    """The power item an allowed basis rests on, whose legal basis an act cites: the township's
    own list's item in force, or, for a delegation, the item of the department that delegated it."""
    on, code = _as_date(on), (code or "").strip()
    if basis.source == "power_list":
        versions = versions_in_force(list(ListSeries.objects.filter(kind=ListKind.POWER, area=township)), on)
        return PowerItem.objects.filter(version__in=list(versions.values()), code=code).first() if versions else None
    if basis.source == "delegation":
        delegation = Delegation.objects.select_related("department").get(pk=basis.delegation_id)
        return held_power(delegation.department, code, on)
    return None


# ---- may this unit exercise this power on this date? ----------------------------------------


@dataclass(frozen=True)
class ExerciseBasis:
    allowed: bool
    reason: str  # in Chinese, for the person deciding whether to act
    source: str = ""  # "power_list", "delegation", "department" or "" when not allowed
    item_name: str = ""
    delegation_id: int | None = None


TOWNSHIP_UNIT_KINDS = (Unit.Kind.TOWNSHIP_GOVERNMENT, Unit.Kind.OFFICE, Unit.Kind.SERVICE_CENTRE, Unit.Kind.CENTRE)
DELEGATION_HELD_STATES = (Delegation.State.IN_FORCE, Delegation.State.ADJUSTED, Delegation.State.WITHDRAWN)


def may_exercise(unit: Unit, power_item_code: str, on: date) -> bool:
    """Whether `unit` may exercise the power item `power_item_code` on `on`. See exercise_basis."""
    return exercise_basis(unit, power_item_code, on).allowed


def exercise_basis(unit: Unit, power_item_code: str, on: date) -> ExerciseBasis:
    """Whether and why a unit may exercise a power on a day.

    - A township's government, offices and centres act on the township's own power list in force
      that day, or on a delegation (赋权) to the township that was brought into force, whose
      effective date has come, and that had not been withdrawn or adjusted away by that day.
    - A county department acts on its own items in the county power list in force that day; a
      stationed unit (派驻机构) acts on its home department's.
    - Village committees are self-governing organisations and exercise no administrative power."""
    on = _as_date(on)
    code = (power_item_code or "").strip()
    if not code:
        return ExerciseBasis(False, "未指明权责事项编码")
    if not unit.is_active:
        return ExerciseBasis(False, f"{unit.name}已停用")
    if unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.COUNTY_LEADERSHIP, Unit.Kind.STATIONED):
        holder = unit.home_department if unit.kind == Unit.Kind.STATIONED else unit
        item = held_power(holder, code, on)
        if item is None:
            return ExerciseBasis(False, f"{on:%Y年%m月%d日}施行的县级权责清单中，{holder.name}没有编码为{code}的事项")
        via = f"，{unit.name}作为其派驻机构承办" if unit.kind == Unit.Kind.STATIONED else ""
        return ExerciseBasis(True, f"列入{holder.name}权责清单(第{item.version.number}版)：{item.name}{via}", "department", item.name)
    if unit.kind not in TOWNSHIP_UNIT_KINDS:
        return ExerciseBasis(False, f"{unit.name}是基层群众性自治组织，不行使行政权力")
    township = unit.area
    own = ListSeries.objects.filter(kind=ListKind.POWER, area=township)
    versions = versions_in_force(list(own), on)
    if versions:
        item = PowerItem.objects.filter(version__in=list(versions.values()), code=code).select_related("version").first()
        if item is not None:
            return ExerciseBasis(
                True, f"列入{township.name}权责清单(第{item.version.number}版，{item.version.effective_from:%Y-%m-%d}起施行)：{item.name}",
                "power_list", item.name,
            )
    return _delegation_basis(township, code, on)


def _delegation_basis(township: Area, code: str, on: date) -> ExerciseBasis:
    targets = list(
        DelegationTarget.objects.filter(township=township, delegation__power_code=code)
        .select_related("delegation", "delegation__batch")
        .order_by("-delegation__effective_from", "-pk")
    )
    for target in targets:
        delegation = target.delegation
        start = max(delegation.effective_from, target.valid_from)
        if (
            delegation.in_force_at is not None
            and delegation.state in DELEGATION_HELD_STATES
            and start <= on
            and (target.valid_until is None or on < target.valid_until)
        ):
            return ExerciseBasis(
                True, f"依据赋权清单第{delegation.batch.number}批「{delegation.batch.title}」，自{start:%Y-%m-%d}起由{township.name}行使：{delegation.power_name}",
                "delegation", delegation.power_name, delegation.pk,
            )
    # Not allowed: say the nearest reason, so the person knows what is missing.
    for target in targets:
        delegation = target.delegation
        start = max(delegation.effective_from, target.valid_from)
        if delegation.in_force_at is not None and on < start and delegation.state != Delegation.State.WITHDRAWN:
            return ExerciseBasis(False, f"「{delegation.power_name}」赋予{township.name}自{start:%Y-%m-%d}起施行，{on:%Y-%m-%d}尚不能行使", delegation_id=delegation.pk)
    for target in targets:
        delegation = target.delegation
        if target.valid_until is not None and target.valid_until <= on:
            if delegation.state == Delegation.State.WITHDRAWN:
                return ExerciseBasis(False, f"「{delegation.power_name}」的赋权已于{target.valid_until:%Y-%m-%d}收回", delegation_id=delegation.pk)
            return ExerciseBasis(False, f"「{delegation.power_name}」的赋权经调整，自{target.valid_until:%Y-%m-%d}起不再由{township.name}行使", delegation_id=delegation.pk)
    for target in targets:
        delegation = target.delegation
        if delegation.state == Delegation.State.APPROVED:
            return ExerciseBasis(False, f"「{delegation.power_name}」的赋权已批准但尚未公布施行", delegation_id=delegation.pk)
        if delegation.state == Delegation.State.PROPOSED:
            return ExerciseBasis(False, f"「{delegation.power_name}」的赋权尚在拟议中，未经批准不得行使", delegation_id=delegation.pk)
        if delegation.state == Delegation.State.WITHDRAWN:
            return ExerciseBasis(False, f"「{delegation.power_name}」的赋权已撤回，未曾施行", delegation_id=delegation.pk)
    return ExerciseBasis(False, f"编码为{code}的事项未列入{township.name}权责清单，也未赋予{township.name}")
