from datetime import date
from typing import Literal

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS, MAX_ID, PageOut, PageQuery, RecordId, page_of

from . import queries

router = Router(tags=["行政区划"])


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    township_kind: str
    is_developed: bool
    village_kind: str
    center_lng: float | None
    center_lat: float | None
    retired_on: date | None = Field(None, description="区划调整撤销之日；未撤销为空")
    successor_id: int | None = Field(None, description="撤销后承继其地域的区划")


class AreaDetailOut(AreaOut):
    boundary: dict | None


class AreaPageOut(PageOut):
    items: list[AreaOut]


class AreaFilter(PageQuery):
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="只列出该区划的下级")
    level: Literal["county", "township", "village", "grid"] | None = None
    q: str | None = Field(None, max_length=50, description="按名称或代码搜索")
    retired: bool = Field(False, description="同时列出因区划调整撤销的区划(历史)")


@router.get("/areas", response={200: AreaPageOut, **ERRORS}, summary="辖区内的行政区划")
def list_areas(request, filters: Query[AreaFilter]):
    rows = queries.areas_for(request.auth).order_by("path")
    if not filters.retired:
        rows = rows.live()
    if filters.parent:
        rows = rows.filter(parent_id=filters.parent)
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.q:
        rows = rows.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return page_of(rows.defer("boundary"), filters)


@router.get("/areas/{area_id}", response={200: AreaDetailOut, **ERRORS}, summary="一个区划(含边界)")
def get_area(request, area_id: RecordId):
    return queries.get_area_for(request.auth, area_id)

