"""Background jobs of the integrations (Huey): imports too large to run inside a request."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def run_hotline_import(import_id: int) -> str:
    from .hotline_import import run

    return run(import_id)


@db_task()
def deliver_hotline_answer(answer_id: int) -> str:
    """One try of one answer to the 12345 hotline; the next is scheduled by answers.attempt."""
    from .answers import attempt

    return attempt(answer_id)


@db_periodic_task(crontab(minute="*/10"))
def sweep_hotline_answers() -> int:
    """Every ten minutes: pending answers whose scheduled try was lost are tried again."""
    from .answers import sweep

    return sweep()
