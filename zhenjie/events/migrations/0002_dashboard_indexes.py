"""Indexes for analysis and the command screen (issue 5 items 6 and 7). Indexes only.

The second one lives on the kernel's case table but is about events alone ("closed today", the
closed-per-day trend), so it is created here, where the kind is known, and not in the kernel,
which never names a domain. It is plain SQL, valid on SQLite and PostgreSQL alike."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["reported_at"], name="event_reported_at"),
        ),
        migrations.RunSQL(
            sql="CREATE INDEX case_event_closed_at ON kernel_case (closed_at) WHERE kind = 'event' AND closed_at IS NOT NULL",
            reverse_sql="DROP INDEX case_event_closed_at",
        ),
    ]
