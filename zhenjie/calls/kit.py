"""Calls (乡呼县应) on the page and API kit (kernel/PAGES.md): each step is the action of the same
name in calls/actions.py, taking what CALL_WORKFLOW declares (report_back its result, reject and
withdraw a reason, rate a rating and a comment)."""

from zhenjie.workbench.kit import Kind, Step, register

from . import actions, queries
from .workflow import CALL_WORKFLOW

CALLS = register(Kind(
    slug="calls", workflow=CALL_WORKFLOW, get=queries.get_call_for, title="乡呼县应",
    steps={
        "acknowledge": Step(lambda actor, call, values: actions.acknowledge_call(actor, call)),
        "report_back": Step(lambda actor, call, values: actions.report_call(actor, call, values["result"])),
        "confirm": Step(lambda actor, call, values: actions.confirm_call(actor, call)),
        "reject": Step(lambda actor, call, values: actions.reject_call(actor, call, values["reason"])),
        "withdraw": Step(lambda actor, call, values: actions.withdraw_call(actor, call, values["reason"])),
        "rate": Step(lambda actor, call, values: actions.rate_call(actor, call, values["rating"], values["comment"])),
    },
    render="zhenjie.calls.views.render_detail", api_schema="zhenjie.calls.schemas.CallOut",
    columns=queries.COLUMNS, rows=queries.calls_for,
))  # fmt: skip
