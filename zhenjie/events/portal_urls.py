from django.urls import path

from . import portal_views

app_name = "events_public"
urlpatterns = [
    path("", portal_views.report, name="report"),
    path("track/", portal_views.track, name="track"),
]
