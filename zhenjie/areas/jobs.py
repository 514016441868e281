"""Background jobs of the area tree (Huey): area changes (区划调整) scheduled for a later date
take effect on it."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="0", minute="1"))
def apply_due_area_changes(today: str | None = None) -> list[int]:
    """Just after midnight: apply the area changes effective today (or earlier, when the
    consumer was down). `today` (ISO date) is for tests and for running it by hand."""
    from datetime import date

    from django.utils import timezone

    from .changes import apply_due_changes

    day = date.fromisoformat(today) if today else timezone.localdate()
    return [change.pk for change in apply_due_changes(day)]
