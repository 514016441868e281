"""Who may take the steps of service, execution and publicity, said once for the actions, the
buttons and the API (the workflow's `.may(...)` rules): the team's officers in the case's
township record consent, payments, the 催告书, the court application and the publication; the township's
leaders approve a deferral or instalments (行政处罚法 Art. 66: 经…行政机关批准); officers and
leaders archive a closed case."""

from zhenjie.kernel.errors import Conflict, Forbidden

from .workflow import LEADERS, OFFICERS, State

# Before the decision is served, consent to e-service may be signed at any time of the case.
CONSENT_STATES = frozenset({State.INVESTIGATING, State.NOTIFIED, State.HEARING, State.REVIEWING, State.DECIDING, State.DECIDED})
PUBLISHABLE_STATES = frozenset({State.EXECUTING, State.CLOSED})  # decided and served (Art. 48)
ARCHIVABLE_STATES = frozenset({State.CLOSED, State.TERMINATED, State.NOT_REGISTERED, State.TRANSFERRED})


def _officer(standing, message: str) -> Forbidden | None:
    if standing.holds(OFFICERS) or standing.assigned():
        return None
    return Forbidden("enforcement.execution.forbidden", message)


def may_record_consent(standing) -> Conflict | Forbidden | None:
    if standing.case.state not in CONSENT_STATES:
        return Conflict(
            "enforcement.consent.wrong_state", f"案件当前为「{standing.case.state_label}」，送达前方可登记电子送达确认书"
        )
    return _officer(standing, "只有本案的执法人员可以登记电子送达确认书")


def may_execute(standing) -> Conflict | Forbidden | None:
    """Payments and the court application: while the decision is being executed."""
    if standing.case.state != State.EXECUTING:
        return Conflict(
            "enforcement.execution.wrong_state", f"案件当前为「{standing.case.state_label}」，送达后、结案前方可登记执行情况"
        )
    return _officer(standing, "只有本案的执法人员可以登记执行情况")


def may_remind(standing) -> Conflict | Forbidden | None:
    """The 催告书 (行政强制法 Art. 54): while the decision is being executed, by the case's officers."""
    if standing.case.state != State.EXECUTING:
        return Conflict("enforcement.execution.wrong_state", f"案件当前为「{standing.case.state_label}」，送达后、结案前方可催告")
    return _officer(standing, "只有本案的执法人员可以催告当事人履行")


def may_approve_plan(standing) -> Conflict | Forbidden | None:
    if standing.case.state != State.EXECUTING:
        return Conflict(
            "enforcement.execution.wrong_state",
            f"案件当前为「{standing.case.state_label}」，送达后、结案前方可批准暂缓或分期缴纳",
        )
    if not standing.holds(LEADERS):
        return Forbidden("enforcement.plan.forbidden", "暂缓或分期缴纳罚款须经乡镇(街道)领导批准")
    return None


def may_publish(standing) -> Conflict | Forbidden | None:
    if standing.case.state not in PUBLISHABLE_STATES:
        return Conflict("enforcement.publicity.wrong_state", f"案件当前为「{standing.case.state_label}」，处罚决定送达后方可公示")
    if standing.holds(OFFICERS | LEADERS) or standing.assigned():
        return None
    return Forbidden("enforcement.publicity.forbidden", "只有本乡镇(街道)的执法人员和领导可以办理执法公示")


def may_withdraw(standing) -> Forbidden | None:
    if standing.holds(OFFICERS | LEADERS):
        return None
    return Forbidden("enforcement.publicity.forbidden", "只有本乡镇(街道)的执法人员和领导可以撤回公示")


def may_archive(standing) -> Conflict | Forbidden | None:
    if not standing.holds(OFFICERS | LEADERS):
        return Forbidden("enforcement.archive.forbidden", "只有本乡镇(街道)的执法人员和领导可以归档执法案件")
    if standing.case.state not in ARCHIVABLE_STATES:
        return Conflict("enforcement.archive.open", f"案件当前为「{standing.case.state_label}」，结案后方可归档")
    return None
