"""The county's discretion benchmarks, under /enforcement/benchmarks/ (namespace `enforcement_benchmarks`)."""

from django.urls import path

from . import views_decision as views

app_name = "enforcement_benchmarks"

urlpatterns = [
    path("", views.benchmark_list, name="list"),
    path("new/", views.benchmark_new, name="new"),
    path("<id:pk>/", views.benchmark_edit, name="edit"),
]
