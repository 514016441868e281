"""Transfers' pages, under /enforcement/transfers/ (namespace `enforcement_transfers`)."""

from django.urls import path

from . import transfers_views as views

app_name = "enforcement_transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("new/", views.transfer_new, name="new"),
]
