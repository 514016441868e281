from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "zhenjie.kernel"
    verbose_name = "事项内核"
