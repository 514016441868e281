"""Reads of transfers (part 8), always for a user (kernel.scoping): whoever may see the case sees
its transfers — the team its township's, a department those it sent or was sent (it holds or
held the acknowledgement or the sending on the case), no one another township's."""

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhenjie.kernel.scoping import case_is_visible
from zhenjie.workbench.excel import Column

from .models import Answer, Direction, Transfer


def transfers_for(user) -> QuerySet[Transfer]:
    """Newest first; a fixed number of queries whatever the rows."""
    return (
        Transfer.objects.filter(case_is_visible(user, "enforcement__case_id"))
        .select_related("enforcement__case__area", "enforcement__team", "enforcement__party", "department", "team")
        .order_by("-sent_at", "-pk")
    )


def filtered(rows: QuerySet[Transfer], direction: str = "", answer: str = "") -> QuerySet[Transfer]:
    """The list's filters; values that are not the model's choices are ignored (the API's
    schema refuses them first)."""
    if direction in Direction.values:
        rows = rows.filter(direction=direction)
    if answer in Answer.values:
        rows = rows.filter(answer=answer)
    return rows


def is_overdue(transfer: Transfer) -> bool:
    """Not acknowledged yet and past its deadline; an answer given late stays late on the row.
    The same rule in SQL for counting: answered_late / pending_overdue (figures.py)."""
    answered = transfer.answered_at or timezone.now()
    return answered > transfer.acknowledge_due


# The deadline is the acknowledge_transfer assignment's due time, copied on the row when sent.
ANSWERED = Q(answered_at__isnull=False)
ANSWERED_LATE = Q(answered_at__gt=F("acknowledge_due"))


def pending_overdue(now) -> Q:
    return Q(answered_at__isnull=True, acknowledge_due__lt=now)


COLUMNS = (
    Column("案件编号", lambda t: t.enforcement.case.number, 24), Column("案由", lambda t: t.enforcement.case.title, 30),
    Column("方向", lambda t: t.get_direction_display(), 16), Column("县直部门", lambda t: t.department.name, 20),
    Column("执法机构", lambda t: t.team.name, 20), Column("移送函文号", lambda t: t.letter_number, 22),
    Column("移送理由", lambda t: t.reason, 40), Column("移送时间", lambda t: t.sent_at), Column("签收时限", lambda t: t.acknowledge_due),
    Column("签收情况", lambda t: t.get_answer_display(), 8), Column("签收时间", lambda t: t.answered_at),
    Column("超时", lambda t: "是" if is_overdue(t) else "", 6), Column("退回理由", lambda t: t.answer_reason, 30),
)  # fmt: skip
