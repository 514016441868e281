from django.urls import path

from . import public_views

app_name = "enforcement_public"
urlpatterns = [
    path("", public_views.decision_list, name="list"),
    path("<id:pk>/", public_views.decision, name="decision"),
    path("bodies/<str:code>/", public_views.body, name="body"),
]
