"""The one-time notice (一次性告知) and the applicant's supplement (补正).

行政许可法 Art. 32(4): materials incomplete or not in the legal form — the applicant is told, on
the spot or within five working days, everything that must be supplemented, at once; if not, the
application counts as accepted from the day the materials were received. So:

- a notice names every material still missing or defective, each with what is wrong;
- a later notice (after a supplement that fell short) may only name materials the first named;
- past the five working days no notice is issued: the application is deemed accepted from its
  receipt (or from the supplement that restarted the check), and the front desk must accept it.
  `settle_deemed` says so at every read and act, and the job `window.jobs.deem_overdue` sweeps."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhenjie.kernel import deadlines, documents, journal, workflow
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import NotificationKind
from zhenjie.kernel.notify import notify_users, people_to_act
from zhenjie.kernel.scoping import unscoped
from zhenjie.lists.models import MaterialForm

from ..models import Application, ApplicationMaterial, MaterialStatus, Notice, NoticeItem
from ..notices import KIND as NOTICE_KIND
from ..workflow import State
from .intake import COPIES_MAX, NOTICE_LIMIT, PROBLEM_MAX, check_assignment

NOT_YET_SUPPLIED = (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)


def receipt_of_round(application: Application):
    """When the materials now being checked came in: the receipt, or the last supplement."""
    last = application.notices.exclude(supplied_at=None).order_by("-round").first()
    return last.supplied_at if last else application.received_at


def settle_deemed(application: Application, now=None) -> bool:
    """Mark the application deemed accepted when the front desk let the five working days pass
    without a notice (Art. 32(4)); True when it is (now or already). Idempotent, and safe when
    two requests settle at once: only the one whose update finds it unsettled writes the journal."""
    if application.deemed_accepted:
        return True
    now = now or timezone.now()
    case = application.case
    if case.state != State.RECEIVED or application.notice_due_at >= now:
        return False
    accepted_at = receipt_of_round(application)
    with transaction.atomic():
        won = Application.objects.filter(pk=application.pk, deemed_accepted=False).update(deemed_accepted=True, accepted_at=accepted_at)
        if won:
            journal.record(
                actor=None, verb="deemed_accepted", case=case, from_state=case.state, to_state=case.state,
                summary="逾期未一次性告知，依法视为受理",
                note=f"收件后5个工作日内未一次性告知需补正的材料，自{timezone.localtime(accepted_at):%Y-%m-%d}起视为受理(行政许可法第三十二条)，请及时办理受理。",
            )  # fmt: skip
            _tell_front_desk(application, accepted_at)
    application.deemed_accepted, application.accepted_at = True, accepted_at
    return True


def _tell_front_desk(application: Application, accepted_at) -> None:
    # Once, with the write that won: the desk that let the five days pass must accept it now, and
    # the clock runs from the receipt already (Art. 32(4)). A warning (kernel/NOTIFY.md kinds).
    desk = check_assignment(application)
    notify_users(
        people_to_act(desk.unit, desk.role), f"逾期未告知，已视为受理：{application.case.title}",
        f"编号 {application.case.number}：收件后5个工作日内未一次性告知，依法自{timezone.localtime(accepted_at):%Y-%m-%d}起视为受理，"
        "审批期限已开始计算，请立即办理受理。", application.case, kind=NotificationKind.WARNING,
    )  # fmt: skip


@dataclass(kw_only=True)
class Supplied:
    form: str  # lists.MaterialForm
    copies: int


def _clean_problems(application: Application, problems: dict[int, str]) -> dict[ApplicationMaterial, str]:
    materials = {m.pk: m for m in application.materials.all()}
    if not problems:
        raise Rejected("notice.problems_required", "请列明需要补正的材料及存在的问题", field="problems")
    if set(problems) - set(materials):
        raise Rejected("notice.material_unknown", "所列材料不属于本申请，请刷新页面后重新填写", field="problems")
    named = {}
    for pk, text in problems.items():
        material = materials[pk]
        text = " ".join(str(text or "").split())
        if not text:
            raise Rejected("notice.problem_required", f"请写明材料「{material.name}」存在的问题", field="problems")
        if len(text) > PROBLEM_MAX:
            raise Rejected("notice.problem_too_long", f"材料「{material.name}」的问题说明不能超过{PROBLEM_MAX}字", field="problems")
        named[material] = text
    # 一次性: everything still wanted goes in this notice — none may be kept for a later one.
    left_out = [m.name for m in materials.values() if m.status in NOT_YET_SUPPLIED and m not in named]
    if left_out:
        raise Rejected("notice.incomplete", f"一次性告知须列明全部需补正的材料，还缺：{'、'.join(left_out)}", field="problems")
    return named


def issue_notice(actor, application: Application, problems: dict[int, str]) -> Notice:
    """Tell the applicant once, in a numbered notice, every material to bring or correct:
    `problems` maps the application's material (ApplicationMaterial id) to what is wrong.

    Past the five working days the notice is refused, and the deemed acceptance found on the way
    stays recorded: it is settled in its own transaction, which the refusal does not undo."""
    if settle_deemed(application):
        raise Conflict("notice.deemed_accepted", "收件已超过5个工作日未一次性告知，依法视为受理，不能再出具告知书，请办理受理")
    return _issue_notice(actor, application, problems)


@transaction.atomic
def _issue_notice(actor, application: Application, problems: dict[int, str]) -> Notice:
    named = _clean_problems(application, problems)
    first = application.notices.filter(round=1).first()
    if first is not None:
        # 一次告知: a second notice may name again only what the first named.
        earlier = set(first.items.values_list("material_id", flat=True))
        if new := [m.name for m in named if m.pk not in earlier]:
            raise Rejected("notice.new_item", f"一次性告知：首次告知未列明的材料不能再次告知({'、'.join(new)})", field="problems")

    def no_clock(case):  # the applicant's time is not the office's: the check's clock restarts with the supplement
        case.due_at, case.due_uncertain = None, False

    case = workflow.perform(actor, application.case, "notify", before_save=no_clock)
    lines = [f"{i}. {m.name}：{text}" for i, (m, text) in enumerate(sorted(named.items(), key=lambda p: p[0].position), 1)]
    document = documents.issue_document(actor, case, NOTICE_KIND, extra={"problems": "\n".join(lines)})
    notice = Notice.objects.create(
        application=application, round=application.notices.count() + 1, document=document, issued_at=document.issued_at,
        issued_by=actor,
    )  # fmt: skip
    for material, text in named.items():
        status = MaterialStatus.MISSING if material.status in (MaterialStatus.MISSING, MaterialStatus.DEFERRED) else MaterialStatus.DEFECTIVE
        ApplicationMaterial.objects.filter(pk=material.pk).update(status=status, problem=text, supplied_at=None)
        NoticeItem.objects.create(notice=notice, material=material, problem=text)
    return notice


@transaction.atomic
def supplement(actor, application: Application, supplied: dict[int, Supplied]) -> Application:
    """The applicant brought what the last notice asked for (all or part of it): those materials
    are received, and the check starts again with five working days of its own."""
    notice = application.notices.order_by("-round").first()
    if notice is None or application.case.state != State.NOTIFIED:
        raise Conflict("supplement.no_notice", "该申请当前没有待补正的告知，不能登记补正")
    asked = {item.material_id: item.material for item in notice.items.select_related("material")}
    if not supplied:
        raise Rejected("supplement.required", "请勾选已补正的材料", field="materials")
    if set(supplied) - set(asked):
        raise Rejected("supplement.not_asked", "只能登记告知书中列明的材料", field="materials")
    for pk, paper in supplied.items():
        name = asked[pk].name
        if paper.form not in MaterialForm.values:
            raise Rejected("supplement.form_invalid", f"请选择材料「{name}」的收取形式", field="materials")
        if not isinstance(paper.copies, int) or not 1 <= paper.copies <= COPIES_MAX:
            raise Rejected("supplement.copies_invalid", f"材料「{name}」的份数应为1到{COPIES_MAX}", field="materials")
    now = timezone.now()

    def restart(case):
        deadlines.start(case, NOTICE_LIMIT, now)

    case = workflow.perform(actor, application.case, "supplement", assign=[check_assignment(application)], before_save=restart)
    for pk, paper in supplied.items():
        ApplicationMaterial.objects.filter(pk=pk).update(status=MaterialStatus.RECEIVED, form=paper.form, copies=paper.copies, problem="", supplied_at=now)
    Notice.objects.filter(pk=notice.pk).update(supplied_at=now)
    Application.objects.filter(pk=application.pk).update(notice_due_at=case.due_at)
    application.notice_due_at = case.due_at
    return application


def sweep_deemed(now=None, batch: int = 500) -> int:
    """Settle every application whose notice is overdue, in every county (a job acts for no one)."""
    now = now or timezone.now()
    rows = (
        unscoped(Application, why="the deemed-acceptance sweep runs for every county")
        .filter(deemed_accepted=False, case__state=State.RECEIVED, notice_due_at__lt=now)
        .select_related("case").order_by("notice_due_at")[:batch]
    )  # fmt: skip
    return sum(settle_deemed(application, now) for application in rows)
