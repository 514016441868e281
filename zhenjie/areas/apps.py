from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "zhenjie.areas"
    verbose_name = "行政区划"
