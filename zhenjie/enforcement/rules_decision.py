"""Who may review, decide and extend an enforcement case, said once as the workflow's rules
(kernel/workflow.py `rule=` and `.may(…)`), so buttons, pages, the API and the actions ask the
same question (行政处罚法 Arts. 57, 58, 60).

Imported by workflow.py when a rule is first asked, not at import (the models import it)."""

from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.extensions import may_decide_extension as kernel_may_decide_extension
from zhenjie.kernel.extensions import pending_extension
from zhenjie.kernel.models import Assignment, JournalEntry

from .models import CollectiveMeeting, EnforcementCase, Evidence, LegalReview

# The case's steps of the investigation: whoever took one took part in it.
INVESTIGATION_TODOS = ("register", "investigate", "notify")
INVESTIGATION_VERBS = ("register", "notify", "request_hearing", "submit_review", "ready")
# While the 90 days run and no decision is made, the team may ask for more time.
EXTENDABLE = ("investigating", "notified", "hearing", "reviewing", "deciding")


def enforcement_of(standing) -> EnforcementCase:
    return standing.memo("enforcement", lambda: EnforcementCase.objects.get(case_id=standing.case.pk))


def part_in_investigation(actor, enforcement: EnforcementCase) -> str:
    """How `actor` took part in the investigation of the case, in words, or "" when they did not."""
    case = enforcement.case
    if case.created_by_id == actor.pk:
        return "您登记了本案线索"
    evidence = Evidence.objects.filter(enforcement=enforcement).filter(recorded_by=actor).first() or (
        Evidence.objects.filter(enforcement=enforcement, officers=actor).first()
    )
    if evidence is not None:
        return f"您参与了本案取证(证据「{evidence.title}」)"
    worked = Assignment.objects.filter(case_id=case.pk, todo__in=INVESTIGATION_TODOS, done_by=actor).exists() or (
        Assignment.objects.filter(case_id=case.pk, todo__in=INVESTIGATION_TODOS, user=actor).exists()
    )
    if worked or JournalEntry.objects.filter(case_id=case.pk, actor=actor, verb__in=INVESTIGATION_VERBS).exists():
        return "您承办了本案的调查工作"
    return ""


def independent_reviewer(standing):
    """行政处罚法 Art. 58: the legal review is made by the organ's 法制审核人员, apart from those
    who investigated — never by an officer who took part in this case."""
    if RoleCode.LEGAL_REVIEWER not in standing.roles:
        return None  # the role check refuses in its own words
    part = standing.memo("investigation_part", lambda: part_in_investigation(standing.actor, enforcement_of(standing)))
    if part:
        return Forbidden(
            "enforcement.reviewer_investigated",
            f"{part}，不能审核本案：法制审核须由未参与调查的审核人员进行(《行政处罚法》第五十八条)",
        )
    return None


def latest_review(enforcement: EnforcementCase) -> LegalReview | None:
    return LegalReview.objects.filter(enforcement=enforcement).order_by("-reviewed_at", "-pk").first()


def review_passed(standing) -> bool:
    return standing.memo("review_passed", lambda: getattr(latest_review(enforcement_of(standing)), "passed", False))


def major_needs_review(standing):
    """Art. 58: a 重大执法决定 goes to the decision only through a passed legal review."""
    if enforcement_of(standing).is_major:
        return Conflict(
            "enforcement.review_required",
            "本案为重大执法决定，须经法制审核通过后方可作出决定(《行政处罚法》第五十八条)，请「提交法制审核」",
        )
    return None


def deadline_passed(case) -> bool:
    # Art. 60: the 90 days from registration, paused while suspended; an approved extension has
    # already moved due_at (kernel.extensions), so a late case with one is on time again.
    return case.due_at is not None and case.paused_at is None and timezone.now() > case.due_at


