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


@db_periodic_task(crontab(hour="0", minute="30"))
def anchor_journal() -> str:
    """Every night: the heads of every chain to a file outside the database, and to the receiver
    when one is configured (kernel/anchors.py; 等保 8.1.4.3 c)."""
    from django.conf import settings

    from .anchors import write_anchor

    path = write_anchor()
    if settings.JOURNAL_ANCHOR_URL:
        send_journal_anchor(path.name)
    return path.name


# A receiver that is down tonight gets the anchor when it is back: a retry every 10 minutes for
# a day. Each failure is logged (anchors.send).
@db_task(retries=144, retry_delay=600)
def send_journal_anchor(name: str) -> None:
    from .anchors import directory, send

    send(directory() / name)


# Messages out of the platform (kernel/delivery.py): the deliveries an action queued, once it has
# committed; and every minute those due again after a failure (back-off, settings.NOTIFY_RETRY_MINUTES).
@db_task()
def send_deliveries(ids: list[int]) -> list[str]:
    from .delivery import attempt

    return [attempt(pk) for pk in ids]


@db_periodic_task(crontab(minute="*"))
def retry_deliveries() -> int:
    from .delivery import sweep

    return sweep()


# An archive package (kernel/archive.py): a case's files can reach gigabytes, so it is built here,
# after the request committed; the page shows the package's state meanwhile.
@db_task()
def build_archive_package(package_id: int) -> str:
    from .archive import build_package

    return build_package(package_id).state
