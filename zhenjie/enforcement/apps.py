from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhenjie.enforcement"
    verbose_name = "综合执法一队伍"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (the case kind and its pages register themselves)
        from . import archiving, papers_execution  # noqa: F401  (the 送达回证 and 结案报告 kinds)

        archiving.register()  # the archive package's content (kernel/ARCHIVE.md)
