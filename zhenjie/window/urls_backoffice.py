"""The back office's pages, included by the integrator under /window/backoffice/."""

from django.urls import path

from . import views_backoffice as views

app_name = "window_backoffice"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<id:case_id>/", views.clock_page, name="clock"),
    path("<id:case_id>/<slug:step>/", views.act, name="act"),
]
