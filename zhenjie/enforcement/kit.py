"""Enforcement cases on the page and API kit (kernel/PAGES.md): each step is the action of the
same name. Registration has its own page (the power picked from the township's list), and on the
step endpoint takes the power's code."""

from zhenjie.workbench.kit import Kind, Step, register

from . import queries
from .actions import lifecycle, transfers
from .forms_transfers import TransferForm
from .kit_hearing import STEPS as HEARING_STEPS
from .kit_decision import DECISION_STEPS

CASES = register(Kind(
    slug="enforcement", workflow=lifecycle.ENFORCEMENT_WORKFLOW, get=queries.get_case_for, title="执法案件",
    steps={
        "register": Step(lambda actor, e, values: lifecycle.register_case(actor, e, values["power_code"], values["endangers_safety"])),
        "decline": Step(lambda actor, e, values: lifecycle.decline_case(actor, e, values["reason"])),
        "transfer_out": Step(lambda actor, e, values: transfers.transfer_case(actor, e, values["reason"], values["department"]),
                             form=lambda data, files, user, e: TransferForm(data, enforcement=e)),
        "accept_transfer": Step(lambda actor, e, values: transfers.accept_transfer(actor, e)),
        "refuse_transfer": Step(lambda actor, e, values: transfers.refuse_transfer(actor, e, values["reason"])),
        "refuse_registered_transfer": Step(lambda actor, e, values: transfers.refuse_transfer(actor, e, values["reason"])),
        "acknowledge_transfer": Step(lambda actor, e, values: transfers.acknowledge_transfer_in(actor, e)),
        "return_transfer": Step(lambda actor, e, values: transfers.return_transfer_in(actor, e, values["reason"])),
        "suspend": Step(lambda actor, e, values: lifecycle.suspend_case(actor, e, values["reason"])),
        "resume": Step(lambda actor, e, values: lifecycle.resume_case(actor, e, values.get("reason", ""))),
        "terminate": Step(lambda actor, e, values: lifecycle.terminate_case(actor, e, values["reason"])),
        **HEARING_STEPS,
        **DECISION_STEPS,
    },
    render="zhenjie.enforcement.views.render_detail", api_schema="zhenjie.enforcement.api.CaseOut",
    columns=queries.COLUMNS, rows=queries.cases_for,
))  # fmt: skip
