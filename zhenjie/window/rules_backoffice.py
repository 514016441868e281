"""Who may ask for and who may approve an extension of an application's decision limit
(行政许可法 Art. 42: +10 working days, joint items +15, "经本行政机关负责人批准"). Declared on the
workflow as the "request_extension" / "decide_extension" rules (kernel/CASE_SERVICES.md), so the
kernel's extension service, the pages and the API all ask the same question."""

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel.errors import Conflict, Forbidden
from zhenjie.kernel.extensions import pending_extension

REVIEWING = "reviewing"  # workflow.State.REVIEWING (this module is imported by workflow.py)


def _deciding(standing) -> bool:
    """A back-office handler of the case's place, or a member of a deciding unit (its open `decide`)."""
    if RoleCode.BACK_OFFICE_HANDLER in standing.roles:
        return True
    reach = standing.reach
    return any(w.todo == "decide" and w.unit_id in reach.unit_ids for w in standing.open_work)


def may_request_extension(standing):
    if not _deciding(standing):
        return Forbidden("window.extension_requester", "只有该办件的审批单位可以申请延期")
    if standing.case.state != REVIEWING:
        return Conflict("window.extension_state", "只有审批中的办件可以申请延期")
    if pending_extension(standing) is not None:
        return Conflict("window.extension_pending", "已有待审批的延期申请")
    return None


def _allowance(case) -> int | None:
    """Working days Art. 42 still allows, or None for a case without a clock."""
    from .clock import extension_left
    from .models import StatutoryClock

    clock = StatutoryClock.objects.filter(application__case_id=case.pk).first()
    return None if clock is None else extension_left(clock, case)


def deciding_department(case):
    """The county department leading the decision, or None when the township's back office decides."""
    from zhenjie.units.models import Unit

    from .models import DecisionRoute

    lead = DecisionRoute.objects.filter(application__case_id=case.pk, lead=True).select_related("unit").first()
    return lead.unit if lead is not None and lead.unit.kind == Unit.Kind.DEPARTMENT else None


def may_decide_extension(standing):
    """Art. 42: "经本行政机关负责人批准" — the head of the deciding agency: the department's head
    (部门负责人) when a county department decides, else a leader of the case's township; and
    never beyond what the statute allows, however the request came in."""
    request = pending_extension(standing)
    if request is None:
        return Conflict("window.no_extension", "没有待审批的延期申请")
    department = standing.memo("window_deciding_department", lambda: deciding_department(standing.case))
    if department is not None:
        if RoleCode.DEPARTMENT_LEADER not in standing.reach.roles_in_unit(department.pk):
            return Forbidden("window.extension_approver", f"只有审批部门({department.name})的负责人可以审批延期")
    elif RoleCode.TOWNSHIP_LEADER not in standing.roles:
        return Forbidden("window.extension_approver", "只有本乡镇(街道)领导可以审批延期")
    left = standing.memo("window_extension_left", lambda: _allowance(standing.case))
    if left is not None and request.amount > left:
        return Conflict("window.extension_beyond_statute", f"延期超出法定上限：依《中华人民共和国行政许可法》第四十二条，本件最多还可延长{left}个工作日")
    return None
