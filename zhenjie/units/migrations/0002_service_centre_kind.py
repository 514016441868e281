"""便民服务中心 becomes a kind of its own (the hall listed the command centre and every other
township centre). Units already recorded are told apart by name: the service centres and the
developed towns' 政务服务局/政务服务中心 that run the one-window hall."""

from django.db import migrations, models


SERVICE_CENTRE_NAMES = ("便民服务中心", "政务服务中心", "政务服务局")


def mark_service_centres(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    for word in SERVICE_CENTRE_NAMES:
        Unit.objects.filter(kind__in=("centre", "office"), name__contains=word).update(kind="service_centre")


def unmark_service_centres(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    Unit.objects.filter(kind="service_centre", name__contains="局").update(kind="office")
    Unit.objects.filter(kind="service_centre").update(kind="centre")


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='unit',
            name='kind',
            field=models.CharField(choices=[('county_leadership', '县委县政府'), ('department', '县直部门'), ('stationed', '派驻机构'), ('township_government', '乡镇政府(街道办事处)'), ('office', '党政工作机构'), ('service_centre', '便民服务中心'), ('centre', '事业单位(中心)'), ('village_committee', '村(居)民委员会')], max_length=32, verbose_name='类型'),
        ),
        migrations.RunPython(mark_service_centres, unmark_service_centres),
    ]
