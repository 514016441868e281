from datetime import datetime
from typing import Annotated

from ninja import Field, Path, Schema

from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.ids import MAX_ID
from zhenjie.workbench.paging import CURSOR_MAX, CursorError, capped_count, cursor_after, rows_after

# Database ids are 64-bit: anything larger is not an id, and is answered 400 before any query
# (the same bound as the pages' <id:…> converter, kernel/ids.py).
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录ID")]


class ErrorOut(Schema):
    code: str = Field(description="稳定的错误代码，如 case.conflict")
    message: str = Field(description="给用户看的中文说明")
    fields: dict[str, str] = Field(default_factory=dict, description="出错的字段及原因")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="页码，从1开始")
    page_size: int = Field(20, ge=1, le=100, description="每页条数，最多100")
    cursor: str | None = Field(None, max_length=CURSOR_MAX, description="上一页返回的 next_cursor：从该处接着翻页(代替 page，深翻页更快)")


class PageOut(Schema):
    """One page of a list; subclasses add `items`."""

    count: int = Field(description="条数；count_capped 为 true 时只数到这里，实际更多")
    count_capped: bool = Field(False, description="条数超过上限（10000），未数完；请用筛选条件缩小范围")
    page: int = Field(description="页码")
    page_size: int = Field(description="每页条数")
    next_cursor: str | None = Field(None, description="下一页的游标(作为 cursor 传回)；没有下一页或此列表不支持游标时为空")


def page_of(rows, query: PageQuery, known: tuple[int, bool] | None = None) -> dict:
    """Two queries whatever the rows: the count, no further than the lists' cap, and the page;
    one when the (count, capped) is `known` (counted from the indexes by the caller)."""
    count, capped = known if known is not None else capped_count(rows)
    if query.cursor:
        try:
            items = list(rows_after(rows, query.cursor)[: query.page_size + 1])
        except CursorError:
            raise Rejected("page.cursor_invalid", "翻页游标无效，请从第一页重新开始", field="cursor") from None
    else:
        start = (query.page - 1) * query.page_size
        items = list(rows[start : start + query.page_size + 1])
    more, items = len(items) > query.page_size, items[: query.page_size]  # one row more says whether a next page exists
    return {"count": count, "count_capped": capped, "page": query.page, "page_size": query.page_size, "items": items,
            "next_cursor": cursor_after(rows, items[-1]) if more and items else None}  # fmt: skip


class AreaBrief(Schema):
    id: int
    code: str
    name: str
    level: str


class UnitBrief(Schema):
    id: int
    name: str
    kind: str


class CaseBrief(Schema):
    id: int
    kind: str
    number: str
    title: str
    state: str
    state_label: str
    area: AreaBrief
    opened_at: datetime
    due_at: datetime | None
    due_uncertain: bool
    closed_at: datetime | None


class TimelineOut(Schema):
    """One entry of a case's journal (kernel.journal), whatever its kind: every kind's timeline."""

    seq: int = Field(description="序号，从1开始")
    verb: str = Field(description="步骤代码，如 open、dispatch、close")
    summary: str
    actor_name: str
    from_state: str
    to_state: str
    note: str = Field(description="理由或说明")
    created_at: datetime


class CasePartyOut(Schema):
    """A party of a case as any list shows it: masked (kernel.parties)."""

    id: int
    role: str = Field(description="reporter 上报人、applicant 申请人、party 当事人、petitioner 信访人、agent 代理人")
    role_label: str
    kind: str = Field(alias="party.kind", description="person 个人、organisation 单位")
    name: str = Field(alias="party.name")
    id_number: str = Field(alias="party.id_number_masked", description="身份证号或统一社会信用代码(脱敏)")
    phone: str = Field(alias="party.phone_masked", description="联系电话(脱敏)")
    acting_for: int | None = Field(alias="acting_for_id", description="代理人所代理的当事人记录ID")

    @staticmethod
    def resolve_role_label(link):
        return link.get_role_display()
