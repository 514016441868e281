from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "zhenjie.grid"
    verbose_name = "镇村治理一张网"

    def ready(self):
        from . import jobs, kit, workflow  # noqa: F401  (register the visit and referral kinds, their pages, and the daily job with Huey)
