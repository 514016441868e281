"""The response time of a 乡呼县应 call moves from the events' county settings (EventPolicy) to
the kernel's (SupervisionPolicy, kernel 0013): calls are a case service of any kind and no longer
read the events app for it. Each county's value is copied, then the events column goes; backwards,
the value is copied back onto the (re-added) column."""

from django.db import migrations

DEFAULT_HOURS = 2
LOWEST, HIGHEST = 1, 72  # the range the settings action has always checked; the kernel's column holds it as a constraint


def to_kernel(apps, schema_editor):
    """Each county with event settings gets its response time on its supervision settings (made
    with their defaults where the county had none). A value written past the settings action
    (shell, database) outside 1–72 is brought to the nearest bound rather than failing the move."""
    EventPolicy, SupervisionPolicy = apps.get_model("events", "EventPolicy"), apps.get_model("kernel", "SupervisionPolicy")
    for county_id, hours in EventPolicy.objects.values_list("county_id", "call_acknowledge_hours").order_by("county_id"):
        hours = min(max(hours, LOWEST), HIGHEST)
        SupervisionPolicy.objects.update_or_create(county_id=county_id, defaults={"call_acknowledge_hours": hours})


def back_to_events(apps, schema_editor):
    """Counties with event settings, or a response time other than the default, get it back on
    their event settings; the others read the events' default (2 hours) as before."""
    EventPolicy, SupervisionPolicy = apps.get_model("events", "EventPolicy"), apps.get_model("kernel", "SupervisionPolicy")
    for county_id, hours in SupervisionPolicy.objects.values_list("county_id", "call_acknowledge_hours").order_by("county_id"):
        if hours != DEFAULT_HOURS or EventPolicy.objects.filter(county_id=county_id).exists():
            EventPolicy.objects.update_or_create(county_id=county_id, defaults={"call_acknowledge_hours": hours})


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0014_event_day"),
        ("kernel", "0013_supervision_call_acknowledge_hours"),
    ]

    operations = [
        migrations.RunPython(to_kernel, back_to_events),
        migrations.RemoveField(
            model_name="eventpolicy",
            name="call_acknowledge_hours",
        ),
    ]
