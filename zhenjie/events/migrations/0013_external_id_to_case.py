"""Outside numbers for every kind (kernel/intake.py): an event's 12345 order number or video alarm
id moves onto its case (kernel 0010), so a sender's retry still finds the event it made; then the
event's column, index and constraint go. One set-based update, the same on SQLite and PostgreSQL.

On SQLite, adding the case's column (kernel 0010) rebuilt kernel_case and dropped the command
screen's partial indexes that 0002 made in plain SQL; they are made again here where missing
(IF NOT EXISTS: a fresh database ran kernel 0010 before 0002 and still has them)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def to_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    events = Event.objects.filter(case_id=OuterRef("pk"))
    Case.objects.filter(kind="event").exclude(event__external_id="").update(external_id=Subquery(events.values("external_id")[:1]))


def back_from_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    cases = Case.objects.filter(pk=OuterRef("case_id"))
    Event.objects.exclude(case__external_id="").update(external_id=Subquery(cases.values("external_id")[:1]))


# events 0002's indexes, as it made them
DASHBOARD_INDEXES = [
    "CREATE INDEX IF NOT EXISTS case_event_opened ON kernel_case (opened_at) WHERE kind = 'event'",
    "CREATE INDEX IF NOT EXISTS case_event_open ON kernel_case (area_id, opened_at) WHERE kind = 'event' AND closed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS case_event_closed ON kernel_case (area_id, closed_at) WHERE kind = 'event' AND closed_at IS NOT NULL",
]


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0012_event_reported_declared"),
        ("kernel", "0010_case_external_id"),
    ]

    operations = [
        migrations.RunSQL(sql=DASHBOARD_INDEXES, reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(to_case, back_from_case),
        migrations.RemoveConstraint(model_name="event", name="event_external_unique"),
        migrations.RemoveIndex(model_name="event", name="event_external_id"),
        migrations.RemoveField(model_name="event", name="external_id"),
    ]
