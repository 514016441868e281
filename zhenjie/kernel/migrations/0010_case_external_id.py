"""An outside number on the case (kernel/intake.py): one case per kind, channel and number, for
every kind. The events' numbers are copied here by events 0013, which then drops their column."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("kernel", "0009_extension"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="external_id",
            field=models.CharField(blank=True, help_text="12345工单号、视频告警编号等", max_length=64, verbose_name="外部编号"),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True), fields=("kind", "channel", "external_id"), name="case_external_unique"
            ),
        ),
    ]
