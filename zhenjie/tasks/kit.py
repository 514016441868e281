"""Tasks on the page and API kit (kernel/PAGES.md): each step is the action of the same name."""

from zhenjie.workbench.kit import Kind, Step, register

from . import actions, queries
from .workflow import TASK_WORKFLOW

TASKS = register(Kind(
    slug="tasks", workflow=TASK_WORKFLOW, get=queries.get_task_for, title="交办件",
    steps={
        "acknowledge": Step(lambda actor, task, values: actions.acknowledge_task(actor, task)),
        "report_back": Step(lambda actor, task, values: actions.report_task(actor, task, values["result"])),
        "close": Step(lambda actor, task, values: actions.close_task(actor, task)),
        "return": Step(lambda actor, task, values: actions.return_task(actor, task, values["reason"])),
        "cancel": Step(lambda actor, task, values: actions.cancel_task(actor, task, values["reason"])),
    },
    render="zhenjie.tasks.views.render_detail", api_schema="zhenjie.tasks.api.TaskOut",
    columns=queries.COLUMNS, rows=queries.tasks_for,
))  # fmt: skip
