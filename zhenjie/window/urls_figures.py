"""The figures page, for the integrator to include under /window/ (namespace window)."""

from django.urls import path

from . import views_figures

urlpatterns = [
    path("figures/", views_figures.figures, name="figures"),
]
