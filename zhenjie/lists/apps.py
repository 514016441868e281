from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "zhenjie.lists"
    verbose_name = "清单"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the import job with Huey)
