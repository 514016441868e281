from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "zhenjie.window"
    verbose_name = "便民服务一窗口"

    def ready(self):
        from . import receipts, workflow  # noqa: F401  (register the case kind; the back office's document kinds)
        from . import decision_papers, rating  # noqa: F401  (document kinds; the follow-up of a poor rating)
        from . import jobs, kit, notices, workflow  # noqa: F401  (the case kind, its pages and API, its documents, its jobs)
