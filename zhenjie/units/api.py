from typing import Literal

from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import AreaBrief, ERRORS, PageOut, PageQuery, RecordId, page_of

from . import queries
from .models import Unit

router = Router(tags=["机构"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    area: AreaBrief
    home_department_id: int | None
    phone: str


class UnitPageOut(PageOut):
    items: list[UnitOut]


class UnitFilter(PageQuery):
    q: str | None = Field(None, max_length=50, description="按名称搜索")
    kind: Literal[tuple(Unit.Kind.values)] | None = Field(None, description="机构类型")  # type: ignore[valid-type]


@router.get("/units", response={200: UnitPageOut, **ERRORS}, summary="可见的机构：辖区内机构、本人所在机构和县直部门")
def list_units(request, filters: Query[UnitFilter]):
    return page_of(queries.units_for(request.auth, search=filters.q or "", kind=filters.kind or ""), filters)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="一个机构")
def get_unit(request, unit_id: RecordId):
    return queries.get_unit_for(request.auth, unit_id)
