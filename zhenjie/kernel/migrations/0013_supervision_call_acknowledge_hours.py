"""The response time of a 乡呼县应 call becomes a county setting of the kernel's case services
(SupervisionPolicy), beside the supervision thresholds. Each county's value is copied from the
events' EventPolicy by events 0015, which then drops the old column."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("kernel", "0012_case_kind_opened"),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisionpolicy",
            name="call_acknowledge_hours",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="乡呼县应响应时限(小时)"),
        ),
        migrations.AddConstraint(
            model_name="supervisionpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("call_acknowledge_hours__gte", 1), ("call_acknowledge_hours__lte", 72)), name="supervision_call_acknowledge_range"
            ),
        ),
    ]
