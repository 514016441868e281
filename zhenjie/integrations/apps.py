from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "zhenjie.integrations"
    verbose_name = "外部接入"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the import job with Huey)
