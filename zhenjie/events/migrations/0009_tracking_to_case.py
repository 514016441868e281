"""Tracking codes for any kind (kernel/tracking.py): the digest of a citizen's code moves from the
event onto its case, so the codes already given out keep working; then the event's column goes.
One set-based update, the same on SQLite and PostgreSQL."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def to_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    events = Event.objects.filter(case_id=OuterRef("pk"))
    Case.objects.filter(kind="event").exclude(event__tracking_digest="").update(tracking_digest=Subquery(events.values("tracking_digest")[:1]))


def back_from_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    cases = Case.objects.filter(pk=OuterRef("case_id"))
    Event.objects.exclude(case__tracking_digest="").update(tracking_digest=Subquery(cases.values("tracking_digest")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0008_ratings_to_case"),
        ("kernel", "0007_case_tracking_digest"),
    ]

    operations = [
        migrations.RunPython(to_case, back_from_case),
        migrations.RemoveField(
            model_name="event",
            name="tracking_digest",
        ),
    ]
