from django.urls import path

from zhenjie.workbench.kit import act

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_new, name="new"),
    path("<id:case_id>/", views.task_detail, name="detail"),
    path("<id:case_id>/<slug:transition>/", act, {"kind": "tasks"}, name="act"),
]
