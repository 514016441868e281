"""The Call model as it was in events, now owned by this app: state only, the table
(events_call) and its rows are already there (events 0011)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("events", "0011_calls_to_own_app"),
        ("kernel", "0009_extension"),
        ("units", "__first__"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Call",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("group", models.CharField(blank=True, max_length=32, verbose_name="联合呼叫")),
                        ("request", models.TextField(verbose_name="呼叫事项")),
                        ("acknowledge_due", models.DateTimeField(verbose_name="响应时限")),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True, verbose_name="响应时间")),
                        ("reported_at", models.DateTimeField(blank=True, null=True, verbose_name="反馈时间")),
                        ("result", models.TextField(blank=True, verbose_name="办理结果")),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="确认时间")),
                        ("case", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="call", to="kernel.case")),
                        ("caller_unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="calls_made", to="units.unit", verbose_name="呼叫单位")),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="calls_received", to="units.unit", verbose_name="被呼叫部门")),
                    ],
                    options={
                        "verbose_name": "乡呼县应",
                        "verbose_name_plural": "乡呼县应",
                        "db_table": "events_call",
                        "indexes": [models.Index(fields=["department", "acknowledge_due"], name="call_department_due")],
                    },
                ),
            ],
        ),
    ]
