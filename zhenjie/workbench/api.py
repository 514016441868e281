"""The inbox and notifications over the API: the same query functions as the workbench pages."""

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhenjie.api.schemas import ERRORS, RecordId, CaseBrief, PageQuery, UnitBrief
from zhenjie.kernel.assignments import inbox_counts
from zhenjie.kernel.models import Notification
from zhenjie.kernel.scoping import get_visible_or_404
from zhenjie.kernel.workflow import registered_kinds

from .inbox import as_rows, filtered_inbox

router = Router(tags=["待办与消息"])


class InboxCounts(Schema):
    pending: int = Field(description="待办总数")
    due_soon: int = Field(description="24小时内到期")
    overdue: int = Field(description="已超期")


class InboxItem(Schema):
    id: int
    todo: str
    todo_label: str
    unit: UnitBrief
    due_at: datetime | None
    due_uncertain: bool
    urgency: str = Field(description="overdue 已超期，soon 24小时内到期，空为正常")
    case: CaseBrief
    kind_label: str
    url: str


class InboxOut(Schema):
    counts: InboxCounts
    count: int
    page: int
    page_size: int
    items: list[InboxItem]


class InboxFilter(PageQuery):
    due: Literal["all", "overdue", "soon"] = "all"
    kind: str | None = Field(None, max_length=32, description="事项类型代码")


def _case_brief(case, state_label: str) -> dict:
    area = case.area
    return {
        "id": case.pk, "kind": case.kind, "number": case.number, "title": case.title, "state": case.state,
        "state_label": state_label, "opened_at": case.opened_at, "due_at": case.due_at,
        "due_uncertain": case.due_uncertain, "closed_at": case.closed_at,
        "area": {"id": area.pk, "code": area.code, "name": area.name, "level": area.level},
    }


@router.get("/inbox", response={200: InboxOut, **ERRORS}, summary="我的待办：所有类型的事项，按期限排序")
def inbox(request, filters: Query[InboxFilter]):
    now = timezone.now()
    kind = filters.kind if filters.kind in registered_kinds() else ""
    counts = inbox_counts(request.auth, now)
    rows = filtered_inbox(request.auth, due=filters.due, kind=kind, now=now, counts=counts)
    start = (filters.page - 1) * filters.page_size
    page = as_rows(rows[start : start + filters.page_size], now)
    items = [
        {
            "id": row.assignment.pk, "todo": row.assignment.todo, "todo_label": row.todo_label,
            "unit": {"id": row.assignment.unit.pk, "name": row.assignment.unit.name, "kind": row.assignment.unit.kind},
            "due_at": row.assignment.due_at, "due_uncertain": row.assignment.due_uncertain, "urgency": row.urgency,
            "case": _case_brief(row.case, row.state_label), "kind_label": row.kind_label, "url": row.url,
        }
        for row in page
    ]
    return {"counts": counts, "count": rows.count(), "page": filters.page, "page_size": filters.page_size, "items": items}


class NotificationOut(Schema):
    id: int
    kind: str  # NotificationKind: new_work, supervision, result, follow_up, warning, system
    title: str
    body: str
    case_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    items: list[NotificationOut]


@router.get("/notifications", response={200: NotificationPageOut, **ERRORS}, summary="我的消息")
def notifications(request, filters: Query[PageQuery]):
    rows = Notification.objects.filter(user=request.auth).order_by("-created_at")
    start = (filters.page - 1) * filters.page_size
    return {
        "count": rows.count(),
        "unread": rows.filter(read_at__isnull=True).count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "items": list(rows[start : start + filters.page_size]),
    }


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读")
def read_notification(request, notification_id: RecordId):
    note = get_visible_or_404(Notification.objects.filter(user=request.auth), "notification.not_found", "消息不存在", pk=notification_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note
