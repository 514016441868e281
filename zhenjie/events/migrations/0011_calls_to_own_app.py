"""Calls move to their own app (zhenjie/calls), keyed on the parent case alone: `Call.event`
said again what `case.parent` says. The table (events_call) and its rows stay; only Django's
record of which app owns the model changes (calls 0001 takes it over). Before the column goes,
every call's case is made sure to have its event's case as parent. Reversible: going back the
column returns, filled from the parent."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def parent_from_event(apps, schema_editor):
    Case, Call = apps.get_model("kernel", "Case"), apps.get_model("events", "Call")
    calls = Call.objects.filter(case_id=OuterRef("pk"))
    Case.objects.filter(kind="call", parent__isnull=True).update(parent_id=Subquery(calls.values("event__case_id")[:1]))


def event_from_parent(apps, schema_editor):
    Case, Call, Event = apps.get_model("kernel", "Case"), apps.get_model("events", "Call"), apps.get_model("events", "Event")
    parents = Case.objects.filter(pk=OuterRef(OuterRef("case_id"))).values("parent_id")[:1]
    events = Event.objects.filter(case_id=Subquery(parents))
    Call.objects.update(event_id=Subquery(events.values("pk")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0010_extensions_to_kernel"),
        ("kernel", "0009_extension"),
    ]

    operations = [
        migrations.AlterField(
            model_name="call",
            name="event",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="calls", to="events.event", verbose_name="事件"),
        ),
        migrations.RunPython(parent_from_event, event_from_parent),
        migrations.RemoveField(model_name="call", name="event"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Call")]),
    ]
