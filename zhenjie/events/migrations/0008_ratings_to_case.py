"""One rating on the case (kernel/rating.py): an event's comment and time, and a call's rating
and comment, move onto kernel.Case; then the old columns go.

An event's grade is already on Case.rating. A call's rating was kept on the call alone; its time
is the call's 'rate' journal entry, or its confirmation for a rating without one. Set-based
updates (one statement per field), the same on SQLite and PostgreSQL."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def to_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    Call = apps.get_model("events", "Call")
    JournalEntry = apps.get_model("kernel", "JournalEntry")

    events = Event.objects.filter(case_id=OuterRef("pk"))
    Case.objects.filter(kind="event", event__rated_at__isnull=False).update(
        rating_comment=Subquery(events.values("rating_comment")[:1]), rated_at=Subquery(events.values("rated_at")[:1])
    )
    calls = Call.objects.filter(case_id=OuterRef("pk"))
    rated = JournalEntry.objects.filter(case_id=OuterRef("pk"), verb="rate").order_by("seq").values("created_at")[:1]
    Case.objects.filter(kind="call", call__rating__isnull=False).update(
        rating=Subquery(calls.values("rating")[:1]),
        rating_comment=Subquery(calls.values("rating_comment")[:1]),
        rated_at=Coalesce(Subquery(rated), Subquery(calls.values("confirmed_at")[:1]), "closed_at", "updated_at"),
    )


def back_from_case(apps, schema_editor):
    Case = apps.get_model("kernel", "Case")
    Event = apps.get_model("events", "Event")
    Call = apps.get_model("events", "Call")

    cases = Case.objects.filter(pk=OuterRef("case_id"))
    Event.objects.filter(case__rated_at__isnull=False).update(
        rating_comment=Subquery(cases.values("rating_comment")[:1]), rated_at=Subquery(cases.values("rated_at")[:1])
    )
    Call.objects.filter(case__rating__isnull=False).update(
        rating=Subquery(cases.values("rating")[:1]), rating_comment=Subquery(cases.values("rating_comment")[:1])
    )
    Case.objects.filter(kind="call").update(rating=None, rating_comment="", rated_at=None)


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0007_rename_warning_early_warning"),
        ("kernel", "0006_case_rating_comment"),
    ]

    operations = [
        migrations.RunPython(to_case, back_from_case),
        migrations.RemoveConstraint(
            model_name="call",
            name="call_rating_1_to_5",
        ),
        migrations.RemoveField(
            model_name="call",
            name="rating",
        ),
        migrations.RemoveField(
            model_name="call",
            name="rating_comment",
        ),
        migrations.RemoveField(
            model_name="event",
            name="rated_at",
        ),
        migrations.RemoveField(
            model_name="event",
            name="rating_comment",
        ),
    ]
