"""The window's background jobs (Huey; kernel/jobs.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def deem_overdue() -> int:
    """Every quarter of an hour: applications whose one-time notice is overdue count as accepted
    (行政许可法 Art. 32(4)); pages and steps settle it too when they read one (actions.notice)."""
    from .actions.notice import sweep_deemed

    return sweep_deemed()


@db_periodic_task(crontab(minute="*/15"))
def close_hall() -> tuple[int, int]:
    """Every quarter of an hour: numbers not called by the hall's closing are void, bookings not
    checked in by their slot's end are missed (actions.hall_closing)."""
    from .actions.hall_closing import sweep_closing

    return sweep_closing()
