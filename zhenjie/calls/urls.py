"""Mounted at /events/calls/, where the pages were when calls were part of events."""

from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="home"),
    path("<int:case_id>/", views.call_detail, name="detail"),
    path("<int:case_id>/act/<slug:action>/", views.call_act, name="act"),
]
