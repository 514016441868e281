from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "zhenjie.kernel"
    verbose_name = "事项内核"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from .ids import IdConverter
        from .sqlite_wal import keep_log

        # Registered here, before any URLconf is read: every URL with a record id uses <id:…>.
        register_converter(IdConverter, "id")
        from . import jobs  # noqa: F401  (registers the sweeps with Huey; job modules are jobs.py, not tasks.py)
        from . import supervision  # noqa: F401  (declares the supervision notice document kind)

        # A request's connection closing no longer checkpoints an SQLite database (sqlite_wal).
        connection_created.connect(keep_log, dispatch_uid="zhenjie.kernel.sqlite_wal")
