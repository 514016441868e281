"""GET /api/window/figures: the window's figures (window/figures.py) as the page shows them, for
the integrator to mount (`api.add_router("", router)` in zhenjie/api/urls.py)."""

from datetime import date

from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS
from zhenjie.kernel.ids import MAX_ID

from . import figures as figures_of

router = Router(tags=["便民服务"])


class FiguresFilter(Schema):
    received_from: date | None = Field(None, description="收件日期起(含)，默认为截止日期前30天")
    received_to: date | None = Field(None, description="收件日期止(含)，默认为今天；期间不超过366天")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="只统计该审批单位")
    item: str | None = Field(None, max_length=figures_of.ITEM_CODE_MAX, description="只统计该事项(编码)")


class PapersOut(Schema):
    deferred: int = Field(description="容缺后补的材料份数")
    on_time: int = Field(description="按期补齐的份数")
    late: int = Field(description="逾期补齐的份数")
    overdue: int = Field(description="逾期仍未补齐的份数")


class FiguresRowOut(Schema):
    key: int | str | None = Field(description="审批单位ID或事项编码；合计为空")
    name: str
    counts: dict[str, int] = Field(description="各统计项的件数(received 收件, decided, late, delivered, one_visit, notified, notice_late, "
                                               "deferred, deferred_late, rated, rating_1…rating_5, follow_up, follow_up_on_time, follow_up_late)")
    on_time: int = Field(description="按期决定件数")
    on_time_rate: float | None = Field(description="按期办结率(%)")
    one_visit_rate: float | None = Field(description="最多跑一次率(%)：一次齐全且无须再跑÷已送达")
    papers: PapersOut
    papers_on_time_rate: float | None = Field(description="容缺材料按期补齐率(%)")
    average_rating: float | None = Field(description="平均评分(1–5)")
    follow_up_on_time_rate: float | None = Field(description="差评按期整改率(%)")
    applications: dict[str, str] = Field(description="每项件数背后的办件：办件列表的查询串(from, to, unit, item, measure)")

    @staticmethod
    def resolve_applications(row):
        return row.links


class FiguresOut(Schema):
    received_from: date
    received_to: date
    total: FiguresRowOut
    items: list[FiguresRowOut]
    units: list[FiguresRowOut]


@router.get("/window/figures", response={200: FiguresOut, **ERRORS}, summary="便民服务办件统计：按期办结率、最多跑一次率、容缺补齐、告知逾期、好差评及整改")
def window_figures(request, filters: Query[FiguresFilter]):
    """按办理事项、按审批单位统计辖区内收件日期在期间内的办件(口径同页面 /window/figures/)。"""
    chosen = figures_of.choose(request.auth, start=filters.received_from, end=filters.received_to, unit=filters.unit, item=filters.item or "")
    found = figures_of.figures(request.auth, chosen)
    return {"received_from": chosen.start, "received_to": chosen.end, "total": found.total, "items": found.items, "units": found.units}
