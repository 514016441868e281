from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "zhenjie.grid"
    verbose_name = "镇村治理一张网"
