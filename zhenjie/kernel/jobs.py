"""Background jobs of the kernel (Huey). They run in the consumer that `manage.py serve` starts;
tests run Huey in immediate mode, so the same code runs there for real."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def redate_uncertain_deadlines(year: int) -> int:
    from .holidays import redate_open_deadlines

    return redate_open_deadlines(year)


@db_periodic_task(crontab(minute="*/5"))
def supervision_sweep() -> dict:
    """Every five minutes: yellow and red cards for deadlines (kernel/supervision.py)."""
    from .supervision import sweep

    return sweep()
