"""每月一题's job (Huey): on the first of each month, lead units that have not reported the month
just ended are reminded (actions.remind_progress)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day="1", hour="9", minute="0"))
def remind_topic_progress() -> int:
    from .actions import remind_progress

    return remind_progress()
