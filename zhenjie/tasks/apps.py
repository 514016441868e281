from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "zhenjie.tasks"
    verbose_name = "交办件"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (register the case kind, and its pages and API)
