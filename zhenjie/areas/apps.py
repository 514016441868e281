from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "zhenjie.areas"
    verbose_name = "行政区划"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the area-change job with Huey)
