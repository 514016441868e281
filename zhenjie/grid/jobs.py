"""Background jobs of the grid (Huey; `manage.py serve` runs the consumer, tests run Huey in
immediate mode)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="0", minute="20"))
def open_due_visit_tasks() -> dict:
    """Every night: a visit task (走访任务) in the covering grid worker's inbox for each key person
    whose visit falls due today or earlier and has none; tasks that no longer stand withdrawn
    (actions/visitwork.py)."""
    from .actions.visitwork import create_due_visit_tasks

    return create_due_visit_tasks()
