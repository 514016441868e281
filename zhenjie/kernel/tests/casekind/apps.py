from django.apps import AppConfig


class CaseKindConfig(AppConfig):
    name = "zhenjie.kernel.tests.casekind"
    label = "casekind"
    verbose_name = "测试事项(仅测试)"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (registers the case kind, its pages and API, its document)
