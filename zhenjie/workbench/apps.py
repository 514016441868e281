from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "zhenjie.workbench"
    verbose_name = "工作台"
