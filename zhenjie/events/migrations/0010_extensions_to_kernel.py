"""Extensions for any kind (kernel/extensions.py): each events row becomes a kernel row on the
event's case, with the same id (clients may hold the id of a pending request), then the events
model goes. A copy rather than SeparateDatabaseAndState because the key changes meaning (event →
case). On PostgreSQL the kernel table's id sequence is moved past the copied ids."""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "amount", "reason", "requested_by_id", "requested_at", "state", "decided_by_id", "decided_at")


def to_kernel(apps, schema_editor):
    Old, New = apps.get_model("events", "Extension"), apps.get_model("kernel", "Extension")
    rows = Old.objects.values(*FIELDS, "event__case_id").order_by("pk")
    New.objects.bulk_create([New(case_id=row.pop("event__case_id"), **row) for row in rows], batch_size=500)
    _reset_sequence(schema_editor, New)


def back_to_events(apps, schema_editor):
    Old, New, Event = apps.get_model("events", "Extension"), apps.get_model("kernel", "Extension"), apps.get_model("events", "Event")
    event_of = dict(Event.objects.values_list("case_id", "pk"))
    rows = New.objects.filter(case__kind="event").values(*FIELDS, "case_id").order_by("pk")
    Old.objects.bulk_create([Old(event_id=event_of[row.pop("case_id")], **row) for row in rows], batch_size=500)
    _reset_sequence(schema_editor, Old)


def _reset_sequence(schema_editor, model):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0009_tracking_to_case"),
        ("kernel", "0009_extension"),
    ]

    operations = [
        migrations.RunPython(to_kernel, back_to_events),
        migrations.DeleteModel(
            name="Extension",
        ),
    ]
