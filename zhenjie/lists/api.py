"""The lists' API. Published lists are read without login (/api/public/lists/…); staff read the
lists that apply to them, and county administrators edit drafts and publish (/api/lists/…).
Same queries and actions as the pages; errors are {code, message, fields}.

An item travels as {code, name, position, values}: `values` holds every column of the list's
layout by field name — choices as codes, units by name, categories and steps as lists, a service
item's materials as objects — and is accepted back in the same shape."""

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from zhenjie.api.schemas import AreaBrief, ERRORS, MAX_ID, PageOut, PageQuery, RecordId, UnitBrief, page_of
from zhenjie.areas.queries import get_area_for
from zhenjie.kernel.errors import NotFound
from zhenjie.units.queries import get_unit_for

from . import actions, queries
from .diffs import diff_versions
from .layouts import as_json, layout_for
from .models import Delegation, ListKind, ListVersion
from .routing import route_for
from .search import SEARCH_MAX, clean_query

router = Router(tags=["清单"])
public_router = Router(tags=["清单公开"], auth=None)

Kind = Literal[tuple(ListKind.values)]  # type: ignore[valid-type]
ItemCode = Path(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", description="事项编码")
TownshipCode = Path(..., pattern=r"^\d{12}$", description="乡镇(街道)12位区划代码")


class VersionOut(Schema):
    id: int
    list_id: int = Field(alias="series_id")
    number: int
    state: str
    effective_from: date | None
    item_count: int
    note: str
    published_at: datetime | None
    published_by: str | None

    @staticmethod
    def resolve_published_by(version):
        return version.published_by.display_name if version.published_by_id else None

    @staticmethod
    def resolve_item_count(version):
        return queries.item_count(version)


class ListOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    area: AreaBrief
    current_version: VersionOut | None = Field(None, description="今天施行的版本")
    draft_version_id: int | None = None


class ListPageOut(PageOut):
    items: list[ListOut]


class ItemOut(Schema):
    id: int
    code: str
    name: str
    position: int
    values: dict[str, Any]


class ItemPageOut(PageOut):
    items: list[ItemOut]


class ItemQuery(PageQuery):
    q: str = Field("", max_length=SEARCH_MAX, description="按名称、编码或拼音首字母搜索")


class ListIn(Schema):
    kind: Kind
    name: str = Field(min_length=1, max_length=100)
    area_id: int = Field(ge=1, le=MAX_ID)


class ItemIn(Schema):
    values: dict[str, Any] = Field(description="各列的值，字段名见清单布局；单位填全称")


class PublishIn(Schema):
    effective_from: date
    note: str = Field("", max_length=500)


class DiffQuery(Schema):
    base: int = Field(ge=1, le=MAX_ID, description="比较基准版本ID")
    other: int = Field(ge=1, le=MAX_ID, description="比较版本ID")


class FieldChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str


class ItemBriefOut(Schema):
    code: str
    name: str


class ItemChangeOut(Schema):
    code: str
    name: str
    fields: list[FieldChangeOut]


class DiffOut(Schema):
    base_version_id: int
    other_version_id: int
    added: list[ItemBriefOut]
    removed: list[ItemBriefOut]
    changed: list[ItemChangeOut]


class ExerciseQuery(Schema):
    unit_id: int = Field(ge=1, le=MAX_ID)
    power_code: str = Field(min_length=1, max_length=64)
    on: date | None = Field(None, description="日期，默认今天")


class ExerciseOut(Schema):
    allowed: bool
    reason: str
    source: str
    item_name: str
    delegation_id: int | None


class RouteQuery(Schema):
    category: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", description="事件类别代码")
    area_id: int = Field(ge=1, le=MAX_ID)
    on: date | None = None


class RouteOut(Schema):
    found: bool
    item_code: str | None = None
    matter: str | None = None
    domain: str | None = None
    lead_department: UnitBrief | None = None
    lead_in_township: UnitBrief | None = None
    township_duty: str | None = None


class TargetOut(Schema):
    township: AreaBrief
    receiving_unit: UnitBrief | None
    trained_staff: int
    valid_from: date
    valid_until: date | None


class DelegationOut(Schema):
    id: int
    batch: str
    power_code: str
    power_name: str
    power_type: str
    department: UnitBrief
    scope: str
    state: str
    effective_from: date
    withdrawn_on: date | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_batch(delegation):
        return str(delegation.batch)

    @staticmethod
    def resolve_targets(delegation):
        return list(delegation.targets.all())


class DelegationPageOut(PageOut):
    items: list[DelegationOut]


class DelegationFilter(PageQuery):
    state: Literal[tuple(Delegation.State.values)] | None = None  # type: ignore[valid-type]


def _item(layout, item) -> dict:
    return {"id": item.pk, "code": item.code, "name": item.name, "position": item.position, "values": as_json(layout, item)}


def _item_page(version: ListVersion, filters: ItemQuery) -> dict:
    layout = layout_for(version.series.kind)
    rows = queries.items_of(version, clean_query(filters.q))
    page = page_of(rows, filters)
    page["items"] = [_item(layout, item) for item in page["items"]]
    return page


def _lists(series_rows, with_drafts: bool) -> list[dict]:
    series_rows = list(series_rows)
    in_force = queries.versions_in_force(series_rows, timezone.localdate())
    drafts = {}
    if with_drafts:
        drafts = dict(ListVersion.objects.filter(series__in=series_rows, state=ListVersion.State.DRAFT).values_list("series_id", "pk"))
    return [
        {
            "id": s.pk, "kind": s.kind, "kind_label": s.get_kind_display(), "name": s.name, "area": s.area,
            "current_version": in_force.get(s.pk), "draft_version_id": drafts.get(s.pk),
        }
        for s in series_rows
    ]


# ---- public: published lists, no login ------------------------------------------------------


@public_router.get("/public/lists/townships", response={200: list[AreaBrief], **ERRORS}, summary="有公开清单的乡镇(街道)")
def public_townships(request):
    return list(queries.public_townships())


@public_router.get("/public/lists/townships/{code}/lists", response={200: list[ListOut], **ERRORS}, summary="某乡镇(街道)现行的清单")
def public_lists(request, code: str = TownshipCode, kind: Kind | None = None):
    township = queries.get_public_township(code)
    versions = queries.public_versions_of(township, timezone.localdate(), kind)
    return _lists([v.series for v in versions], with_drafts=False)


@public_router.get("/public/lists/versions/{version_id}/items", response={200: ItemPageOut, **ERRORS}, summary="已发布版本的事项")
def public_items(request, version_id: RecordId, filters: Query[ItemQuery]):
    return _item_page(queries.get_public_version(version_id), filters)


@public_router.get("/public/lists/versions/{version_id}/items/{code}", response={200: ItemOut, **ERRORS}, summary="已发布版本的一个事项(含办事指南)")
def public_item(request, version_id: RecordId, code: str = ItemCode):
    version = queries.get_public_version(version_id)
    return _item(layout_for(version.series.kind), queries.item_of(version, code))


# ---- staff ----------------------------------------------------------------------------------


class ListFilter(PageQuery):
    kind: Kind | None = None


@router.get("/lists", response={200: ListPageOut, **ERRORS}, summary="适用于本人的清单")
def list_lists(request, filters: Query[ListFilter]):
    rows = queries.series_for(request.auth)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    page = page_of(rows, filters)
    page["items"] = _lists(page["items"], with_drafts=True)
    return page


@router.post("/lists", response={201: ListOut, **ERRORS}, summary="新建清单(县级管理员)")
def create_list(request, payload: ListIn):
    try:
        area = get_area_for(request.auth, payload.area_id)
    except NotFound:
        raise NotFound("area.not_found", "适用区划不存在或不在您的辖区内", field="area_id") from None
    series = actions.create_list(request.auth, kind=payload.kind, name=payload.name, area=area)
    return Status(201, _lists([series], with_drafts=True)[0])


@router.get("/lists/{list_id}/versions", response={200: list[VersionOut], **ERRORS}, summary="清单的全部版本")
def list_versions(request, list_id: RecordId):
    series = queries.get_series_for(request.auth, list_id)
    return list(series.versions.select_related("published_by").order_by("-number"))


@router.post("/lists/{list_id}/draft", response={201: VersionOut, **ERRORS}, summary="建立草稿(复制最新发布版本)")
def start_draft(request, list_id: RecordId):
    series = queries.get_series_for(request.auth, list_id)
    return Status(201, actions.start_draft(request.auth, series))


@router.get("/lists/versions/{version_id}/items", response={200: ItemPageOut, **ERRORS}, summary="某版本的事项(含草稿)")
def version_items(request, version_id: RecordId, filters: Query[ItemQuery]):
    return _item_page(queries.get_version_for(request.auth, version_id), filters)


@router.post("/lists/versions/{version_id}/items", response={201: ItemOut, **ERRORS}, summary="在草稿中新增事项")
def add_item(request, version_id: RecordId, payload: ItemIn):
    version = queries.get_version_for(request.auth, version_id)
    item = actions.add_item(request.auth, version, payload.values)
    return Status(201, _item(layout_for(version.series.kind), queries.item_by_id(version, item.pk)))


@router.put("/lists/versions/{version_id}/items/{code}", response={200: ItemOut, **ERRORS}, summary="修改草稿中的事项")
def change_item(request, version_id: RecordId, payload: ItemIn, code: str = ItemCode):
    version = queries.get_version_for(request.auth, version_id)
    item = actions.change_item(request.auth, version, queries.item_of(version, code), payload.values)
    return _item(layout_for(version.series.kind), item)


@router.delete("/lists/versions/{version_id}/items/{code}", response={204: None, **ERRORS}, summary="删除草稿中的事项")
def remove_item(request, version_id: RecordId, code: str = ItemCode):
    version = queries.get_version_for(request.auth, version_id)
    actions.remove_item(request.auth, version, queries.item_of(version, code))
    return Status(204, None)


@router.post("/lists/versions/{version_id}/publish", response={200: VersionOut, **ERRORS}, summary="发布草稿")
def publish(request, version_id: RecordId, payload: PublishIn):
    version = queries.get_version_for(request.auth, version_id)
    return actions.publish_version(request.auth, version, effective_from=payload.effective_from, note=payload.note)


@router.get("/lists/diff", response={200: DiffOut, **ERRORS}, summary="比较两个版本")
def diff(request, query: Query[DiffQuery]):
    base = queries.get_version_for(request.auth, query.base)
    other = queries.get_version_for(request.auth, query.other)
    result = diff_versions(base, other)
    return {
        "base_version_id": base.pk, "other_version_id": other.pk,
        "added": result.added, "removed": result.removed, "changed": result.changed,
    }


@router.get("/lists/exercise", response={200: ExerciseOut, **ERRORS}, summary="某机构在某日能否行使某项权力")
def exercise(request, query: Query[ExerciseQuery]):
    unit = get_unit_for(request.auth, query.unit_id)
    return queries.exercise_basis(unit, query.power_code, query.on or timezone.localdate())


@router.get("/lists/route", response={200: RouteOut, **ERRORS}, summary="事件类别的主体责任部门(属地管理事项清单)")
def route(request, query: Query[RouteQuery]):
    area = get_area_for(request.auth, query.area_id)
    found = route_for(query.category, area, query.on)
    if found is None:
        return {"found": False}
    return {
        "found": True, "item_code": found.item_code, "matter": found.matter, "domain": found.domain,
        "lead_department": found.lead_department, "lead_in_township": found.lead_in_township, "township_duty": found.township_duty,
    }


@router.get("/lists/delegations", response={200: DelegationPageOut, **ERRORS}, summary="赋权事项")
def delegations(request, filters: Query[DelegationFilter]):
    rows = queries.delegations_for(request.auth)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return page_of(rows, filters)
