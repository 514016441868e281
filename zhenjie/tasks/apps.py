from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "zhenjie.tasks"
    verbose_name = "交办件"

    def ready(self):
        from . import workflow  # noqa: F401  (registers the case kind)
