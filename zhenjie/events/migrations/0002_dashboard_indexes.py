"""Indexes for analysis and the command screen (issue 5 items 6 and 7). Indexes only.

They live on the kernel's case table but are about events alone, so they are created here,
where the kind is known, and not in the kernel, which never names a domain. Partial, so they
stay small: events by report time, a jurisdiction's open events, its closed ones by day. Plain SQL, valid on SQLite and
PostgreSQL alike; a query uses them when it names the kind and the open/closed condition on the
case row itself (events.analysis.jurisdiction_events does)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        # Events reported in a period, for jurisdictions too wide for the area index (a county).
        migrations.RunSQL(
            sql="CREATE INDEX case_event_opened ON kernel_case (opened_at) WHERE kind = 'event'",
            reverse_sql="DROP INDEX case_event_opened",
        ),
        # Open events of a jurisdiction, newest first: live counts and the map's points.
        migrations.RunSQL(
            sql="CREATE INDEX case_event_open ON kernel_case (area_id, opened_at) WHERE kind = 'event' AND closed_at IS NULL",
            reverse_sql="DROP INDEX case_event_open",
        ),
        # Events of a jurisdiction closed in a period: "closed today" and the closed-per-day trend.
        migrations.RunSQL(
            sql="CREATE INDEX case_event_closed ON kernel_case (area_id, closed_at) WHERE kind = 'event' AND closed_at IS NOT NULL",
            reverse_sql="DROP INDEX case_event_closed",
        ),
    ]
