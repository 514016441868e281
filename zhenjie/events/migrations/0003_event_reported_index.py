"""The event list's order (events.queries.events_for: newest report first) as an index. Index only.

Without it both databases read every visible event and sort them to show 20; with it they walk
the index from the newest and stop after the page (bench/events.py, docs/PERFORMANCE.md). Plain
SQL, as 0002, valid on SQLite and PostgreSQL alike."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0002_dashboard_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX event_reported ON events_event (reported_at DESC, id DESC)",
            reverse_sql="DROP INDEX event_reported",
        ),
    ]
