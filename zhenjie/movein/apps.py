from django.apps import AppConfig


class MoveinConfig(AppConfig):
    name = "zhenjie.movein"
    verbose_name = "迁入(数据导入)"
