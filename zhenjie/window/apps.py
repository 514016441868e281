from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "zhenjie.window"
    verbose_name = "便民服务一窗口"

    def ready(self):
        from django.urls import register_converter

        from .hall_hours import WeekdayConverter

        register_converter(WeekdayConverter, "weekday")
        # The case kind and its pages and API; its documents (notices, receipts, decisions,
        # hand-over slips, the agent points' transfer slips, the intake receipt); the follow-up of a
        # poor rating; its periodic jobs.
        from . import archive, decision_papers, intake_receipt, jobs, kit, notices, rating, receipts, transfer_slips, workflow  # noqa: F401

        archive.register()  # the archive package's content and retention (kernel/ARCHIVE.md)
        from zhenjie.kernel import extensions

        from .actions.backoffice import tell_extension

        extensions.on_approved(workflow.KIND, tell_extension)  # the 延期告知书, however the extension was approved
