from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "zhenjie.window"
    verbose_name = "便民服务一窗口"

    def ready(self):
        # The case kind and its pages and API; its documents (notices, receipts, decisions,
        # hand-over slips); the follow-up of a poor rating; its periodic jobs.
        from . import decision_papers, intake_receipt, jobs, kit, notices, rating, receipts, workflow  # noqa: F401
