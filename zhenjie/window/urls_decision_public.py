"""The applicant's rating on the portal (no login), included under /public/window/ (namespace
"window_public")."""

from django.urls import path

from . import views_decision as views

urlpatterns = [path("rate/", views.rate_by_code, name="rate")]
