"""The decision part's pages, included by window/urls.py under /window/ (namespace "window")."""

from django.urls import path

from . import views_collection
from . import views_decision as views

urlpatterns = [
    path("<id:case_id>/decision/", views.decision_sheet, name="decision"),
    path("<id:case_id>/decision/decide/", views.decide, name="decide"),
    path("<id:case_id>/decision/opinion/", views.give_opinion, name="opinion"),
    path("<id:case_id>/decision/hand-over/", views.hand_over, name="hand_over"),
    path("<id:case_id>/collection/", views_collection.change, name="collection"),
    path("settings/", views.window_settings, name="settings"),
]
