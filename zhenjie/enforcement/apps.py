from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "zhenjie.enforcement"
    verbose_name = "综合执法一队伍"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (the case kind and its pages register themselves)
        from . import documents  # noqa: F401  (the document kinds of registration and investigation)
        from . import papers_decision, papers_hearing  # noqa: F401  (the document kinds of parts 3 and 4)
        from . import archiving, kit_execution, papers_execution  # noqa: F401  (steps of service, execution, publicity; their papers)

        archiving.register()  # the archive package's content (kernel/ARCHIVE.md)
        from . import papers_transfers  # noqa: F401  (part 8: the 案件移送函)
