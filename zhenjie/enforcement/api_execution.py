"""Service, execution and publicity over the API: where a case's execution stands, the
publicity figures, and the county's settings (GET/PUT). The steps themselves (serve, payments,
the plan, the 催告, the court, close, publish, withdraw) are the kit's step endpoint
`POST /api/enforcement/{id}/{step}` (kit_execution.py)."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema

from zhenjie.api.schemas import ERRORS, RecordId
from zhenjie.kernel.county_settings import NOT_COUNTY_ADMIN
from zhenjie.kernel.scoping import administered_county

from . import policy, publicity, queries
from .execution_status import status_of
from .models import Publication, Reminder

router = Router(tags=["综合执法"])


class EnforcementServiceOut(Schema):
    method: str = Field(description="in_person 当场交付、left 留置送达、post 邮寄送达、notice 公告送达、electronic 电子送达")
    served_on: date
    received_by: str
    tracking_number: str
    late: bool = Field(description="超过《行政处罚法》第六十一条的7个工作日送达")
    payment_due_on: date
    receipt_id: int | None = Field(description="送达回证(文书ID)")


class EnforcementPaymentOut(Schema):
    amount: Decimal
    paid_on: date
    reference: str


class EnforcementDueOut(Schema):
    due_on: date
    amount: Decimal


class CourtApplicationOut(Schema):
    id: int
    applied_on: date
    court: str
    result: str = Field(description="pending 待法院裁定、enforced 法院已强制执行、refused 法院不予执行")
    result_on: date | None
    late: bool


class ReminderOut(Schema):
    id: int
    served_on: date
    method: str = Field(description="送达方式，同 service.method")
    fine_owed: Decimal = Field(description="催告时未缴罚款")
    surcharge_owed: Decimal = Field(description="催告时加处罚款")
    amount_owed: Decimal
    pay_by: date = Field(description="履行期限(送达后不少于十日，《行政强制法》第五十四条)")
    statement: str = Field(description="当事人陈述、申辩(《行政强制法》第三十六条)")
    answer: str = Field(description="复核意见")
    document_id: int | None = Field(description="催告书(文书ID)")


class EnforcementPublicationOut(Schema):
    social_impact: bool
    due_on: date | None
    published_at: datetime | None
    late: bool
    withdrawn_at: datetime | None
    withdrawal_reason: str
    withdrawal_late: bool
    overdue: bool = Field(description="应公示而逾期未公示")


class EnforcementExecutionOut(Schema):
    fine: Decimal
    service: EnforcementServiceOut | None
    schedule: list[EnforcementDueOut] = Field(description="缴纳期限(暂缓或分期经批准的，按批准的计划)")
    payments: list[EnforcementPaymentOut]
    surcharge: Decimal = Field(description="截至今日的加处罚款(每日3%，不超过罚款数额)")
    paid: Decimal
    balance: Decimal = Field(description="尚欠(罚款与加处罚款合计减已缴)")
    overdue: bool
    reminders: list[ReminderOut] = Field(description="催告(申请人民法院强制执行前，《行政强制法》第五十四条)")
    court_applications: list[CourtApplicationOut]
    publication: EnforcementPublicationOut | None


@router.get("/enforcement/{case_id}/execution", response={200: EnforcementExecutionOut, **ERRORS}, summary="送达、执行与公示情况")
def execution(request, case_id: RecordId):
    enforcement = queries.get_case_for(request.auth, case_id)
    status = status_of(enforcement)
    publication = Publication.objects.filter(enforcement=enforcement).first()
    return {
        "fine": status.fine, "service": status.service, "schedule": [{"due_on": d, "amount": a} for d, a in status.schedule],
        "payments": status.payments, "surcharge": status.surcharge, "paid": status.paid, "balance": status.balance,
        "overdue": status.overdue, "court_applications": status.court_applications,
        "reminders": list(Reminder.objects.filter(enforcement=enforcement).order_by("served_on", "pk")),
        "publication": None if publication is None else {**{f: getattr(publication, f) for f in (
            "social_impact", "due_on", "published_at", "late", "withdrawn_at", "withdrawal_reason", "withdrawal_late")},
            "overdue": publicity.publication_overdue(publication)},
    }  # fmt: skip


class PublicityFiguresOut(Schema):
    published: int
    published_late: int = Field(description="逾期公示")
    overdue_unpublished: int = Field(description="应公示而逾期未公示")
    withdrawn: int
    withdrawn_late: int = Field(description="逾期撤回(超过3个工作日)")
    served_late: int = Field(description="逾期送达(超过7个工作日)")


@router.get("/enforcement/figures/publicity", response={200: PublicityFiguresOut, **ERRORS}, summary="执法公示与送达统计(辖区内)")
def figures(request):
    return publicity.figures_for(request.auth)


class EnforcementPolicyOut(Schema):
    county_id: int | None = None
    publish_within_days: int = Field(description="处罚决定公示时限(工作日)")
    payment_days: int = Field(description="罚款缴纳期限(日)")
    certificate_expiring_days: int = Field(description="执法证到期提醒(天)")
    extension_max_days: int = Field(description="办案期限延长上限(日)")
    transfer_acknowledge_days: int = Field(description="案件移送签收时限(工作日)")
    version: int


class EnforcementPolicyIn(Schema):
    publish_within_days: int | None = Field(None, description="1至20")
    payment_days: int | None = Field(None, description="15至60")
    certificate_expiring_days: int | None = Field(None, description="1至180")
    extension_max_days: int | None = Field(None, description="0至90")
    transfer_acknowledge_days: int | None = Field(None, description="1至30")
    version: int | None = Field(None, description="读取时的版本；他人已修改时返回409")


@router.get("/enforcement/settings", response={200: EnforcementPolicyOut, **ERRORS}, summary="执法设置(本县)")
def get_settings(request):
    county = administered_county(request.auth, refuse=NOT_COUNTY_ADMIN)
    return policy.policy_for(county)


@router.put("/enforcement/settings", response={200: EnforcementPolicyOut, **ERRORS}, summary="修改执法设置(县级管理员)")
def put_settings(request, payload: EnforcementPolicyIn):
    values = {k: v for k, v in payload.dict().items() if v is not None and k != "version"}
    return policy.update_enforcement_policy(request.auth, version=payload.version, **values)
