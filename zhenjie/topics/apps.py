from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "zhenjie.topics"
    verbose_name = "每月一题"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the monthly reminder with Huey)
