"""A kind's list, newest first (tasks_for, calls_for): the order the list walks and stops at the
page, instead of sorting every visible case of the kind (issue 11)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("kernel", "0011_case_jurisdiction_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["kind", "-opened_at", "-id"], name="case_kind_opened"),
        ),
    ]
