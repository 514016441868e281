from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "zhenjie.kernel"
    verbose_name = "事项内核"

    def ready(self):
        from . import supervision  # noqa: F401  (declares the supervision notice document kind)
