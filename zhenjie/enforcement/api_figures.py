"""GET /api/enforcement/figures: 执法统计 (figures.py) as the page shows it."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS

from . import figures as figures_of
from .api_execution import PublicityFiguresOut

router = Router(tags=["综合执法"])


class FiguresFilter(Schema):
    # Text, not dates: kernel.periods checks them once and says what is wrong in Chinese.
    start: str = Field("", max_length=20, description="线索登记日期起(含，YYYY-MM-DD)，默认为截止日期前30天")
    end: str = Field("", max_length=20, description="线索登记日期止(含)，默认为今天；期间不超过366天")
    township: str = Field("", max_length=20, description="只统计该乡镇(街道)(区划ID)")


class PowerRowOut(Schema):
    code: str = Field(description="权责事项编码；尚未立案的线索为空")
    name: str
    counts: dict[str, int] = Field(description="opened 线索, registered 立案, summary 简易程序, decided 作出处罚决定, declined 不予立案, "
                                               "transferred 移送部门, returned 退回部门移送, terminated 终结, closed_paid / closed_court / "
                                               "closed_other 结案(缴清/法院执行/其他), open 在办, on_time 按期决定, late 超期决定")
    on_time_rate: float | None = Field(description="按期决定率(%)，普通程序")


class ReviewsOut(Schema):
    reviews: int
    returned: int
    return_rate: float = Field(description="法制审核退回率(%)")


class HearingsOut(Schema):
    requested: int
    held: int
    absent_or_withdrawn: int
    pending: int


class TransfersOut(Schema):
    sent: int = Field(description="移出(或移入)件数")
    accepted: int
    refused: int
    pending: int
    on_time: int = Field(description="在签收时限内答复")
    late: int = Field(description="超过签收时限答复")
    pending_overdue: int = Field(description="超过签收时限仍未答复")


class PenaltiesOut(Schema):
    fines_decided: Decimal
    paid: Decimal
    surcharge_collected: Decimal = Field(description="加处罚款(缴款超出罚款本金部分)")
    outstanding: Decimal = Field(description="在办案件未缴罚款")
    court_applications: int
    court_enforced: int
    court_refused: int
    court_pending: int


class EnforcementFiguresOut(Schema):
    start: date
    end: date
    township_id: int | None
    powers: list[PowerRowOut]
    total: PowerRowOut
    reviews: ReviewsOut
    hearings: HearingsOut
    transfers_out: TransfersOut
    transfers_in: TransfersOut
    penalties: PenaltiesOut
    publicity: PublicityFiguresOut

    @staticmethod
    def resolve_township_id(found):
        return found.township.pk if found.township else None


@router.get("/enforcement/figures", response={200: EnforcementFiguresOut, **ERRORS},
            summary="执法统计：按权责事项与办理结果、按期决定、法制审核退回率、听证、移送、罚没、公示")  # fmt: skip
def enforcement_figures(request, filters: Query[FiguresFilter]):
    """辖区内线索登记日期在期间内的执法案件(口径同页面 /enforcement/figures/)。"""
    chosen = figures_of.choose(request.auth, start=filters.start, end=filters.end, township=filters.township)
    return figures_of.figures_for(request.auth, chosen)
