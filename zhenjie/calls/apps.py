from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "zhenjie.calls"
    verbose_name = "乡呼县应"

    def ready(self):
        from . import kit, workflow  # noqa: F401  (registers the call case kind and its export on the kit)
