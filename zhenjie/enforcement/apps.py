from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhenjie.enforcement"
    verbose_name = "综合执法一队伍"

    def ready(self):
        from . import kit, papers_decision, workflow  # noqa: F401  (the case kind, its pages and papers register themselves)