def may_decide(standing):
    """The decision's own conditions, whatever the penalty: Art. 58 (a major case passed its
    review), Art. 57 (a serious case was discussed collectively), Art. 60 (within the 90 days or
    their approved extension)."""
    if RoleCode.TOWNSHIP_LEADER not in standing.roles:
        return None
    enforcement = enforcement_of(standing)
    if enforcement.is_major and not review_passed(standing):
        return Conflict(
            "enforcement.review_required", "本案为重大执法决定，未经法制审核或审核未通过，不得作出决定(《行政处罚法》第五十八条)"
        )
    if enforcement.is_serious and not standing.memo(
        "meeting", lambda: CollectiveMeeting.objects.filter(enforcement=enforcement).exists()
    ):
        return Conflict(
            "enforcement.meeting_required",
            "本案情节复杂或属重大违法行为，须经负责人集体讨论决定(《行政处罚法》第五十七条)，请先登记集体讨论",
        )
    if deadline_passed(standing.case):
        return Conflict(
            "enforcement.decision_late",
            f"已超过作出处罚决定的期限({timezone.localtime(standing.case.due_at):%Y年%m月%d日}，立案之日起90日，《行政处罚法》第六十条)，"
            "须经机关负责人批准延期后方可决定",
        )
    return None


def may_record_meeting(standing):
    """Art. 57: the township's leaders discuss the case collectively before it is decided."""
    if RoleCode.TOWNSHIP_LEADER not in standing.roles:
        return Forbidden("enforcement.meeting_leaders", "只有本乡镇(街道)领导可以登记集体讨论")
    if standing.case.state != "deciding":
        return Conflict("enforcement.meeting_state", "案件待决定时方可登记集体讨论")
    return None


def extension_max(case) -> int:
    """The county's limit on the days all extensions of one case may add (执法设置)."""
    from .policy import policy_at

    return policy_at(case.area.path).extension_max_days


def may_request_extension(standing):
    """Art. 60 "法律、法规、规章另有规定的，从其规定": the officers ask for more time while the
    case is undecided; the township's leader (机关负责人) approves (may_decide_extension)."""
    if RoleCode.ENFORCEMENT_OFFICER not in standing.roles:
        return Forbidden("enforcement.extension_requester", "只有本案执法人员可以申请延长办案期限")
    case = standing.case
    if case.state not in EXTENDABLE or case.due_at is None:
        return Conflict("enforcement.extension_state", "只有已立案、尚未决定且未中止的案件可以申请延长办案期限")
    if pending_extension(standing) is not None:
        return Conflict("enforcement.extension_pending", "已有待审批的延期申请")
    if case.extended_amount >= standing.memo("extension_max", lambda: extension_max(case)):
        return Conflict("enforcement.extension_used", f"本案已延长{case.extended_amount}日，达到本县规定的上限")
    return None


def may_decide_extension(standing):
    """The township's leader decides (kernel rule), never beyond the county's limit however the
    request came in (the kernel's generic endpoint included)."""
    if refused := kernel_may_decide_extension(standing):
        return refused
    request, case = pending_extension(standing), standing.case
    limit = standing.memo("extension_max", lambda: extension_max(case))
    if case.extended_amount + request.amount > limit:
        return Rejected("enforcement.extension_beyond_limit",
                        f"延期超出本县规定：办案期限累计最多延长{limit}日，本案已延长{case.extended_amount}日", field="amount")  # fmt: skip
    return None


def may_classify(standing):
    """Who marks a case major (Art. 58) or serious (Art. 57): its officers and the township's
    leaders, while it is undecided."""
    if not standing.roles & {RoleCode.ENFORCEMENT_OFFICER, RoleCode.TOWNSHIP_LEADER}:
        return Forbidden("enforcement.classify_role", "只有本案执法人员或本乡镇(街道)领导可以认定案件性质")
    if standing.case.state not in EXTENDABLE:
        return Conflict("enforcement.classify_state", "只有已立案、尚未决定的案件可以认定是否重大、复杂")
    return None
