from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhenjie.enforcement"
    verbose_name = "综合执法一队伍"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (the case kind and its pages register themselves)
        from . import papers_transfers  # noqa: F401  (part 8: the 案件移送函)
