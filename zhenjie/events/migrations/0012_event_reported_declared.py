"""The list's order index (0003), now declared on the model.

0003 created `event_reported` in plain SQL. On SQLite, Django rebuilds a table to add a NOT NULL
column (0004, 0005) and the rebuild keeps only the indexes the model declares — so every SQLite
database migrated since then lost it and the event list sorted all visible events to show 20
(issue 11). Dropped where it survived (PostgreSQL) and added back as the model's own index, which
later rebuilds keep."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0011_calls_to_own_app"),
    ]

    operations = [
        migrations.RunSQL(sql="DROP INDEX IF EXISTS event_reported", reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["-reported_at", "-id"], name="event_reported"),
        ),
    ]
