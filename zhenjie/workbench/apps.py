from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "zhenjie.workbench"
    verbose_name = "工作台"

    def ready(self):
        from django.core import checks

        from .basemap import check_basemap

        checks.register(check_basemap)
