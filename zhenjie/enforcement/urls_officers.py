"""The officers' pages, under /enforcement/officers/ (namespace `enforcement_officers`)."""

from django.urls import path

from . import officers_views as views

app_name = "enforcement_officers"

urlpatterns = [
    path("", views.officer_list, name="list"),
    path("certificates/new/", views.certificate_new, name="certificate_new"),
    path("certificates/<id:pk>/", views.certificate_detail, name="certificate"),
    *(path(f"certificates/<id:pk>/{change}/", views.certificate_change, {"change": change}, name=f"certificate_{change}") for change in views.CHANGES),
]
