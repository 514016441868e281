"""Mounted at /events/calls/, where the pages were when calls were part of events. A step posts to
the kit's one act view (kernel/PAGES.md) at the path it always had."""

from django.urls import path

from zhenjie.workbench.kit import act

from . import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="home"),
    path("<id:case_id>/", views.call_detail, name="detail"),
    path("<id:case_id>/act/<slug:transition>/", act, {"kind": "calls"}, name="act"),
]
