from django.urls import path

from . import views

# Two prefixes, so the navigation marks 指挥大屏 and 研判预警 each on its own pages.
app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.home, name="home"),
    path("dashboard/leader/", views.leader, name="leader"),
    path("dashboard/data/", views.data, name="data"),
    path("dashboard/points/", views.points, name="points"),
    path("analysis/", views.trends, name="analysis"),
    path("analysis/warnings/", views.warnings, name="warnings"),
    path("analysis/warnings/<id:pk>/acknowledge/", views.warning_acknowledge, name="warning_acknowledge"),
    path("analysis/warnings/settings/", views.warning_settings, name="warning_settings"),
    path("analysis/due-soon/", views.due_soon, name="due_soon"),
    path("analysis/departments/", views.departments, name="departments"),
    path("analysis/quality/", views.quality, name="quality"),
]
