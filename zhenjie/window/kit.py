"""Applications on the page and API kit (kernel/PAGES.md): each step is the action of the same
name. The notice and the supplement take the application's own materials, so their forms are
made for the record, and the API has their endpoints (window/api.py), not the generic one."""

from zhenjie.workbench.kit import Kind, Step, register

from . import queries
from .actions import intake, notice
from .forms import NoticeForm, SupplementForm
from .workflow import APPLICATION_WORKFLOW

APPLICATIONS = register(Kind(
    slug="applications", workflow=APPLICATION_WORKFLOW, get=queries.get_application_for, title="办件",
    steps={
        "notify": Step(lambda actor, app, values: notice.issue_notice(actor, app, NoticeForm.problems_from(values)),
                       form=NoticeForm, api=False),
        "supplement": Step(lambda actor, app, values: notice.supplement(actor, app, SupplementForm.supplied_from(values)),
                           form=SupplementForm, api=False),
        "withdraw": Step(lambda actor, app, values: intake.withdraw_application(actor, app, values["reason"])),
    },
    render="zhenjie.window.views.render_detail", api_schema="zhenjie.window.api.ApplicationOut",
    columns=queries.COLUMNS, rows=queries.applications_for, counted=queries.counted_for,
))  # fmt: skip
