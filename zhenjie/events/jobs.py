"""Background jobs of events (Huey; registered by EventsConfig.ready)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(hour="0", minute="10"))
def count_yesterday() -> int:
    """Just after midnight: count the day that is over (and any missing day of the command
    screen's window) for every township, so no one opening the screen waits for it; and open
    tomorrow's ledger, which the day's reports and closes will keep (events/daily.py)."""
    from django.utils import timezone

    from zhenjie.areas.models import Area
    from . import daily

    today = timezone.localdate()
    townships = list(Area.objects.filter(level=Area.Level.TOWNSHIP).only("pk", "path"))
    daily.ensure_days(townships, today - timedelta(days=daily.WARM_DAYS), today)
    daily.open_ledger(townships, today + timedelta(days=1))
    return len(townships)


@db_task()
def count_window(township_path: str) -> None:
    """Count a township's missing days of the window and open tomorrow's ledger, unless tomorrow
    is within the hour (after its first report of a day, or a day forgotten)."""
    from django.utils import timezone

    from zhenjie.areas.models import Area

    from . import daily

    today = timezone.localdate()
    township = list(Area.objects.filter(path=township_path, level=Area.Level.TOWNSHIP))
    daily.ensure_days(township, today - timedelta(days=daily.WARM_DAYS), today)
    if timezone.localtime().hour < 23:  # a report may be dated up to an hour ahead (daily.open_ledger)
        daily.open_ledger(township, today + timedelta(days=1))


@db_task()
def check_pile_up(event_id: int) -> bool:
    """The early warning's count for one report, after the report's commit (issue 11: nobody needs
    it before the reporter's answer, and at a million events it was a third of the create). A
    warning thus follows its report by the queue's delay; a report rolled back never counts."""
    from .early_warning import check_after_report
    from .models import Event

    event = Event.objects.select_related("case__area", "category").filter(pk=event_id).first()
    return event is not None and check_after_report(event) is not None
