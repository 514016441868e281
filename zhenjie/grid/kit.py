"""Referrals (走访转介) on the page and API kit (kernel/PAGES.md): each step is the action of the
same name. Visit tasks need no page of their own: the inbox row opens the person's visit form."""

from zhenjie.workbench.kit import Kind, Step, register

from . import queries
from .actions import visitwork
from .workflow import REFERRAL_WORKFLOW

REFERRALS = register(Kind(
    slug="referrals", workflow=REFERRAL_WORKFLOW, get=queries.get_referral_for, title="走访转介",
    steps={
        "acknowledge": Step(lambda actor, referral, values: visitwork.acknowledge_referral(actor, referral)),
        "answer": Step(lambda actor, referral, values: visitwork.answer_referral(actor, referral, values["result"])),
        "withdraw": Step(lambda actor, referral, values: visitwork.withdraw_referral(actor, referral, values["reason"])),
    },
    render="zhenjie.grid.views.visitwork.render_referral", api_schema="zhenjie.grid.api.ReferralOut",
    columns=queries.REFERRAL_COLUMNS, rows=queries.referrals_for,
))  # fmt: skip
