# The grid's Coverage model, taken over by accounts without touching the database: the table
# grid_coverage (created by grid.0001) keeps its name, rows, constraints and indexes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_stationed_officer_role'),
        ('areas', '0001_initial'),
        ('grid', '0002_coverage_moves_to_accounts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Coverage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_lead', models.BooleanField(default=False, verbose_name='责任网格员')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='起始时间')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('assigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('grid', models.ForeignKey(limit_choices_to={'level': 'grid'}, on_delete=django.db.models.deletion.PROTECT, related_name='grid_coverages', to='areas.area', verbose_name='网格')),
                        ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grid_coverages', to=settings.AUTH_USER_MODEL, verbose_name='网格员')),
                    ],
                    options={
                        'verbose_name': '网格员分工',
                        'verbose_name_plural': '网格员分工',
                        'db_table': 'grid_coverage',
                        'indexes': [models.Index(condition=models.Q(('ended_at__isnull', True)), fields=['worker'], name='coverage_current_worker'), models.Index(fields=['grid', '-started_at'], name='coverage_grid_history')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True), ('is_lead', True)), fields=('grid',), name='coverage_one_current_lead'), models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('grid', 'worker'), name='coverage_one_current_stint'), models.CheckConstraint(condition=models.Q(('ended_at__isnull', True), ('ended_at__gte', models.F('started_at')), _connector='OR'), name='coverage_ends_after_start')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
