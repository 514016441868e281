"""The rules of transfers (案件移送, part 8) that the workflow's `rule=` and the buttons read: which
way a refused transfer goes back, and who acknowledges a department's transfer in. Imported by
workflow.py, so it imports none of the app's modules at load."""

from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.workflow import UNIT, Input

# The work a transfer puts in the receiving side's inbox, with its deadline (执法设置).
ACKNOWLEDGE = "acknowledge_transfer"

# transfer_out names the receiving county department (its reason is the workflow's needs_reason).
TRANSFER_INPUTS = (Input("department", "接收部门", UNIT, required=True, help="县直部门；可参考立案审查时提示的事项实施部门"),)


def _registered(standing) -> bool:
    def read():
        from .models import EnforcementCase

        return EnforcementCase.objects.filter(case_id=standing.case.pk, registered_at__isnull=False).exists()

    return standing.memo("enforcement.registered", read)


def may_refuse_unregistered_transfer(standing) -> Conflict | None:
    """A lead transferred before registration goes back to the team as a lead."""
    if _registered(standing):
        return Conflict("enforcement.transfer_registered", "该案已立案，退回后回到调查取证")
    return None


def may_refuse_registered_transfer(standing) -> Conflict | None:
    """A registered case goes back to its investigation."""
    if not _registered(standing):
        return Conflict("enforcement.transfer_unregistered", "该案尚未立案，退回后回到待立案")
    return None


def acknowledged_and_certified(standing):
    """The `rule=` of the team's steps on a lead (register, decline, transfer_out, summary_decide):
    a department's transfer is acknowledged (签收) or returned first, so that the answer is on
    record and its deadline met; then the officer's certificate (certificates.certified)."""
    from .certificates import certified

    if any(work.todo == ACKNOWLEDGE for work in standing.open_work):
        return Conflict("enforcement.transfer_not_acknowledged", "该案为部门移送，请先签收(或退回)后再办理")
    return certified(standing)


def may_acknowledge_transfer_in(standing):
    """The team's officer, while a department's transfer waits for its acknowledgement, certified
    (Art. 42: acknowledging takes the case on as the team's)."""
    from .certificates import certified

    if not any(work.todo == ACKNOWLEDGE for work in standing.open_work):
        return Conflict("enforcement.no_transfer_in", "该案没有待签收的部门移送")
    return certified(standing)
