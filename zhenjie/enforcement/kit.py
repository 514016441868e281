"""Enforcement cases on the page and API kit (kernel/PAGES.md): each step is the action of the
same name. Registration has its own page (the power picked from the township's list), and on the
step endpoint takes the power's code."""

from zhenjie.workbench.kit import Kind, Step, register

from . import queries
from .actions import lifecycle
from .kit_hearing import STEPS as HEARING_STEPS
from .kit_decision import DECISION_STEPS

CASES = register(Kind(
    slug="enforcement", workflow=lifecycle.ENFORCEMENT_WORKFLOW, get=queries.get_case_for, title="执法案件",
    steps={
        "register": Step(lambda actor, e, values: lifecycle.register_case(actor, e, values["power_code"], values["endangers_safety"])),
        "decline": Step(lambda actor, e, values: lifecycle.decline_case(actor, e, values["reason"])),
        "transfer_out": Step(lambda actor, e, values: lifecycle.transfer_case(actor, e, values["reason"])),
        "suspend": Step(lambda actor, e, values: lifecycle.suspend_case(actor, e, values["reason"])),
        "resume": Step(lambda actor, e, values: lifecycle.resume_case(actor, e, values.get("reason", ""))),
        "terminate": Step(lambda actor, e, values: lifecycle.terminate_case(actor, e, values["reason"])),
        **HEARING_STEPS,
        **DECISION_STEPS,
    },
    render="zhenjie.enforcement.views.render_detail", api_schema="zhenjie.enforcement.api.CaseOut",
    columns=queries.COLUMNS, rows=queries.cases_for,
))  # fmt: skip
