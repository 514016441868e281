from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "zhenjie.window"
    verbose_name = "便民服务一窗口"

    def ready(self):
        from . import jobs, kit, notices, workflow  # noqa: F401  (the case kind, its pages and API, its documents, its jobs)
