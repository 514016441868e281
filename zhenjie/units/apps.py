from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "zhenjie.units"
    verbose_name = "机构"
