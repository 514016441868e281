from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "zhenjie.events"
    verbose_name = "指挥调度一中心"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import jobs, kit, receipts, workflow  # noqa: F401  (register the event kind, its pages and API, its jobs with Huey, the receipt)
        from .categories import ensure_default_categories

        post_migrate.connect(ensure_default_categories, sender=self)
