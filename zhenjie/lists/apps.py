from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "zhenjie.lists"
    verbose_name = "清单"
