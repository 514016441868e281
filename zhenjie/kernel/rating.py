"""One rating (好差评) on the case, for every kind: five grades, once per case, with an optional
comment, journaled. Who may rate, and when, is the kind's rule: the "rate" action its workflow
declares (kernel.workflow `.may("rate", …)`), which the page reads through permitted_actions and
this action enforces. See CASE_SERVICES.md beside this file."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import journal
from .errors import ActionError, Conflict, Rejected
from .models import Case
from .workflow import rule_of

# 好差评's five grades, best first (国办发〔2019〕51号 as GB/T 39734/39735 and provincial rules
# apply it; shared/reference/statutory-deadlines.md §8): 不满意 and 非常不满意 count as 差评.
GRADES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
COMMENT_MAX = 500

# A rule: None when `actor` may rate `case` now, else the refusal to raise (Forbidden for the
# wrong person, Conflict for the wrong moment). By default the kind's declared "rate" rule.
RaterRule = Callable[[Any, Case], ActionError | None]


def may_rate(actor, case: Case, rater_may: RaterRule | None = None) -> bool:
    """Whether to offer the rating form (the action decides)."""
    return case.rating is None and (rater_may or rule_of("rate"))(actor, case) is None


@transaction.atomic
def rate(actor, case: Case, grade: int, comment: str = "", *, rater_may: RaterRule | None = None) -> Case:
    """Rate `case` once. Of two ratings at once exactly one lands; the other is a Conflict and
    writes nothing. The comment goes on the case and in the journal entry's note."""
    if (refused := (rater_may or rule_of("rate"))(actor, case)) is not None:
        raise refused
    if isinstance(grade, bool) or grade not in GRADES:
        raise Rejected("rating.grade_invalid", "请选择1至5星的评价", field="rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Rejected("rating.comment_too_long", f"评价意见不能超过{COMMENT_MAX}字", field="comment")
    now = timezone.now()
    if not Case.objects.filter(pk=case.pk, rating__isnull=True).update(rating=grade, rating_comment=comment, rated_at=now):
        raise Conflict("rating.already_rated", "已评价过，每件只能评价一次")
    case.rating, case.rating_comment, case.rated_at = grade, comment, now
    journal.record(actor=actor, verb="rate", case=case, summary=f"评价：{GRADES[grade]}", note=comment,
                   from_state=case.state, to_state=case.state, data={"rating": grade})
    from . import followups

    followups.after_rating(actor, case, grade)  # a 差评 opens a follow-up (回访), in this transaction
    return case
